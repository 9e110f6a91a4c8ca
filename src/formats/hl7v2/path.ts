/**
 * HL7v2 paths, 1-based: `PID-5.1`, `PID-3[2].4.2` (2nd repetition of PID-3, component 4, subcomponent 2),
 * `OBX[3]-5` (3rd OBX segment, field 5), `MSH-9.2`. A path relative to a segment omits the segment: `3[2].4.2`.
 */
import { error, type Issue } from '../../engine/issues.js';

/** Where a value sits inside one segment. Omitted parts mean "the whole element" (see Hl7Message.get). */
export interface FieldPath {
  readonly field: number;
  readonly repetition?: number;
  readonly component?: number;
  readonly subcomponent?: number;
}

export interface Hl7Path extends FieldPath {
  /** Segment ID, e.g. `PID`, `ZBE`. */
  readonly segment: string;
  /** 1-based occurrence of that segment in the message (`OBX[3]`); 1 when not written. */
  readonly segmentIndex: number;
}

const SEGMENT_RE = /^([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?-(.*)$/;
const FIELD_RE = /^(\d+)(?:\[(\d+)\])?(?:\.(\d+)(?:\.(\d+))?)?$/;

const badPath = (path: string, why: string): Issue =>
  error('HL7_BAD_PATH', `${JSON.stringify(path)} is not an HL7 path (${why}); expected SEG[n]-field[r].component.subcomponent, e.g. PID-3[2].4.2`, path);

function toIndex(s: string | undefined): number | undefined | null {
  if (s === undefined) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) && n >= 1 ? n : null;
}

/** Parses a segment-relative path such as `5`, `3[2].4.2`. */
export function parseFieldPath(path: string): { path?: FieldPath; issues: Issue[] } {
  const m = FIELD_RE.exec(path);
  if (!m) return { issues: [badPath(path, 'malformed field part')] };
  const [field, repetition, component, subcomponent] = [m[1], m[2], m[3], m[4]].map(toIndex);
  if (field === null || repetition === null || component === null || subcomponent === null || field === undefined) {
    return { issues: [badPath(path, 'indexes start at 1')] };
  }
  return { path: { field, repetition, component, subcomponent }, issues: [] };
}

/** Parses a full path such as `PID-3[2].4.2` or `OBX[3]-5`. Errors are `HL7_BAD_PATH` issues. */
export function parsePath(path: string): { path?: Hl7Path; issues: Issue[] } {
  const m = SEGMENT_RE.exec(path);
  if (!m) return { issues: [badPath(path, 'segment ID must be 3 characters, upper-case letter first, followed by "-"')] };
  const segmentIndex = toIndex(m[2]);
  if (segmentIndex === null) return { issues: [badPath(path, 'indexes start at 1')] };
  const fp = parseFieldPath(m[3]!);
  if (!fp.path) return { issues: fp.issues.map((i) => ({ ...i, path })) };
  return { path: { segment: m[1]!, segmentIndex: segmentIndex ?? 1, ...fp.path }, issues: [] };
}

/** Writes a path back in canonical form (`OBX[2]-5[1].3`); the inverse of {@link parsePath}. */
export function formatPath(p: Hl7Path | (FieldPath & { segment?: undefined; segmentIndex?: undefined })): string {
  let s = p.segment === undefined ? '' : `${p.segment}${p.segmentIndex !== undefined && p.segmentIndex !== 1 ? `[${p.segmentIndex}]` : ''}-`;
  s += String(p.field);
  if (p.repetition !== undefined) s += `[${p.repetition}]`;
  if (p.component !== undefined) s += `.${p.component}`;
  if (p.subcomponent !== undefined) s += `.${p.subcomponent}`;
  return s;
}
