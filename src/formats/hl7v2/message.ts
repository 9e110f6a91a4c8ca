/**
 * A parsed HL7v2 message: segments over the original text. Reading never copies the message; setting a value
 * re-encodes only the field it touches; an untouched message serialises to exactly the text it came from.
 */
import { IssuesError } from '../../engine/issues.js';
import type { Encoding } from './charset.js';
import type { Delimiters } from './delimiters.js';
import { parsePath, type Hl7Path } from './path.js';
import { Hl7Segment, type CodecContext } from './segment.js';

const pathCache = new Map<string, Hl7Path>();

/** Parses (and caches) a full path; throws {@link IssuesError} with an `HL7_BAD_PATH` issue when invalid. */
export function toPath(path: string | Hl7Path): Hl7Path {
  if (typeof path !== 'string') return path;
  let p = pathCache.get(path);
  if (!p) {
    const r = parsePath(path);
    if (!r.path) throw new IssuesError(r.issues);
    if (pathCache.size > 1000) pathCache.clear();
    pathCache.set(path, (p = r.path));
  }
  return p;
}

/** @internal What `parseHl7` hands to the constructor. */
export interface MessageInit {
  readonly ctx: CodecContext;
  readonly segments: Hl7Segment[];
  /** Blank lines / whitespace (or a BOM character) before `MSH`. */
  readonly prefix: string;
  /** The whole input text (prefix included), returned as is while nothing is modified. */
  readonly source: string;
  /** The input bytes (BOM included), when parsed from bytes. */
  readonly sourceBytes?: Uint8Array;
  readonly bom: boolean;
}

/** The stable JSON form of a message (what `JSON.stringify` writes, e.g. the stored parsed snapshot). */
export interface Hl7MessageJson {
  /** Character set the message was decoded with (iconv name, e.g. `utf8`, `iso-8859-1`). */
  encoding: string;
  /**
   * Every segment with its fields as raw (still escaped) text, HL7 numbering: `fields[0]` is field 1 (for MSH the
   * field separator, `fields[1]` the encoding characters).
   */
  segments: { name: string; fields: string[] }[];
}

export interface ToStringOptions {
  /** End every segment with CR, drop blank lines and leading whitespace. Default false (byte-faithful). */
  normalize?: boolean;
}

export class Hl7Message {
  /** MSH-1 and MSH-2 of this message. */
  readonly delimiters: Delimiters;
  /** Character set the message was decoded with (an iconv-lite name such as `utf8`, `iso-8859-1`). */
  readonly encoding: Encoding;
  /** Whether the input bytes started with a UTF-8 byte-order mark (written back unless normalising). */
  readonly bom: boolean;
  /** MSH-18 (first repetition) as it was when parsed. */
  readonly charsetLabel: string;
  readonly #ctx: CodecContext;
  readonly #segments: Hl7Segment[];
  readonly #prefix: string;
  readonly #source: string;
  readonly #sourceBytes: Uint8Array | undefined;
  #structureChanged = false;
  #byName: Map<string, Hl7Segment[]> | undefined;

  /** @internal Use `parseHl7`. */
  constructor(init: MessageInit) {
    this.#ctx = init.ctx;
    this.delimiters = init.ctx.delimiters;
    this.encoding = init.ctx.encoding;
    this.#segments = init.segments;
    this.#prefix = init.prefix;
    this.#source = init.source;
    this.#sourceBytes = init.sourceBytes;
    this.bom = init.bom;
    this.charsetLabel = init.segments[0]!.get(18);
  }

  /** All segments in order. */
  get segments(): readonly Hl7Segment[] {
    return this.#segments;
  }

  /** The MSH segment. */
  get msh(): Hl7Segment {
    return this.#segments[0]!;
  }

  /** Whether anything was set or appended since parsing. */
  get modified(): boolean {
    return this.#structureChanged || this.#segments.some((s) => s.modified);
  }

  /** @internal The input bytes while the message is unmodified (for a zero-copy serialisation). */
  get untouchedBytes(): Uint8Array | undefined {
    return this.#sourceBytes !== undefined && !this.modified ? this.#sourceBytes : undefined;
  }

