/**
 * Character sets (MSH-18, HL7 table 0211) and the byte ↔ text boundary. Every character set accepted here is
 * ASCII-compatible, so MSH-18 can be found by scanning the header bytes before anything is decoded.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { error, warning, type Issue } from '../../engine/issues.js';

/** An `iconv-lite` encoding name, e.g. `utf8`, `iso-8859-1`. */
export type Encoding = string;

/** `auto`: UTF-8 when the bytes are valid UTF-8, else ISO-8859-1. Or any MSH-18 label / encoding name. */
export type DefaultCharset = 'auto' | string;

const ISO_IR: Record<string, string> = {
  '6': 'ascii',
  '100': 'iso-8859-1',
  '101': 'iso-8859-2',
  '109': 'iso-8859-3',
  '110': 'iso-8859-4',
  '144': 'iso-8859-5',
  '127': 'iso-8859-6',
  '126': 'iso-8859-7',
  '138': 'iso-8859-8',
  '148': 'iso-8859-9',
  '203': 'iso-8859-15',
  '192': 'utf8',
};

const NAMED: Record<string, string> = {
  ASCII: 'ascii',
  USASCII: 'ascii',
  UNICODE: 'utf8',
  UNICODEUTF8: 'utf8',
  UTF8: 'utf8',
  LATIN1: 'iso-8859-1',
  LATIN9: 'iso-8859-15',
  GB180302000: 'gb18030',
  GB18030: 'gb18030',
  BIG5: 'big5',
  KSX1001: 'euc-kr',
  WINDOWS1252: 'windows-1252',
  CP1252: 'windows-1252',
};

/** Character sets of table 0211 that need ISO 2022 switching or are not ASCII-compatible: refused. */
const UNSUPPORTED = new Set(['UNICODEUTF16', 'UTF16', 'UNICODEUTF32', 'UTF32', 'ISOIR14', 'ISOIR87', 'ISOIR159', 'CNS116431992']);

/** Strips case, blanks, `_`, `-` and `/`: `UNICODE UTF-8` → `UNICODEUTF8`, `8859/15` → `885915`. */
const labelKey = (label: string): string => label.toUpperCase().replace(/[\s_\-/]+/g, '');

/**
 * Maps an MSH-18 value (table 0211, e.g. `UNICODE UTF-8`, `8859/1`, `ISO IR100`) or a usual alias (`UTF-8`,
 * `ISO-8859-15`, `latin1`) or an iconv encoding name to an iconv encoding. `undefined` for an empty label;
 * `null` for a label this codec cannot decode.
 */
export function resolveCharset(label: string): Encoding | null | undefined {
  const trimmed = label.trim();
  if (trimmed === '') return undefined;
  const key = labelKey(trimmed);
  if (UNSUPPORTED.has(key)) return null;
  const named = NAMED[key];
  if (named) return named;
  const iso = /^(?:ISO)?8859(\d{1,2})$/.exec(key);
  if (iso) return iconv.encodingExists(`iso-8859-${iso[1]}`) ? `iso-8859-${iso[1]}` : null;
  const ir = /^ISOIR(\d+)$/.exec(key);
  if (ir) return ISO_IR[ir[1]!] ?? null;
  return iconv.encodingExists(trimmed) ? trimmed.toLowerCase() : null;
}

/** Decodes bytes in an encoding; `ascii` is read as ISO-8859-1 so that no byte is lost. */
export function decodeBytes(bytes: Uint8Array, encoding: Encoding): string {
  if (encoding === 'ascii' || encoding === 'iso-8859-1' || encoding === 'latin1') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  if (encoding === 'utf8') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding, { stripBOM: false });
}

/** Encodes text; characters the encoding cannot represent become `?` (iconv-lite behaviour). */
export function encodeText(text: string, encoding: Encoding): Buffer {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  if (encoding === 'iso-8859-1' || encoding === 'latin1') return iconv.encode(text, 'latin1');
  return iconv.encode(text, encoding);
}

const CR = 0x0d;
const LF = 0x0a;

/**
 * Finds MSH-18 (first repetition, first component) in the raw bytes of a message without decoding it.
 * `start` is the offset of `MSH`. Returns `''` when absent.
 */
