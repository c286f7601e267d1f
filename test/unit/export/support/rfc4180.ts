/**
 * A strict RFC 4180 reader for the tests: records end with CRLF, fields containing `,` `"` CR or LF
 * are quoted with `""` for a quote. Anything else (a bare LF ending a record, a quote inside an
 * unquoted field, text after a closing quote) throws, so the writer's output is checked, not guessed at.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  if (text === '') return records;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += c;
        i += 1;
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`quote inside an unquoted field at ${i}`);
        field += text[i];
        i += 1;
      }
    }
    record.push(field);
    if (text[i] === ',') {
      i += 1;
      continue;
    }
    if (text[i] === '\r' && text[i + 1] === '\n') {
      records.push(record);
      record = [];
      i += 2;
      continue;
    }
    if (i >= text.length) throw new Error('last record does not end with CRLF');
    throw new Error(`unexpected character ${JSON.stringify(text[i])} at ${i}`);
  }
  return records;
}

/** Records as objects keyed by the header row. */
export function parseCsvObjects(text: string): { header: string[]; rows: Record<string, string>[] } {
  const [header, ...records] = parseCsv(text);
  if (!header) return { header: [], rows: [] };
  return {
    header,
    rows: records.map((values) => {
      if (values.length !== header.length) throw new Error(`record has ${values.length} fields, header ${header.length}`);
      return Object.fromEntries(header.map((name, i) => [name, values[i]]));
    }),
  };
}
