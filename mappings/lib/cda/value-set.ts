/**
 * Value sets (jeux de valeurs, JDV) of the CI-SIS that a mapping checks its codes against before writing them. The
 * volets embed the small JDVs they use (copied from the ANS package, checked against it by tests); large ones
 * (CIM-10 topographies, ICD-O-3 morphologies) are left to the schematron validator step.
 */
import { error, type Issue } from '../../../src/engine/issues.js';
import type { Coded } from './datatypes.js';

export interface ValueSet {
  /** JDV name, e.g. JDV_StatutDoc_CISIS. */
  name: string;
  oid: string;
  /** [code, codeSystem OID, displayName] */
  concepts: readonly (readonly [string, string, string])[];
}

/** The concept of the value set with this code and system, with the JDV's display name. */
export function conceptOf(vs: ValueSet, code: string | undefined, codeSystem: string | undefined): Coded | undefined {
  const c = vs.concepts.find(([k, s]) => k === code && s === codeSystem);
  return c ? { code: c[0], codeSystem: c[1], displayName: c[2] } : undefined;
}

/**
 * Checks that a coded value belongs to a value set: returns it with the JDV display name when the input has none,
 * else pushes `CDA_CODE` (naming the value set and the allowed codes when there are few) and returns undefined.
 */
export function inValueSet(vs: ValueSet, coded: Coded | undefined, path: string, issues: Issue[]): Coded | undefined {
  if (!coded) return undefined;
  const found = conceptOf(vs, coded.code, coded.codeSystem);
  if (found) return { ...coded, displayName: coded.displayName ?? found.displayName };
  const allowed = vs.concepts.length <= 20 ? ` (allowed: ${vs.concepts.map(([c, , d]) => `${c} ${d}`).join(', ')})` : '';
  issues.push(error('CDA_CODE', `code ${coded.code} (system ${coded.codeSystem}) is not in ${vs.name}${allowed}`, path));
  return undefined;
}
