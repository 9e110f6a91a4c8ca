/**
 * Segment scanning: finds segment boundaries with `indexOf` (CR, LF or CRLF), attaches blank lines to the
 * preceding segment's terminator, reads segment IDs. No field is split here.
 */
import { Hl7Segment, type CodecContext } from './segment.js';

const CR = 13;
const LF = 10;
const SP = 32;
const TAB = 9;

const isAlnum = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || (c >= 97 && c <= 122);

export interface SegmentScan {
  segments: Hl7Segment[];
  /** Segments ended by CR, LF, CRLF. */
  cr: number;
  lf: number;
  crlf: number;
  /** Blank lines (only spaces/tabs) after segments. */
  blank: number;
  /** Segments that do not start with an ID (1–3 letters/digits) followed by the field separator. */
  bad: Array<{ index: number; start: string }>;
  /** IDs of segments whose last field is empty (text ends with the field separator). */
  trailingEmpty: Set<string>;
}

/** Scans `text` from `start` (the `M` of MSH) to its end into segments sharing `ctx`. */
export function scanSegments(text: string, start: number, ctx: CodecContext): SegmentScan {
  const n = text.length;
  const fsCode = ctx.delimiters.field.charCodeAt(0);
  const out: SegmentScan = { segments: [], cr: 0, lf: 0, crlf: 0, blank: 0, bad: [], trailingEmpty: new Set() };
  const segments = out.segments;
  let nextCR = -1;
  let nextLF = text.indexOf('\n', start) === -1 ? n : -1;
  let pos = start;
  while (pos < n) {
    const s = pos;
    if (nextCR < s) {
      nextCR = text.indexOf('\r', s);
      if (nextCR === -1) nextCR = n;
    }
    if (nextLF < s) {
      nextLF = text.indexOf('\n', s);
      if (nextLF === -1) nextLF = n;
    }
    const e = nextCR < nextLF ? nextCR : nextLF;
    let t = e;
    let terminator: string;
    if (e === n) terminator = '';
    else if (text.charCodeAt(e) === CR) {
      if (text.charCodeAt(e + 1) === LF) {
        t = e + 2;
        out.crlf++;
        terminator = '\r\n';
      } else {
        t = e + 1;
        out.cr++;
        terminator = '\r';
      }
    } else {
      t = e + 1;
      out.lf++;
      terminator = '\n';
    }
    // blank lines (only blanks up to a line end or the end of the input) belong to this segment's terminator
    if (t < n) {
      let c = text.charCodeAt(t);
      if (c === CR || c === LF || c === SP || c === TAB) {
        let q = t;
        for (;;) {
          while (q < n && ((c = text.charCodeAt(q)) === SP || c === TAB)) q++;
          if (q === n) {
            out.blank++;
            t = n;
            break;
          }
          if (c !== CR && c !== LF) break;
          q += c === CR && text.charCodeAt(q + 1) === LF ? 2 : 1;
          out.blank++;
          t = q;
        }
        terminator = text.slice(e, t);
      }
    }

    // Segment ID: up to 3 letters/digits, then the field separator (or the end of the segment)
    let name: string;
    if (e - s >= 3 && isAlnum(text.charCodeAt(s)) && isAlnum(text.charCodeAt(s + 1)) && isAlnum(text.charCodeAt(s + 2)) && (e - s === 3 || text.charCodeAt(s + 3) === fsCode)) {
      name = text.slice(s, s + 3);
    } else {
      let k = s;
      while (k < e && k < s + 3 && isAlnum(text.charCodeAt(k))) k++;
      if (k === s || (k < e && text.charCodeAt(k) !== fsCode)) out.bad.push({ index: segments.length + 1, start: text.slice(s, Math.min(e, s + 4)) });
      name = text.slice(s, k);
    }
    if (e > s + 3 && text.charCodeAt(e - 1) === fsCode) out.trailingEmpty.add(name);
    segments.push(new Hl7Segment(name, text.slice(s, e), undefined, ctx, terminator));
    pos = t;
  }
  return out;
}
