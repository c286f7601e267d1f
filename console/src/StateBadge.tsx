import type { LiveCall } from './api.ts';

const LABELS: Record<LiveCall['state'], string> = {
  open: 'Open, not transcribed',
  paused: 'Paused',
  transcribing: 'Transcribing',
  closing: 'Closing',
  closed: 'Ended',
  lost: 'Lost (gateway stopped reporting)',
};

export function StateBadge({ state }: { state: LiveCall['state'] }) {
  return (
    <span class={`badge badge-${state}`} data-state={state}>
      {LABELS[state]}
    </span>
  );
}
