/**
 * `parseBatch`: a batch file (`[FHS] { [BHS] { MSH ... } [BTS] } [FTS]`, v2.5.1 §2.10.3) or a plain sequence of
 * messages → messages. Works on the raw bytes, so each message is decoded by its own MSH-18 and kept as a
 * zero-copy slice of the input.
 */
import { isUtf8 } from 'node:buffer';
import { error, warning, type Issue } from '../../engine/issues.js';
import type { Hl7Message } from './message.js';
import { parseHl7, type ParseOptions } from './parse.js';

export interface Hl7Batch {
  /** The BHS segment text, absent for messages outside any BHS. */
  header?: string;
  /** The BTS segment text, when present. */
  trailer?: string;
  messages: Hl7Message[];
}

export interface BatchResult {
  /** The FHS segment text, when present. */
  fileHeader?: string;
  /** The FTS segment text, when present. */
  fileTrailer?: string;
  batches: Hl7Batch[];
  /** Every message of every batch, in input order. */
  messages: Hl7Message[];
  /** Structure and count issues, and each message's issues with `message[k]` prefixed to their path. */
  issues: Issue[];
}

/** Uniform access to a string or a byte array, by char code. */
interface Source {
  readonly length: number;
  code(i: number): number;
  find(c: number, from: number): number;
  text(a: number, b: number): string;
  part(a: number, b: number): string | Uint8Array;
}

function sourceOf(input: string | Uint8Array): Source {
  if (typeof input === 'string') {
    return {
      length: input.length,
      code: (i) => input.charCodeAt(i),
      find: (c, from) => input.indexOf(String.fromCharCode(c), from),
      text: (a, b) => input.slice(a, b),
      part: (a, b) => input.slice(a, b),
    };
  }
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return {
    length: buf.length,
    code: (i) => buf[i] ?? -1,
    find: (c, from) => buf.indexOf(c, from),
    text: (a, b) => {
      const s = buf.subarray(a, b);
      return s.toString(isUtf8(s) ? 'utf8' : 'latin1');
    },
    part: (a, b) => buf.subarray(a, b),
  };
}

const CR = 13;
const LF = 10;

interface OpenBatch {
  header?: string;
  trailer?: string;
  slices: Array<[number, number]>;
}

/**
 * Splits a batch file into messages and parses each one. Errors (`HL7_BATCH_STRUCTURE`): a segment outside a
 * message, FHS not first, anything after FTS. Warnings: BHS/BTS pairing repaired, and `HL7_BATCH_COUNT` when
 * BTS-1 (messages in the batch) or FTS-1 (batches in the file) disagree with what was read. Blank lines and
 * blanks before a segment ID are skipped.
 */
export function parseBatch(input: string | Uint8Array, opts: ParseOptions = {}): BatchResult {
  const src = sourceOf(input);
  const n = src.length;
  const issues: Issue[] = [];
  const batches: OpenBatch[] = [];
  let fileHeader: string | undefined;
  let fileTrailer: string | undefined;
  let batch: OpenBatch | undefined; // the batch messages go to
  let explicit = false; // whether `batch` was opened by a BHS still open
  let msg: [number, number] | undefined; // current message slice
  let fs = '|';
  let seen = 0; // non-blank lines read
  const structure = (m: string) => issues.push(error('HL7_BATCH_STRUCTURE', m));
  const closeMessage = () => {
    if (msg) batch!.slices.push(msg);
    msg = undefined;
  };
  const closeBatch = () => {
    closeMessage();
    batch = undefined;
    explicit = false;
  };
  const count = (line: string, what: string, actual: number) => {
    const value = line.split(fs)[1]?.trim() ?? '';
    if (value === '') return;
    if (!/^\d+$/.test(value) || Number(value) !== actual) {
      issues.push(warning('HL7_BATCH_COUNT', `${what} says ${JSON.stringify(value)} but ${actual} were read`, `${line.slice(0, 3)}-1`));
    }
  };

  let pos = 0;
  while (pos < n) {
    let cr = src.find(CR, pos);
    let lf = src.find(LF, pos);
    if (cr === -1) cr = n;
    if (lf === -1) lf = n;
    const e = Math.min(cr, lf);
    const next = e === n ? n : src.code(e) === CR && src.code(e + 1) === LF ? e + 2 : e + 1;
    let s = pos;
    while (s < e && (src.code(s) === 32 || src.code(s) === 9)) s++;
    pos = next;
    if (s === e) continue; // blank line
    seen++;
    const id = src.text(s, Math.min(s + 3, e));
    if (fileTrailer !== undefined) {
      structure(`${JSON.stringify(id)} after FTS: the file has ended`);
      continue;
    }
    switch (id) {
      case 'FHS':
        if (seen > 1) structure('FHS must be the first segment of a file');
        else {
          fileHeader = src.text(s, e);
          fs = fileHeader[3] ?? fs;
        }
        break;
      case 'BHS': {
        if (batch && explicit) issues.push(warning('HL7_BATCH_STRUCTURE', 'BHS while a batch is open: the open batch ends here (BTS is optional)'));
        closeBatch();
        const header = src.text(s, e);
        if (!fileHeader) fs = header[3] ?? fs;
        batch = { header, slices: [] };
        batches.push(batch);
        explicit = true;
        break;
      }
      case 'BTS': {
        const trailer = src.text(s, e);
        if (!batch) {
          issues.push(warning('HL7_BATCH_STRUCTURE', 'BTS without an open batch'));
          batch = { slices: [] };
          batches.push(batch);
        }
        closeMessage();
        batch.trailer = trailer;
        count(trailer, 'BTS-1 (batch message count)', batch.slices.length);
        closeBatch();
        break;
      }
      case 'FTS':
        closeBatch();
        fileTrailer = src.text(s, e);
        count(fileTrailer, 'FTS-1 (file batch count)', batches.length);
        break;
      case 'MSH':
        closeMessage();
        if (!batch) {
          batch = { slices: [] };
          batches.push(batch);
        }
        if (!fileHeader && !explicit && batches.length === 1 && batch.slices.length === 0) fs = src.text(s + 3, s + 4) || fs;
        msg = [s, next];
        break;
      default:
        if (msg) msg[1] = next;
        else structure(`segment ${JSON.stringify(id)} outside a message (no MSH before it)`);
    }
  }
  closeBatch();
  if (seen === 0) issues.push(error('HL7_EMPTY', 'no segment: the input is empty or blank'));
  if (fileHeader !== undefined && fileTrailer === undefined) issues.push(warning('HL7_BATCH_STRUCTURE', 'FHS without FTS'));

  const all: Hl7Message[] = [];
  let k = 0;
  const result: Hl7Batch[] = batches.map((b) => {
    const messages: Hl7Message[] = [];
    for (const [a, z] of b.slices) {
      k++;
      const r = parseHl7(src.part(a, z), opts);
      for (const i of r.issues) issues.push({ ...i, path: `message[${k}]${i.path ? ` ${i.path}` : ''}` });
      if (r.message) messages.push(r.message);
      else issues.push(error('HL7_BATCH_MESSAGE', `message ${k} could not be read`, `message[${k}]`));
    }
    all.push(...messages);
    return { header: b.header, trailer: b.trailer, messages };
  });
  return { fileHeader, fileTrailer, batches: result, messages: all, issues };
}