export function scanMsh18(bytes: Uint8Array, start: number): string {
  const fs = bytes[start + 3];
  const comp = bytes[start + 4];
  if (fs === undefined) return '';
  let count = 0;
  let i = start + 3;
  const n = bytes.length;
  for (; i < n; i++) {
    const b = bytes[i];
    if (b === CR || b === LF) return '';
    if (b === fs && ++count === 17) break;
  }
  if (count < 17) return '';
  let j = i + 1;
  while (j < n) {
    const b = bytes[j];
    if (b === fs || b === CR || b === LF || b === comp || b === 0x7e /* ~ */) break;
    j++;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + i + 1, j - i - 1).toString('latin1');
}

export interface DecodedMessage {
  text: string;
  /** The encoding the text was decoded with (and will be encoded back with). */
  encoding: Encoding;
  /** Whether the bytes started with a UTF-8 byte-order mark (stripped from `text`). */
  bom: boolean;
  issues: Issue[];
}

const hasHighByte = (bytes: Uint8Array): boolean => {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return true;
  return false;
};

/**
 * Decodes the bytes of one message by its MSH-18. Policy (docs/hl7v2-codec.md):
 * - `ASCII` with bytes above 0x7F: read as ISO-8859-1, warning `HL7_CHARSET_MISMATCH`.
 * - `UNICODE UTF-8` with invalid UTF-8: warning `HL7_CHARSET_MISMATCH`; read as ISO-8859-1 when no valid
 *   multi-byte sequence exists (a Latin-1 sender that labels UTF-8), else as UTF-8.
 * - empty MSH-18: `defaultCharset` (`auto`: UTF-8 when the bytes are valid UTF-8, else ISO-8859-1).
 * - unknown or unsupported MSH-18: error `HL7_CHARSET_UNKNOWN`, read as ISO-8859-1 so the message can be inspected.
 */
export function decodeMessageBytes(bytes: Uint8Array, opts: { defaultCharset?: DefaultCharset; charset?: string } = {}): DecodedMessage {
  const issues: Issue[] = [];
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  let start = 0;
  while (start < body.length && (body[start] === CR || body[start] === LF || body[start] === 0x20 || body[start] === 0x09)) start++;
  const isMsh = body[start] === 0x4d && body[start + 1] === 0x53 && body[start + 2] === 0x48;
  const label = opts.charset ?? (isMsh ? scanMsh18(body, start) : '');
  let encoding = resolveCharset(label);
  let utf8Valid: boolean | undefined;
  const validUtf8 = () => (utf8Valid ??= isUtf8(body));
  if (encoding === null) {
    issues.push(error('HL7_CHARSET_UNKNOWN', `character set ${JSON.stringify(label)} is unknown or not supported; bytes read as ISO-8859-1`, 'MSH-18'));
    encoding = 'iso-8859-1';
  } else if (encoding === undefined) {
    const fallback = opts.defaultCharset ?? 'auto';
    if (fallback === 'auto') {
      encoding = bom || validUtf8() ? 'utf8' : 'iso-8859-1';
    } else {
      const resolved = resolveCharset(fallback);
      if (!resolved) throw new Error(`defaultCharset ${JSON.stringify(fallback)} is not a supported character set`);
      encoding = resolved;
    }
  }
  if (encoding === 'ascii' && hasHighByte(body)) {
    issues.push(warning('HL7_CHARSET_MISMATCH', 'MSH-18 says ASCII but bytes above 0x7F are present; read as ISO-8859-1', 'MSH-18'));
    encoding = 'iso-8859-1';
  } else if (encoding === 'utf8' && !validUtf8()) {
    const asUtf8 = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
    const hasMultiByte = /[^\x00-\x7f\ufffd]/.test(asUtf8);
    encoding = hasMultiByte ? 'utf8' : 'iso-8859-1';
    issues.push(
      warning(
        'HL7_CHARSET_MISMATCH',
        hasMultiByte
          ? 'bytes are not valid UTF-8 although the message is UTF-8; invalid bytes read as U+FFFD'
          : 'bytes are not valid UTF-8 and hold no UTF-8 sequence; read as ISO-8859-1',
        'MSH-18',
      ),
    );
  }
  return { text: decodeBytes(body, encoding), encoding, bom, issues };
}
