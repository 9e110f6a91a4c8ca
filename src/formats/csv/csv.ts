import iconv from 'iconv-lite';
import { error, type Issue } from '../../engine/issues.js';

export interface CsvRow {
  /** 1-based line number in the file where the row starts. */
  line: number;
  fields: string[];
  /** The row's text exactly as in the file (without its line end). */
  text: string;
}

/**
 * Decodes bytes in the declared encoding. UTF-8 is decoded strictly: invalid bytes are an error, not U+FFFD,
 * because a Latin-1 file declared as UTF-8 would otherwise silently corrupt names. A BOM is removed.
 */
export function decodeText(bytes: Buffer, encoding: string): { text?: string; issues: Issue[] } {
  const enc = encoding.toLowerCase().replace(/_/g, '-');
  if (enc === 'utf-8' || enc === 'utf8') {
    try {
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
      return { text, issues: [] };
    } catch {
      const at = firstInvalidUtf8(bytes);
      return { issues: [error('CSV_ENCODING', `the file is not valid UTF-8 (first invalid byte 0x${bytes[at]?.toString(16).padStart(2, '0')} at offset ${at}); was it saved as Latin-1? Set parse.encoding accordingly`)] };
    }
  }
  if (!iconv.encodingExists(enc)) return { issues: [error('CSV_ENCODING', `unknown encoding "${encoding}"`)] };
  const text = iconv.decode(bytes, enc);
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, issues: [] };
}

function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const n = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
    if (n === 0) return i;
    for (let k = 1; k < n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    i += n;
  }
  return 0;
}

/**
 * RFC 4180 reader with a configurable delimiter: quoted fields may hold delimiters, quotes ("") and line breaks;
 * LF and CRLF line ends; blank lines skipped. An unterminated quote is an error issue at the row's line.
 */
export function readCsv(text: string, delimiter: string): { rows: CsvRow[]; issues: Issue[] } {
  const rows: CsvRow[] = [];
  const issues: Issue[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = i;
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let inQuotes = false;
    let ended = false;
    while (i < n && !ended) {
      const c = text[i]!;
      if (inQuotes) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            inQuotes = false;
            i++;
          }
        } else {
          if (c === '\n') line++;
          field += c;
          i++;
        }
      } else if (c === '"' && field === '') {
        inQuotes = true;
        i++;
      } else if (c === delimiter) {
        fields.push(field);
        field = '';
        i++;
      } else if (c === '\n' || c === '\r') {
        ended = true;
      } else {
        field += c;
        i++;
      }
    }
    const end = i;
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    if (inQuotes) {
      issues.push(error('CSV_QUOTE', 'a quoted field is never closed', `line ${startLine}`));
      break;
    }
    fields.push(field);
    const rowText = text.slice(start, end);
    if (rowText.trim() === '') continue;
    rows.push({ line: startLine, fields, text: rowText });
  }
  return { rows, issues };
}

/** Quotes a field when it holds the delimiter, a quote or a line break. */
export function csvField(value: string, delimiter: string): string {
  return value.includes(delimiter) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function encodeText(text: string, encoding: string): Buffer {
  return iconv.encode(text, encoding.toLowerCase() === 'utf8' ? 'utf-8' : encoding);
}
