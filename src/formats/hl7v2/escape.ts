/**
 * Escape sequences (v2.5.1 §2.7). Decoding: `\F\ \S\ \T\ \R\ \E\` (and `\P\` when MSH-2 defines a truncation
 * character) become the delimiter; `\Xhh..\` becomes bytes read in the message character set (adjacent hex
 * sequences are joined first, so a UTF-8 character split over two of them still decodes). Formatting commands
 * (`\.br\ \.sp\ \H\ \N\ \Z..\ \C..\ \M..\` ...), malformed and unknown sequences and a lone escape character are
 * kept as written. Escape sequences are not nested: the text produced by `\E\` is never re-read.
 */
import { decodeBytes, type Encoding } from './charset.js';
import type { Delimiters } from './delimiters.js';

const HEX = /^(?:[0-9A-Fa-f]{2})+$/;

/**
 * Decodes the escape sequences of one leaf value (a field, component or subcomponent without delimiters).
 * Returns the input itself when it holds no escape character (no copy).
 * @param encoding the message character set, for `\X..\` sequences (default ISO-8859-1)
 */
export function unescapeValue(raw: string, d: Delimiters, encoding: Encoding = 'iso-8859-1'): string {
  const esc = d.escape;
  if (esc === '' || raw.indexOf(esc) === -1) return raw;
  let out = '';
  let pos = 0; // start of text not yet copied
  let hex = ''; // pending bytes of adjacent \X..\ sequences
  let i = raw.indexOf(esc);
  while (i !== -1) {
    const j = raw.indexOf(esc, i + 1);
    if (j === -1) break; // lone escape character: kept as written
    const seq = raw.slice(i + 1, j);
    let decoded: string | undefined;
    let isHex = false;
    switch (seq) {
      case 'F': decoded = d.field; break;
      case 'S': decoded = d.component; break;
      case 'T': decoded = d.subcomponent; break;
      case 'R': decoded = d.repetition; break;
      case 'E': decoded = esc; break;
      case 'P': decoded = d.truncation || undefined; break;
      default:
        isHex = seq.length > 2 && seq.charCodeAt(0) === 0x58 /* X */ && HEX.test(seq.slice(1));
    }
    if (hex !== '' && !(isHex && i === pos)) {
      out += decodeBytes(Buffer.from(hex, 'hex'), encoding);
      hex = '';
    }
    if (isHex) {
      out += raw.slice(pos, i);
      hex += seq.slice(1);
      pos = j + 1;
    } else if (decoded !== undefined) {
      out += raw.slice(pos, i) + decoded;
      pos = j + 1;
    } else {
      // formatting command, malformed or unknown sequence: copied verbatim, scanning resumes after it
      out += raw.slice(pos, j + 1);
      pos = j + 1;
    }
    i = raw.indexOf(esc, pos);
  }
  if (hex !== '') out += decodeBytes(Buffer.from(hex, 'hex'), encoding);
  return out + raw.slice(pos);
}

const escaperCache = new WeakMap<Delimiters, { test: RegExp; replace: RegExp; map: Map<string, string> }>();

function escaperFor(d: Delimiters) {
  let e = escaperCache.get(d);
  if (!e) {
    const map = new Map<string, string>();
    const esc = d.escape;
    const add = (ch: string, code: string) => {
      if (ch !== '') map.set(ch, `${esc}${code}${esc}`);
    };
    add(esc, 'E');
    add(d.field, 'F');
    add(d.component, 'S');
    add(d.subcomponent, 'T');
    add(d.repetition, 'R');
    add(d.truncation, 'P');
    map.set('\r', `${esc}X0D${esc}`);
    map.set('\n', `${esc}X0A${esc}`);
    const cls = [...map.keys()].map((c) => c.replace(/[\\\]^-]/g, '\\$&')).join('');
    e = { test: new RegExp(`[${cls}]`), replace: new RegExp(`[${cls}]`, 'g'), map };
    escaperCache.set(d, e);
  }
  return e;
}

/**
 * Encodes text as one leaf value: each delimiter becomes its escape sequence (`\F\ \S\ \T\ \R\ \E\`, `\P\` when
 * a truncation character is defined), CR and LF become `\X0D\` and `\X0A\`. A backslash in plain text is
 * always escaped, so `\H\` written by a user comes back as `\H\` text, not as a formatting command.
 * Throws when the message has no escape character and the text holds a delimiter (it cannot be represented).
 */
export function escapeValue(text: string, d: Delimiters): string {
  if (d.escape === '') {
    for (const ch of [d.field, d.component, d.repetition, d.subcomponent, d.truncation, '\r', '\n']) {
      if (ch !== '' && text.includes(ch)) throw new Error(`cannot encode ${JSON.stringify(ch)}: the message defines no escape character`);
    }
    return text;
  }
  const e = escaperFor(d);
  if (!e.test.test(text)) return text;
  return text.replace(e.replace, (ch) => e.map.get(ch)!);
}
