import { api, type LiveCall } from './api.ts';
import { duration, ROLE_LABEL, shortId } from './format.ts';
import { ErrorNotice, Notice } from './Notice.tsx';
import { useNow, usePoll } from './poll.ts';
import { href, onLinkClick } from './router.ts';
import { StateBadge } from './StateBadge.tsx';

/** Every AudioHook session the gateways hold, refreshed every 2 s. */
export function LiveCalls() {
  const live = usePoll(() => api.liveCalls(), 2000);
  const now = useNow();
  return (
    <section aria-labelledby="live-title">
      <h1 id="live-title">Live calls</h1>
      {live.error ? <ErrorNotice error={live.error} retrying /> : null}
      {live.loading && !live.value ? <Notice kind="loading" title="Loading live calls…" /> : null}
      {live.value && live.value.calls.length === 0 ? (
        <Notice kind="empty" title="No calls right now">
          <p>
            Calls appear here as soon as Genesys opens an AudioHook session. To try it locally, play the sample call from a terminal:{' '}
            <code>npm run call</code> (add <code>-- --start</code> to have it transcribed).
          </p>
        </Notice>
      ) : null}
      {live.value && live.value.calls.length > 0 ? (
        <table class="calls" aria-label="Live calls">
          <thead>
            <tr>
              <th scope="col">Conversation</th>
              <th scope="col">State</th>
              <th scope="col">Participants</th>
              <th scope="col">Duration</th>
              <th scope="col">Audio received</th>
              <th scope="col">Utterances</th>
              <th scope="col">Opened in</th>
            </tr>
          </thead>
          <tbody>
            {live.value.calls.map((call) => (
              <CallRow key={call.sessionId} call={call} now={now} asOf={Date.parse(live.value!.asOf)} />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function CallRow({ call, now, asOf }: { call: LiveCall; now: number; asOf: number }) {
  // The duration keeps ticking between polls while the call is live.
  const ticking = call.state !== 'lost' && call.state !== 'closed' ? Math.max(0, now - asOf) : 0;
  const path = `calls/${encodeURIComponent(call.conversationId)}`;
  return (
    <tr data-conversation-id={call.conversationId}>
      <th scope="row">
        {call.probe ? (
          <span title={call.conversationId}>Connection probe</span>
        ) : (
          <a href={href(path)} onClick={onLinkClick(path)} class="mono" title={call.conversationId}>
            {call.conversationId}
          </a>
        )}
      </th>
      <td>
        <StateBadge state={call.state} />
      </td>
      <td>
        <ul class="participants">
          {call.participants.map((p) => (
            <li key={p.role}>
              {ROLE_LABEL[p.role]}{' '}
              <span class="mono muted" title={p.streamId ?? 'no stream id until transcription starts'}>
                {shortId(p.streamId)}
              </span>
            </li>
          ))}
        </ul>
      </td>
      <td class="num">{duration(call.durationMs + ticking)}</td>
      <td class="num">
        {call.participants.map((p) => (
          <div key={p.role}>
            <span class="muted">{ROLE_LABEL[p.role]}</span> {duration(call.receivedMs[p.role])}
          </div>
        ))}
      </td>
      <td class="num" data-label="utterances">
        {call.utterances}
      </td>
      <td class="num">{call.openLatencyMs} ms</td>
    </tr>
  );
}
