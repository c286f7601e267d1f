import { csvRecord } from './csv.ts';
import type { FeedFormat } from './feed-layout.ts';
import { feedColumns, type FeedColumn, type FeedRow } from './feed-row.ts';
import { jsonlRecord } from './jsonl.ts';

/** How rows become bytes in one format; every part file is self-contained (CSV repeats its header). */
export interface FeedEncoder {
  /** Text that opens every part file. */
  header: string;
  record(row: FeedRow): string;
}

export function feedEncoder(format: FeedFormat, extraColumns: boolean): FeedEncoder {
  const columns = feedColumns(extraColumns);
  switch (format) {
    case 'jsonl':
      return { header: '', record: (row) => jsonlRecord(row) };
    case 'csv':
      return { header: csvRecord(columns), record: (row) => csvRecord(columns.map((c: FeedColumn) => row[c])) };
  }
}
