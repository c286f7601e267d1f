import { useState } from 'preact/hooks';
import { navigate } from './router.ts';

/** After the call: open a conversation by id (its page shows the stored transcript, health and downloads). */
export function FindCall() {
  const [id, setId] = useState('');
  return (
    <section aria-labelledby="find-title">
      <h1 id="find-title">Find a call</h1>
      <form
        class="find"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const value = id.trim();
          if (value) navigate(`calls/${encodeURIComponent(value)}`);
        }}
      >
        <label>
          Conversation id{' '}
          <input
            value={id}
            onInput={(e) => setId(e.currentTarget.value)}
            placeholder="Genesys conversation id"
            required
            maxLength={255}
            class="mono"
            size={40}
          />
        </label>
        <button type="submit">Open</button>
      </form>
      <p class="muted">Transcripts are kept for the message retention period (7 days unless configured otherwise).</p>
    </section>
  );
}
