import { z } from 'zod';
import { defineParser } from '../../engine/define.js';
import { error, type Issue } from '../../engine/issues.js';
import { decodeText, encodeText, readCsv } from '../../formats/csv/csv.js';

const options = z.object({
  delimiter: z.string().length(1).default(';').describe('field delimiter'),
  encoding: z.string().default('utf-8').describe('character set of the file (utf-8, iso-8859-1, windows-1252, …)'),
  columns: z.array(z.string().min(1)).min(1).describe('required header columns'),
  optionalColumns: z.array(z.string().min(1)).default([]).describe('columns that may be present'),
});
type Options = z.infer<typeof options>;

/** A CSV row as the mappings see it: header name → trimmed value ('' when empty). Its file line is the part's ref. */
export interface CsvRecord {
  values: Record<string, string>;
}

function checkHeader(header: string[], o: Options): Issue[] {
  const issues: Issue[] = [];
  const known = new Set([...o.columns, ...o.optionalColumns]);
  const unknown = header.filter((h) => !known.has(h));
  if (unknown.length) issues.push(error('CSV_UNKNOWN_COLUMN', `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')} (expected: ${[...known].join(', ')})`, 'line 1'));
  const missing = o.columns.filter((c) => !header.includes(c));
  if (missing.length) issues.push(error('CSV_MISSING_COLUMN', `missing required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}`, 'line 1'));
  const dup = header.filter((h, i) => header.indexOf(h) !== i);
  if (dup.length) issues.push(error('CSV_DUPLICATE_COLUMN', `column ${dup.map((d) => `"${d}"`).join(', ')} appears twice`, 'line 1'));
  return issues;
}

function readTable(raw: Buffer, o: Options) {
  const decoded = decodeText(raw, o.encoding);
  if (decoded.text === undefined) return { issues: decoded.issues };
  const { rows, issues } = readCsv(decoded.text, o.delimiter);
  if (issues.length) return { issues };
  const [header, ...data] = rows;
  if (!header) return { issues: [error('CSV_EMPTY', 'the file has no header line')] };
  const names = header.fields.map((h) => h.trim());
  const headerIssues = checkHeader(names, o);
  if (headerIssues.length) return { issues: headerIssues };
  return { header, names, data, issues: [] as Issue[] };
}

/**
 * CSV files are batches: `split` checks the encoding and header once for the file, then cuts it into one message
 * per data row (header + row, in the file's encoding), so that each row is stored, processed and replayed alone.
 */
export const csvParser = defineParser({
  format: 'csv',
  description: 'Delimited text with a header line; each data row becomes one message',
  options,
  split(raw, o) {
    const t = readTable(raw, o);
    if (!t.header) return { parts: [], issues: t.issues };
    if (t.data.length === 0) return { parts: [], issues: [error('CSV_EMPTY', 'the file has a header but no data rows')] };
    const parts = t.data.map((row) => ({
      content: encodeText(`${t.header.text}\n${row.text}\n`, o.encoding),
      ref: `line ${row.line}`,
    }));
    return { parts, issues: [] };
  },
  parse(raw, o) {
    const t = readTable(raw, o);
    if (!t.header) return { issues: t.issues };
    const row = t.data[0];
    if (!row || t.data.length > 1) return { issues: [error('CSV_NOT_ONE_ROW', `expected exactly one data row, found ${t.data.length}`)] };
    if (row.fields.length !== t.names.length) {
      return { issues: [error('CSV_FIELD_COUNT', `the row has ${row.fields.length} fields but the header has ${t.names.length}`)] };
    }
    const values = Object.fromEntries(t.names.map((name, i) => [name, row.fields[i]!.trim()]));
    return { value: { values } satisfies CsvRecord, issues: [] };
  },
});
