import type { HealthResponse } from './api.ts';
import { duration } from './format.ts';

/** "Why wasn't this call transcribed?" at a glance. */
export function HealthPanel({ health }: { health: HealthResponse }) {
  const s = health.session;
  const d = health.deliveries;
  const latency = s?.openLatencyMs;
  const latencyVerdict = latency === undefined ? undefined : latency < 1000 ? 'ok' : latency < 4000 ? 'slow' : 'late';
  return (
    <section class="health" aria-labelledby="health-title">
      <h2 id="health-title">Call health</h2>
      <dl>
        <dt>Opened in</dt>
        <dd data-field="open-latency" class={latencyVerdict ? `verdict-${latencyVerdict}` : undefined}>
          {latency === undefined ? 'not known yet' : `${latency} ms`}
          {latencyVerdict === 'late'
            ? ' — Genesys gives up at about 5 s'
            : latencyVerdict === 'slow'
              ? ' — slow: Genesys gives up at about 5 s'
              : ''}
        </dd>
        <dt>Kind</dt>
        <dd data-field="probe">{s ? (s.probe ? 'Connection probe (never transcribed)' : 'Real call') : '—'}</dd>
        <dt>Start-streaming called</dt>
        <dd data-field="start-called" class={health.startStreamingCalled ? undefined : 'verdict-slow'}>
          {health.startStreamingCalled ? 'Yes' : 'No — nothing asked for this call to be transcribed'}
        </dd>
        <dt>Pauses / discarded audio</dt>
        <dd data-field="pauses">{s ? `${s.pauses} pause${s.pauses === 1 ? '' : 's'}, ${duration(s.discardedMs)} discarded` : '—'}</dd>
        <dt>Recognizer errors</dt>
        <dd data-field="recognizer-errors" class={s && s.recognizerErrors.length > 0 ? 'verdict-late' : undefined}>
          {!s || s.recognizerErrors.length === 0
            ? 'None'
            : s.recognizerErrors.map((e) => `${e.role}: ${e.code} ${e.description}`).join('; ')}
        </dd>
        <dt>Webhook deliveries</dt>
        <dd data-field="deliveries">
          <span class="chip chip-delivered" data-count="delivered">
            {d.delivered} delivered
          </span>{' '}
          <span class={`chip ${d.failed > 0 ? 'chip-failed' : 'chip-muted'}`} data-count="failed">
            {d.failed} failed
          </span>{' '}
          <span class={`chip ${d.dropped > 0 ? 'chip-dropped' : 'chip-muted'}`} data-count="dropped">
            {d.dropped} dropped by deadline
          </span>{' '}
          <span class="chip chip-pending" data-count="pending">
            {d.pending} pending
          </span>
          {Object.keys(d.failedByStatus).length > 0 ? (
            <div data-field="failed-statuses">
              Failed with target status:{' '}
              {Object.entries(d.failedByStatus)
                .map(([status, n]) => `${status === 'none' ? 'no answer' : status} × ${n}`)
                .join(', ')}
            </div>
          ) : null}
        </dd>
      </dl>
    </section>
  );
}