  /** Segments with this ID, in order. */
  segmentsNamed(name: string): readonly Hl7Segment[] {
    if (!this.#byName) {
      const map = new Map<string, Hl7Segment[]>();
      for (const s of this.#segments) {
        const list = map.get(s.name);
        if (list) list.push(s);
        else map.set(s.name, [s]);
      }
      this.#byName = map;
    }
    return this.#byName.get(name) ?? [];
  }

  /** The n-th (1-based) segment with this ID, or undefined. */
  segment(name: string, n = 1): Hl7Segment | undefined {
    if (n === 1 && this.#byName === undefined) {
      for (const s of this.#segments) if (s.name === name) return s;
      return undefined;
    }
    return this.segmentsNamed(name)[n - 1];
  }

  /**
   * Decoded text at `path` (`PID-5.1`, `PID-3[2].4.2`, `OBX[3]-5`). A path that stops above a leaf reads the
   * first leaf below it (`PID-5` = `PID-5[1].1.1`); anything missing reads as `''`; MSH-1 and MSH-2 are
   * verbatim. Throws `IssuesError` (`HL7_BAD_PATH`) only for a malformed path.
   */
  get(path: string | Hl7Path): string {
    const p = toPath(path);
    return this.segment(p.segment, p.segmentIndex)?.get(p) ?? '';
  }

  /** Raw (escaped) text of exactly the element at `path`: `PID-3` is the whole field with its repetitions. */
  getRaw(path: string | Hl7Path): string {
    const p = toPath(path);
    return this.segment(p.segment, p.segmentIndex)?.getRaw(p) ?? '';
  }

  /** Decoded first leaf of every repetition of the field at `path`, e.g. `getAll('PID-3.1')` → all IDs. */
  getAll(path: string | Hl7Path): string[] {
    const p = toPath(path);
    return this.segment(p.segment, p.segmentIndex)?.getAll(p) ?? [];
  }

  /**
   * Encodes `value` into the leaf at `path`, keeping sibling components; missing segments are appended.
   * Only the touched field is re-encoded.
   */
  set(path: string | Hl7Path, value: string): void {
    const p = toPath(path);
    this.#ensureSegment(p).set(p, value);
  }

  /** Replaces exactly the element at `path` with already-encoded text. */
  setRaw(path: string | Hl7Path, raw: string): void {
    const p = toPath(path);
    this.#ensureSegment(p).setRaw(p, raw);
  }

  /** Appends a segment (raw, already-encoded field values) and returns it. */
  appendSegment(name: string, rawFields: readonly string[] = []): Hl7Segment {
    if (!/^[A-Z][A-Z0-9]{2}$/.test(name) || name === 'MSH') throw new Error(`cannot append a segment named ${JSON.stringify(name)}`);
    const last = this.#segments[this.#segments.length - 1]!;
    const eol = this.#lineEnd();
    if (last.terminator === '') last.terminator = eol;
    const seg = new Hl7Segment(name, undefined, [name, ...rawFields], this.#ctx, eol);
    this.#segments.push(seg);
    this.#byName = undefined;
    this.#structureChanged = true;
    return seg;
  }

  /** The message text: the original text while unmodified, else the segments joined with their own terminators. */
  toString(opts: ToStringOptions = {}): string {
    if (opts.normalize) {
      let out = '';
      for (const s of this.#segments) out += s.toString() + '\r';
      return out;
    }
    if (!this.modified) return this.#source;
    let out = this.#prefix;
    for (const s of this.#segments) out += s.toString() + s.terminator;
    return out;
  }

  /** Stable JSON form: `{encoding, segments: [{name, fields}]}` with raw field text (see {@link Hl7MessageJson}). */
  toJSON(): Hl7MessageJson {
    return {
      encoding: this.encoding,
      segments: this.#segments.map((s) => ({ name: s.name, fields: Array.from({ length: s.fieldCount }, (_, i) => s.getField(i + 1)) })),
    };
  }

  /** Line end used for appended segments: the one MSH ends with (CR when none). */
  #lineEnd(): string {
    const t = this.#segments[0]!.terminator;
    return t.startsWith('\r\n') ? '\r\n' : t.startsWith('\n') ? '\n' : '\r';
  }

  #ensureSegment(p: Hl7Path): Hl7Segment {
    let seg = this.segment(p.segment, p.segmentIndex);
    while (!seg) {
      this.appendSegment(p.segment);
      seg = this.segment(p.segment, p.segmentIndex);
    }
    return seg;
  }
}
