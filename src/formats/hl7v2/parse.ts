/**
 * `parseHl7`: bytes or text → message + issues. Finds segments by `indexOf` scanning; splits only MSH.
 */
import { error, warning, type Issue } from '../../engine/issues.js';
import { decodeMessageBytes, resolveCharset, type DefaultCharset, type Encoding } from './charset.js';
import { readEncodingCharacters, type Delimiters } from './delimiters.js';
import { Hl7Message } from './message.js';
import { piece } from './pieces.js';
import { scanSegments } from './scan.js';
import type { CodecContext } from './segment.js';

/** Default maximum size of one message: 32 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

export interface ParseOptions {
  /** Character set when MSH-18 is empty: `auto` (default: UTF-8 if the bytes are valid UTF-8, else ISO-8859-1) or a label. */
  defaultCharset?: DefaultCharset;
  /** Read the bytes in this character set whatever MSH-18 says. */
  charset?: string;
  /** Refuse (error `HL7_TOO_LARGE`) a message above this size: bytes for a Buffer, UTF-16 units for a string. */
  maxBytes?: number;
}

export interface ParseResult {
  /**
   * The message, absent when the input cannot be read as one (no MSH, bad delimiters, malformed segment, too
   * large). It can be present together with an error issue (unknown character set): check the issues.
   */
  message?: Hl7Message;
  issues: Issue[];
}

const CR = 13;
const LF = 10;
const SP = 32;
const TAB = 9;
const BOM = 0xfeff;

/**
 * Parses one HL7v2 message. Bytes are decoded by MSH-18 (found by scanning the header bytes; see
 * `decodeMessageBytes` for the policy); a string is taken as already decoded (its MSH-18 still drives `\X..\`
 * sequences and serialisation). Broken-but-readable input (LF/CRLF segment ends, blank lines, missing final CR,
 * trailing empty fields, small tilde in MSH-2) gives warnings and still round-trips byte for byte.
 */
export function parseHl7(input: string | Uint8Array, opts: ParseOptions = {}): ParseResult {
  const max = opts.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > max) {
    const unit = typeof input === 'string' ? 'characters' : 'bytes';
    return { issues: [error('HL7_TOO_LARGE', `message is ${size} ${unit}, above the limit of ${max}`)] };
  }
  if (typeof input === 'string') return parseText(input, { issues: [], bom: false, opts });
  const decoded = decodeMessageBytes(input, opts);
  return parseText(decoded.text, { issues: decoded.issues, bom: decoded.bom, encoding: decoded.encoding, sourceBytes: input, opts });
}

interface TextSource {
  issues: Issue[];
  bom: boolean;
  encoding?: Encoding;
  sourceBytes?: Uint8Array;
  opts: ParseOptions;
}

/**
 * The character set of a message given as text: MSH-18 (first component of the first repetition) drives `\X..\`
 * decoding and serialisation; empty MSH-18 gives `defaultCharset` (`auto` → UTF-8 for text).
 */
function textEncoding(text: string, mshStart: number, d: Delimiters, opts: ParseOptions, issues: Issue[]): Encoding {
  let end = text.indexOf('\r', mshStart);
  const lf = text.indexOf('\n', mshStart);
  if (end === -1 || (lf !== -1 && lf < end)) end = lf === -1 ? text.length : lf;
  const msh18 = text.slice(mshStart, end).split(d.field)[17] ?? '';
  const label = opts.charset ?? piece(piece(msh18, d.repetition, 1), d.component, 1);
  const encoding = resolveCharset(label);
  if (encoding === null) {
    issues.push(error('HL7_CHARSET_UNKNOWN', `character set ${JSON.stringify(label)} is unknown or not supported`, 'MSH-18'));
    return 'iso-8859-1';
  }
  if (encoding !== undefined) return encoding;
  const fallback = opts.defaultCharset ?? 'auto';
  return fallback === 'auto' ? 'utf8' : resolveCharset(fallback) ?? 'utf8';
}

