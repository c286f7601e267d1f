import { useState } from 'preact/hooks';
import { api, ApiFailure } from './api.ts';
import { ErrorNotice, Notice } from './Notice.tsx';
import { usePoll } from './poll.ts';

/** The File Exporter's daily utterance files, with presigned download links. */
const FEED = { feed: 'utterances', version: '1' } as const;

export function DailyFiles() {
  const [format, setFormat] = useState<'jsonl' | 'csv'>('jsonl');
  const [date, setDate] = useState<string | undefined>(undefined);
  const dates = usePoll(() => api.files<{ dates: string[] }>('listfeeddates', { ...FEED, format }), 60_000, [format]);
  return (
    <section aria-labelledby="files-title">
      <h1 id="files-title">Daily files</h1>
      <p class="muted">
        Every utterance of a UTC day, exported at 02:00 UTC the next day (<code>npm run export</code> exports a day now).
      </p>
      <fieldset class="formats">
        <legend>Format</legend>
        {(['jsonl', 'csv'] as const).map((f) => (
          <label key={f}>
            <input
              type="radio"
              name="format"
              checked={format === f}
              onChange={() => {
                setFormat(f);
                setDate(undefined);
              }}
            />{' '}
            {f.toUpperCase()}
          </label>
        ))}
      </fieldset>
      {dates.error ? <ErrorNotice error={dates.error} /> : null}
      {dates.loading && !dates.value ? <Notice kind="loading" title="Loading days…" /> : null}
      {dates.value && dates.value.dates.length === 0 ? (
        <Notice kind="empty" title="No exported days yet">
          <p>
            The first file appears after the first 02:00 UTC export. Run <code>npm run export -- --date YYYY-MM-DD</code> to export a day
            now.
          </p>
        </Notice>
      ) : null}
      {dates.value && dates.value.dates.length > 0 ? (
        <ul class="dates" aria-label="Exported days">
          {dates.value.dates.map((d) => (
            <li key={d}>
              <button type="button" aria-pressed={date === d} onClick={() => setDate(d)}>
                {d}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {date ? <DayFiles format={format} date={date} /> : null}
    </section>
  );
}

function DayFiles({ format, date }: { format: 'jsonl' | 'csv'; date: string }) {
  const files = usePoll(() => api.files<{ files: string[] }>('listfeedfiles', { ...FEED, format, date }), 60_000, [format, date]);
  const [links, setLinks] = useState<Record<string, string | Error>>({});
  const link = async (file: string) => {
    const [interval, fileName] = file.includes('/') ? file.split('/') : [undefined, file];
    try {
      const { url } = await api.files<{ url: string }>('getfeedfile', {
        ...FEED,
        format,
        date,
        fileName: fileName!,
        ...(interval ? { interval } : {}),
      });
      setLinks((l) => ({ ...l, [file]: url }));
    } catch (e) {
      setLinks((l) => ({ ...l, [file]: e as Error }));
    }
  };
  if (files.error instanceof ApiFailure && files.error.status === 404) return <Notice kind="empty" title={`No files for ${date}`} />;
  if (files.error) return <ErrorNotice error={files.error} />;
  if (!files.value) return <Notice kind="loading" title="Loading files…" />;
  return (
    <table class="files" aria-label={`Files of ${date}`}>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Download</th>
        </tr>
      </thead>
      <tbody>
        {files.value.files.map((f) => {
          const got = links[f];
          return (
            <tr key={f}>
              <td class="mono">{f}</td>
              <td>
                {typeof got === 'string' ? (
                  <a href={got} download>
                    Download (link valid for a limited time)
                  </a>
                ) : (
                  <button type="button" onClick={() => void link(f)}>
                    Get download link
                  </button>
                )}
                {got instanceof Error ? <span role="alert"> {got.message}</span> : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
