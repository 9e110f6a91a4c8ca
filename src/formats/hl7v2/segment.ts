/**
 * One segment. It keeps its raw text and splits it into fields only when a field is first read; a field is cut
 * into repetitions / components / subcomponents only for the piece asked for, and unescaped only on `get`.
 * An unmodified segment serialises to exactly its original text.
 */
import { IssuesError } from '../../engine/issues.js';
import type { Encoding } from './charset.js';
import type { Delimiters } from './delimiters.js';
import { unescapeValue, escapeValue } from './escape.js';
import { parseFieldPath, type FieldPath } from './path.js';
import { piece, pieces, replacePiece } from './pieces.js';

/** What every segment of a message shares. */
export interface CodecContext {
  readonly delimiters: Delimiters;
  /** Character set of the message, for `\X..\` sequences. */
  readonly encoding: Encoding;
}

/** Segments whose field 1 is the field separator and field 2 the encoding characters. */
const HEADER_SEGMENTS = new Set(['MSH', 'FHS', 'BHS']);

const fieldPathCache = new Map<string, FieldPath>();

/** Parses (and caches) a segment-relative path; throws {@link IssuesError} (`HL7_BAD_PATH`) when invalid. */
export function toFieldPath(path: string | number | FieldPath): FieldPath {
  if (typeof path === 'number') return { field: path };
  if (typeof path !== 'string') return path;
  let fp = fieldPathCache.get(path);
  if (!fp) {
    const r = parseFieldPath(path);
    if (!r.path) throw new IssuesError(r.issues);
    if (fieldPathCache.size > 1000) fieldPathCache.clear();
    fieldPathCache.set(path, (fp = r.path));
  }
  return fp;
}

export class Hl7Segment {
  /** Segment ID, e.g. `PID`. */
  readonly name: string;
  #text: string | undefined;
  #fields: string[] | undefined;
  #modified = false;
  readonly #ctx: CodecContext;
  readonly #header: boolean;
  /** @internal CR, LF or CRLF after the segment, plus any blank lines that followed it in the input. */
  terminator: string;

  /** @internal Segments are created by `parseHl7` and `Hl7Message.appendSegment`. */
  constructor(name: string, text: string | undefined, fields: string[] | undefined, ctx: CodecContext, terminator: string) {
    this.name = name;
    this.#text = text;
    this.#fields = fields;
    this.#ctx = ctx;
    this.#header = HEADER_SEGMENTS.has(name);
    this.terminator = terminator;
  }

  /** Whether a value of this segment was set since parsing. */
  get modified(): boolean {
    return this.#modified;
  }

  #split(): string[] {
    return (this.#fields ??= this.#text!.split(this.#ctx.delimiters.field));
  }

  /** Number of fields present (for MSH, counting MSH-1). */
  get fieldCount(): number {
    const n = this.#split().length - 1;
    return this.#header ? n + 1 : n;
  }

  /** Raw (still escaped) text of field n, all repetitions included; `''` when absent. MSH-1 is the field separator. */
  getField(n: number): string {
    if (this.#header) {
      if (n === 1) return this.#ctx.delimiters.field;
      return this.#split()[n - 1] ?? '';
    }
    return this.#split()[n] ?? '';
  }

  /** Replaces the raw text of field n (already encoded), adding empty fields as needed. */
  setField(n: number, raw: string): void {
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`field index ${n} must be ≥ 1`);
    if (this.#header && n <= 2) throw new Error(`${this.name}-${n} holds the delimiters and cannot be set on a parsed message`);
    const fields = this.#split();
    const i = this.#header ? n - 1 : n;
    while (fields.length <= i) fields.push('');
    fields[i] = raw;
    this.#text = undefined;
    this.#modified = true;
  }

  /** Raw text of the element addressed by `path` (`5`, `5[2]`, `3.4.2`): the element itself, delimiters kept. */
  getRaw(path: string | number | FieldPath): string {
    return this.#element(toFieldPath(path), false);
  }

