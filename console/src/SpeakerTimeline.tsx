import type { ConsoleMessage, HealthResponse } from './api.ts';
import { timelineTime } from './format.ts';

type Discard = NonNullable<HealthResponse['session']>['discards'][number];

const LANES = [
  { role: 'customer', label: 'Customer', y: 8 },
  { role: 'agent', label: 'Agent', y: 40 },
] as const;
const WIDTH = 1000;
const LABEL_W = 80;
const LANE_H = 24;

/**
 * Who spoke when, drawn: one lane per party, a bar per utterance, hatched spans where the client
 * discarded audio (pauses), on the call's audio timeline.
 */
export function SpeakerTimeline({ messages, discards, lengthMs }: { messages: ConsoleMessage[]; discards: Discard[]; lengthMs: number }) {
  const end = Math.max(lengthMs, ...messages.map((m) => m.endMs), ...discards.map((d) => d.startMs + d.durationMs), 1000);
  const x = (ms: number) => LABEL_W + (ms / end) * (WIDTH - LABEL_W - 4);
  const ticks = tickMarks(end);
  const spoken = (role: 'customer' | 'agent') => messages.filter((m) => m.role === role).reduce((t, m) => t + (m.endMs - m.startMs), 0);
  return (
    <figure class="timeline">
      <svg viewBox={`0 0 ${WIDTH} 92`} role="img" aria-labelledby="timeline-title timeline-desc" preserveAspectRatio="none">
        <title id="timeline-title">Speaker timeline</title>
        <desc id="timeline-desc">
          {`Customer spoke ${Math.round(spoken('customer') / 1000)} s, agent ${Math.round(spoken('agent') / 1000)} s, over ${Math.round(end / 1000)} s of audio; ${discards.length} discarded span(s).`}
        </desc>
        <defs>
          <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <line x1="0" y1="0" x2="0" y2="6" class="hatch-line" />
          </pattern>
        </defs>
        {LANES.map((lane) => (
          <g key={lane.role}>
            <text x="4" y={lane.y + 16} class="lane-label">
              {lane.label}
            </text>
            <rect x={LABEL_W} y={lane.y} width={WIDTH - LABEL_W - 4} height={LANE_H} class="lane" />
            {messages
              .filter((m) => m.role === lane.role)
              .map((m) => (
                <rect
                  key={m.messageId}
                  x={x(m.startMs)}
                  y={lane.y}
                  width={Math.max(2, x(m.endMs) - x(m.startMs))}
                  height={LANE_H}
                  class={`speech speech-${lane.role}`}
                  data-message-id={m.messageId}
                >
                  <title>{`${lane.label} ${timelineTime(m.startMs)}–${timelineTime(m.endMs)}`}</title>
                </rect>
              ))}
          </g>
        ))}
        {discards.map((d) => (
          <rect
            key={d.startMs}
            x={x(d.startMs)}
            y={4}
            width={Math.max(2, x(d.startMs + d.durationMs) - x(d.startMs))}
            height={64}
            fill="url(#hatch)"
            class="discard"
          >
            <title>{`Discarded ${(d.durationMs / 1000).toFixed(1)} s at ${timelineTime(d.startMs)} (pause)`}</title>
          </rect>
        ))}
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={70} y2={74} class="tick" />
            <text x={x(t)} y={86} class="tick-label" text-anchor="middle">
              {timelineTime(t).replace(/\.\d$/, '')}
            </text>
          </g>
        ))}
      </svg>
      <figcaption class="legend">
        <span class="swatch speech-customer" /> Customer <span class="swatch speech-agent" /> Agent <span class="swatch swatch-discard" />{' '}
        Discarded / paused
      </figcaption>
    </figure>
  );
}

function tickMarks(endMs: number): number[] {
  const steps = [5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];
  const step = steps.find((s) => endMs / s <= 10) ?? 1_200_000;
  const out: number[] = [];
  for (let t = 0; t <= endMs; t += step) out.push(t);
  return out;
}