function parseText(text: string, src: TextSource): ParseResult {
  const issues = src.issues;
  const n = text.length;
  let pos = 0;
  while (pos < n) {
    const c = text.charCodeAt(pos);
    if (c !== CR && c !== LF && c !== SP && c !== TAB && c !== BOM) break;
    pos++;
  }
  if (pos === n) return { issues: [...issues, error('HL7_EMPTY', 'no segment: the input is empty or blank')] };
  if (pos > 0 && !(pos === 1 && text.charCodeAt(0) === BOM)) {
    issues.push(warning('HL7_LEADING_WHITESPACE', `${pos} blank character(s) before MSH`));
  }
  if (!text.startsWith('MSH', pos)) {
    const start = text.slice(pos, pos + 3);
    const hint = start === 'FHS' || start === 'BHS' ? ' (a batch file: read it with parseBatch)' : '';
    return { issues: [...issues, error('HL7_NO_MSH', `a message must start with an MSH segment; it starts with ${JSON.stringify(start)}${hint}`)] };
  }
  const fs = text[pos + 3];
  if (fs === undefined || fs === '\r' || fs === '\n') {
    return { issues: [...issues, error('HL7_MSH_TOO_SHORT', 'MSH ends before its field separator (MSH-1)', 'MSH-1')] };
  }
  const fsCode = fs.charCodeAt(0);

  // MSH-2: up to the next field separator or the end of the MSH segment
  let msh2End = pos + 4;
  while (msh2End < n) {
    const c = text.charCodeAt(msh2End);
    if (c === fsCode || c === CR || c === LF) break;
    msh2End++;
  }
  const enc = readEncodingCharacters(fs, text.slice(pos + 4, msh2End), text.slice(msh2End));
  issues.push(...enc.issues);
  if (!enc.delimiters) return { issues };

  const encoding = src.encoding ?? textEncoding(text, pos, enc.delimiters, src.opts, issues);
  const ctx: CodecContext = { delimiters: enc.delimiters, encoding };

  const scan = scanSegments(text, pos, ctx);
  const { segments } = scan;
  for (const bad of scan.bad.slice(0, 3)) {
    issues.push(error('HL7_BAD_SEGMENT', `segment ${bad.index} does not start with a segment ID followed by ${JSON.stringify(fs)} (starts with ${JSON.stringify(bad.start)})`, `segment #${bad.index}`));
  }
  if (scan.bad.length > 3) issues.push(error('HL7_BAD_SEGMENT', `${scan.bad.length} malformed segments in total`));
  if (scan.bad.length > 0) return { issues };
  const mshCount = segments.reduce((count, seg) => (seg.name === 'MSH' ? count + 1 : count), 0);
  if (mshCount > 1) issues.push(warning('HL7_MULTIPLE_MSH', `${mshCount} MSH segments: several messages were read as one (use parseBatch)`));

  const { cr, lf, crlf, blank, trailingEmpty } = scan;
  if (lf + crlf > 0) {
    const kinds = [lf && `LF (${lf})`, crlf && `CRLF (${crlf})`, cr && `CR (${cr})`].filter(Boolean).join(', ');
    issues.push(warning('HL7_SEGMENT_TERMINATOR', `segments must end with CR; found ${kinds}`));
  }
  if (blank > 0) issues.push(warning('HL7_BLANK_LINES', `${blank} blank line(s) between or after segments`));
  if (segments[segments.length - 1]!.terminator === '') issues.push(warning('HL7_NO_FINAL_TERMINATOR', 'the last segment has no terminating CR'));
  if (trailingEmpty.size > 0) {
    issues.push(warning('HL7_TRAILING_EMPTY_FIELDS', `segments end with an empty field (a trailing ${JSON.stringify(fs)}): ${[...trailingEmpty].slice(0, 8).join(', ')}`));
  }

  const message = new Hl7Message({
    ctx,
    segments,
    prefix: text.slice(0, pos),
    source: text,
    sourceBytes: src.sourceBytes,
    bom: src.bom,
  });
  return { message, issues };
}