  /**
   * Decoded text at `path`. A path that stops above a leaf reads the first leaf below it (`5` = `5[1].1.1`), a
   * missing element reads as `''`, and MSH-1 / MSH-2 are returned verbatim.
   */
  get(path: string | number | FieldPath): string {
    const fp = toFieldPath(path);
    const raw = this.#element(fp, true);
    if (this.#header && fp.field <= 2) return raw;
    return unescapeValue(raw, this.#ctx.delimiters, this.#ctx.encoding);
  }

  /** Decoded first leaf of each repetition of the field at `path` (its repetition index, if any, is ignored). */
  getAll(path: string | number | FieldPath): string[] {
    const fp = toFieldPath(path);
    if (this.#header && fp.field <= 2) return [this.get(fp)];
    const d = this.#ctx.delimiters;
    return pieces(this.getField(fp.field), d.repetition).map((rep) => {
      const leaf = piece(piece(rep, d.component, fp.component ?? 1), d.subcomponent, fp.subcomponent ?? 1);
      return unescapeValue(leaf, d, this.#ctx.encoding);
    });
  }

  /** Number of repetitions of field n (0 when empty). */
  repetitionCount(n: number): number {
    if (this.#header && n <= 2) return 1;
    return pieces(this.getField(n), this.#ctx.delimiters.repetition).length;
  }

  /**
   * Encodes `value` (escaping delimiters) into the leaf addressed by `path`, keeping its siblings:
   * `set('5', 'X')` on `A^B` gives `X^B`. The symmetric of {@link get}.
   */
  set(path: string | number | FieldPath, value: string): void {
    const fp = toFieldPath(path);
    const encoded = escapeValue(value, this.#ctx.delimiters);
    this.#replace(fp, [fp.repetition ?? 1, fp.component ?? 1, fp.subcomponent ?? 1], encoded);
  }

  /** Replaces the element addressed by `path` with already-encoded text (delimiters in it are structure). */
  setRaw(path: string | number | FieldPath, raw: string): void {
    const fp = toFieldPath(path);
    this.#replace(fp, this.#levels(fp), raw);
  }

  /** Text of the segment without terminator, e.g. `PID|1||...`. */
  toString(): string {
    return (this.#text ??= this.#fields!.join(this.#ctx.delimiters.field));
  }

  /** The indexes of the sub-elements a path addresses explicitly (repetition implied by a component, etc.). */
  #levels(fp: FieldPath): number[] {
    if (fp.subcomponent !== undefined) return [fp.repetition ?? 1, fp.component ?? 1, fp.subcomponent];
    if (fp.component !== undefined) return [fp.repetition ?? 1, fp.component];
    if (fp.repetition !== undefined) return [fp.repetition];
    return [];
  }

  #element(fp: FieldPath, leaf: boolean): string {
    const field = this.getField(fp.field);
    if (this.#header && fp.field <= 2) {
      const deeper = [fp.repetition, fp.component, fp.subcomponent].some((i) => i !== undefined && i !== 1);
      return deeper ? '' : field;
    }
    const d = this.#ctx.delimiters;
    if (leaf) return piece(piece(piece(field, d.repetition, fp.repetition ?? 1), d.component, fp.component ?? 1), d.subcomponent, fp.subcomponent ?? 1);
    const levels = this.#levels(fp);
    const seps = [d.repetition, d.component, d.subcomponent];
    let v = field;
    for (const [i, n] of levels.entries()) v = piece(v, seps[i]!, n);
    return v;
  }

  #replace(fp: FieldPath, levels: number[], value: string): void {
    const d = this.#ctx.delimiters;
    const seps = [d.repetition, d.component, d.subcomponent];
    const put = (text: string, depth: number): string =>
      depth === levels.length ? value : replacePiece(text, seps[depth]!, levels[depth]!, put(piece(text, seps[depth]!, levels[depth]!), depth + 1));
    this.setField(fp.field, put(this.getField(fp.field), 0));
  }
}
