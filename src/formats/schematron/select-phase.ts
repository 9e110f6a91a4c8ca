/**
 * Phase selection (ISO Schematron §5.4.9): which patterns run, and which phase-level lets are in scope.
 */
import type { ConcretePattern } from './instantiate.js';
import type { SchLet, SchSchema } from './schematron-model.js';

export const ALL_PHASE = '#ALL';
export const DEFAULT_PHASE = '#DEFAULT';

export interface PhaseSelection {
  /** The phase actually used: a phase id or `#ALL`. */
  phase: string;
  /** Active patterns, in schema order. */
  active: ConcretePattern[];
  /** The other concrete patterns (their lets stay visible as global variables). */
  inactive: ConcretePattern[];
  lets: SchLet[];
  /** Pattern ids named by `sch:active` that no pattern carries (ignored, as in the ISO skeleton). */
  unknownPatternIds: string[];
}

/** Thrown when the requested phase (or the schema's `defaultPhase`) does not exist. */
export class UnknownPhaseError extends Error {
  constructor(file: string, phase: string, known: string[]) {
    super(`${file}: no phase '${phase}' (phases: ${known.length > 0 ? known.join(', ') : 'none'})`);
    this.name = 'UnknownPhaseError';
  }
}

/**
 * Selects the patterns to run.
 * @param requested a phase id, `#ALL`, or `#DEFAULT`/undefined for the schema's `defaultPhase` (else `#ALL`).
 */
export function selectPhase(schema: SchSchema, patterns: ConcretePattern[], requested?: string): PhaseSelection {
  const phaseId = requested === undefined || requested === DEFAULT_PHASE ? (schema.defaultPhase ?? ALL_PHASE) : requested;
  if (phaseId === ALL_PHASE) return { phase: ALL_PHASE, active: patterns, inactive: [], lets: [], unknownPatternIds: [] };
  const phase = schema.phases.find((p) => p.id === phaseId);
  if (!phase) throw new UnknownPhaseError(schema.file, phaseId, schema.phases.map((p) => p.id));
  const wanted = new Set(phase.active);
  const known = new Set(patterns.map((p) => p.id).filter((id): id is string => id !== undefined));
  return {
    phase: phase.id,
    active: patterns.filter((p) => p.id !== undefined && wanted.has(p.id)),
    inactive: patterns.filter((p) => p.id === undefined || !wanted.has(p.id)),
    lets: phase.lets,
    unknownPatternIds: phase.active.filter((id) => !known.has(id)),
  };
}
