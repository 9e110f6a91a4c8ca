/**
 * FHIR Observation → FR-Simple-Observation values: booleans, codes checked against a value set, and free values,
 * with the text the narrative shows.
 */
import type { Observation, ObservationComponent } from '@medplum/fhirtypes';
import { error } from '../../../../src/engine/issues.js';
import { codedOf, humanDate, type Coded } from '../datatypes.js';
import type { Effective, ObsValue } from '../entries.js';
import { hasCode } from '../fhir-find.js';
import { yesNo } from '../narrative.js';
import { oidOfSystem } from '../oids.js';
import { conceptOf, type ValueSet } from '../value-set.js';
import type { PpsContext } from './context.js';

type Observed = Pick<Observation, 'valueBoolean' | 'valueCodeableConcept' | 'valueQuantity' | 'valueString' | 'valueDateTime'> | ObservationComponent;

/** The entries of a list whose resource carries this code. */
export const withCode = <T extends { resource: { code?: Observation['code'] } }>(list: T[], c: Coded): T[] => list.filter((x) => hasCode(x.resource.code, c));

/** effectiveDateTime / effectivePeriod, else a null flavor. */
export function effectiveOf(o: Observation, nullFlavor = 'UNK'): Effective {
  if (o.effectiveDateTime) return { at: o.effectiveDateTime };
  if (o.effectivePeriod) return { period: o.effectivePeriod };
  return { nullFlavor };
}

export const observationDate = (o: Observation): string | undefined => o.effectiveDateTime ?? o.effectivePeriod?.start;

/** A yes/no answer (valueBoolean); its absence is `PPS_VALUE`. Undefined value = unknown. */
export function booleanOf(o: Observed, what: string, path: string, ctx: PpsContext): { value?: boolean; text: string } {
  if (typeof o.valueBoolean !== 'boolean') ctx.issues.push(error('PPS_VALUE', `${what} needs a yes/no answer (valueBoolean)`, `${path}.valueBoolean`));
  return { value: o.valueBoolean, text: yesNo(o.valueBoolean) };
}

/** A coded value that must be in a value set (`PPS_CODE` otherwise); the JDV display name fills a missing one. */
export function valueSetValue(o: Observed, vs: ValueSet, what: string, path: string, ctx: PpsContext): { value: ObsValue; text: string } {
  const codings = o.valueCodeableConcept?.coding ?? [];
  const hit = codings.map((c) => ({ c, concept: conceptOf(vs, c.code, oidOfSystem(c.system)) })).find((x) => x.concept);
  if (!hit?.concept) {
    const given = codings.map((c) => `${c.system ?? ''}|${c.code ?? ''}`).join(', ') || '(none)';
    ctx.issues.push(error('PPS_CODE', `${what}: ${given} is not in ${vs.name} (${vs.oid}; allowed: ${vs.concepts.map(([c, , d]) => `${c} ${d}`).join(', ')})`, `${path}.valueCodeableConcept`));
    return { value: { type: 'CD', nullFlavor: 'NI' }, text: o.valueCodeableConcept?.text ?? 'Non renseigné' };
  }
  const coded = { ...hit.concept, displayName: hit.c.display ?? hit.concept.displayName };
  return { value: { type: 'CD', coded }, text: o.valueCodeableConcept?.text ?? coded.displayName ?? coded.code };
}

/** Any value (coded in a system with an OID, boolean, text, date); a text is pointed at with `#textId`. */
export function anyValue(o: Observed, textId: string): { value: ObsValue; text: string } {
  if (typeof o.valueBoolean === 'boolean') return { value: { type: 'BL', value: o.valueBoolean }, text: yesNo(o.valueBoolean) };
  if (o.valueCodeableConcept) {
    const c = codedOf(o.valueCodeableConcept);
    const text = o.valueCodeableConcept.text ?? c?.displayName ?? c?.code ?? '';
    return c ? { value: { type: 'CD', coded: c }, text } : { value: { type: 'CD', nullFlavor: 'OTH', originalTextRef: `#${textId}` }, text };
  }
  if (o.valueQuantity?.value !== undefined) return { value: { type: 'CD', nullFlavor: 'OTH', originalTextRef: `#${textId}` }, text: `${o.valueQuantity.value} ${o.valueQuantity.unit ?? ''}`.trim() };
  if (o.valueDateTime) return { value: { type: 'CD', nullFlavor: 'OTH', originalTextRef: `#${textId}` }, text: humanDate(o.valueDateTime) };
  if (o.valueString) return { value: { type: 'CD', nullFlavor: 'OTH', originalTextRef: `#${textId}` }, text: o.valueString };
  return { value: { type: 'CD', nullFlavor: 'NI' }, text: 'Non renseigné' };
}
