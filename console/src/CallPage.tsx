import { useState } from 'preact/hooks';
import { api, ApiFailure, type HealthResponse } from './api.ts';
import { duration, ROLE_LABEL, shortId } from './format.ts';
import { HealthPanel } from './HealthPanel.tsx';
import { ErrorNotice, Notice } from './Notice.tsx';
import { useNow, usePoll } from './poll.ts';
import { href, onLinkClick } from './router.ts';
import { SpeakerTimeline } from './SpeakerTimeline.tsx';
import { StateBadge } from './StateBadge.tsx';
import { Transcript } from './Transcript.tsx';
import { TranscriptDownload } from './TranscriptDownload.tsx';
import { useTranscript } from './useTranscript.ts';

/** One call, live: controls, speaker timeline, transcript, health. Works after the call too. */
export function CallPage({ conversationId }: { conversationId: string }) {
  const health = usePoll(() => api.health(conversationId), 2000, [conversationId]);
  const transcript = useTranscript(conversationId);
  const now = useNow();
  const session = health.value?.session ?? null;
  const live = session !== null && session.state !== 'closed' && session.state !== 'lost';
  const notFound = health.error instanceof ApiFailure && health.error.status === 404;

  return (
    <section aria-labelledby="call-title" class="call-page">
      <p>
        <a href={href('')} onClick={onLinkClick('')}>
          ← Live calls
        </a>
      </p>
      <header class="call-header">
        <h1 id="call-title">
          Call <span class="mono">{conversationId}</span>
        </h1>
        {session ? <StateBadge state={session.state} /> : null}
        {session ? (
          <span class="muted" aria-label="Duration">
            {duration(live ? Math.max(session.durationMs, now - Date.parse(session.openedAt)) : session.durationMs)}
          </span>
        ) : null}
        {session ? (
          <span class="muted">{session.participants.map((p) => `${ROLE_LABEL[p.role]} ${shortId(p.streamId)}`).join(' · ')}</span>
        ) : null}
      </header>
      {notFound && transcript.messages.length === 0 ? (
        <Notice kind="empty" title="No call with this conversation id yet">
          <p>
            Check the id (Genesys's conversation id), or wait: a call appears as soon as its AudioHook session opens. This page keeps
            looking.
          </p>
        </Notice>
      ) : health.error && !notFound ? (
        <ErrorNotice error={health.error} retrying />
      ) : null}
      {health.loading && !health.value && !health.error ? <Notice kind="loading" title="Loading the call…" /> : null}
      {session && !session.probe ? <Controls conversationId={conversationId} health={health.value!} onChange={health.refresh} /> : null}
      <div class="call-grid">
        <div class="call-main">
          <SpeakerTimeline
            messages={transcript.messages}
            discards={session?.discards ?? []}
            lengthMs={session ? Math.max(session.receivedMs.customer, session.receivedMs.agent) + session.discardedMs : 0}
          />
          <div class="transcript-head">
            <h2>Transcript</h2>
            <TranscriptDownload conversationId={conversationId} messages={transcript.messages} />
          </div>
          {transcript.error ? <ErrorNotice error={transcript.error} retrying /> : null}
          {transcript.loaded && transcript.messages.length === 0 ? (
            <Notice kind="empty" title="No utterances yet">
              <p>
                {health.value?.startStreamingCalled
                  ? 'Transcription is on: utterances appear here as they are recognised.'
                  : 'Nothing is transcribed until transcription starts: press Start transcription (or have your CTI call start-streaming).'}
              </p>
            </Notice>
          ) : null}
          <Transcript messages={transcript.messages} follow={live} />
        </div>
        <aside class="call-side">{health.value ? <HealthPanel health={health.value} /> : null}</aside>
      </div>
    </section>
  );
}

function Controls({ conversationId, health, onChange }: { conversationId: string; health: HealthResponse; onChange(): void }) {
  const [customerId, setCustomerId] = useState('console-customer');
  const [agentId, setAgentId] = useState('console-agent');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | undefined>(undefined);
  const state = health.session?.state;
  const transcribing = state === 'transcribing';
  const open = state === 'open' || state === 'paused' || state === 'transcribing';

  const run = async (what: 'start' | 'stop') => {
    setBusy(true);
    setMessage(undefined);
    try {
      if (what === 'start') await api.start(conversationId, customerId, agentId);
      else await api.stop(conversationId);
      setMessage({ kind: 'ok', text: what === 'start' ? 'Transcription started.' : 'Transcription stopped.' });
    } catch (e) {
      setMessage({ kind: 'error', text: e instanceof ApiFailure ? `${e.code ?? e.status}: ${e.message}` : String(e) });
    } finally {
      setBusy(false);
      onChange();
    }
  };

  return (
    <form class="controls" aria-label="Transcription controls" onSubmit={(e) => e.preventDefault()}>
      <label>
        Customer id{' '}
        <input
          value={customerId}
          onInput={(e) => setCustomerId(e.currentTarget.value)}
          disabled={transcribing || busy}
          required
          maxLength={255}
        />
      </label>
      <label>
        Agent id{' '}
        <input
          value={agentId}
          onInput={(e) => setAgentId(e.currentTarget.value)}
          disabled={transcribing || busy}
          required
          maxLength={255}
        />
      </label>
      <button type="button" onClick={() => void run('start')} disabled={!open || transcribing || busy}>
        Start transcription
      </button>
      <button type="button" onClick={() => void run('stop')} disabled={!transcribing || busy}>
        Stop transcription
      </button>
      {message ? (
        <span role={message.kind === 'error' ? 'alert' : 'status'} class={`control-${message.kind}`}>
          {message.text}
        </span>
      ) : null}
      {!open ? <span class="muted">The call is not open: start/stop need a live call.</span> : null}
    </form>
  );
}
