/**
 * Generic CI-SIS body building blocks shared by the volets: sections, FR-Simple-Observation, FR-Commentaire-ER,
 * entryRelationship. Each writer appends to a parent element in CDA schema order.
 */
import type { Period } from '@medplum/fhirtypes';
import type { Issue } from '../../../src/engine/issues.js';
import { cdEl, ele, ivlTsEl, nullEl, tsEl, type Coded, type El } from './datatypes.js';
import { CS } from './oids.js';

export const TPL = {
  SIMPLE_OBSERVATION_IHE: '1.3.6.1.4.1.19376.1.5.3.1.4.13',
  SIMPLE_OBSERVATION_CISIS: '1.2.250.1.213.1.1.3.48',
  COMMENT_CCD: '2.16.840.1.113883.10.20.1.40',
  COMMENT_IHE: '1.3.6.1.4.1.19376.1.5.3.1.4.2',
  COMMENT_CISIS: '1.2.250.1.213.1.1.3.32',
} as const;

export const LOINC_COMMENT: Coded = { code: '48767-8', displayName: 'Commentaire', codeSystem: CS.LOINC, codeSystemName: 'LOINC' };

export interface SectionSpec {
  templateIds: string[];
  /** Section id (a deterministic UUID). */
  id?: string;
  code: Coded;
  title?: string;
}

/** `component/section` with its templateIds, id, code, title and an empty `text` the caller fills. */
export function section(parent: El, spec: SectionSpec): { section: El; text: El } {
  const s = parent.ele('component').ele('section');
  for (const t of spec.templateIds) s.ele('templateId', { root: t });
  if (spec.id) s.ele('id', { root: spec.id });
  cdEl(s, 'code', spec.code);
  if (spec.title) s.ele('title').txt(spec.title);
  return { section: s, text: s.ele('text') };
}

/** Observation value (`<value xsi:type>`). */
export type ObsValue =
  | { type: 'BL'; value: boolean }
  | { type: 'CD'; coded: Coded }
  | { type: 'CD'; nullFlavor: string; originalTextRef?: string }
  | { type: 'INT'; value: number }
  | { type: 'ST'; text: string };

/** effectiveTime: a point (FHIR date/dateTime), an interval, or a null flavor. */
export type Effective = { at: string | undefined } | { period: Period | undefined } | { nullFlavor: string };

export function effectiveEl(parent: El, eff: Effective, path: string, issues: Issue[]): void {
  if ('nullFlavor' in eff) nullEl(parent, 'effectiveTime', eff.nullFlavor);
  else if ('at' in eff) tsEl(parent, 'effectiveTime', eff.at, path, issues);
  else ivlTsEl(parent, 'effectiveTime', eff.period, path, issues);
}

export function valueEl(parent: El, v: ObsValue): El {
  switch (v.type) {
    case 'BL':
      return ele(parent, 'value', { 'xsi:type': 'BL', value: String(v.value) });
    case 'INT':
      return ele(parent, 'value', { 'xsi:type': 'INT', value: String(v.value) });
    case 'ST':
      return parent.ele('value', { 'xsi:type': 'ST' }).txt(v.text);
    case 'CD': {
      if ('coded' in v) return cdEl(parent, 'value', v.coded, { 'xsi:type': 'CD' });
      const e = ele(parent, 'value', { 'xsi:type': 'CD', nullFlavor: v.nullFlavor });
      if (v.originalTextRef) e.ele('originalText').ele('reference', { value: v.originalTextRef });
      return e;
    }
  }
}

export interface SimpleObservationSpec {
  id: string;
  code: Coded;
  /** `#id` of the narrative this entry stands for. */
  textRef?: string;
  effective: Effective;
  value?: ObsValue;
  /** Template ids written after the FR-Simple-Observation ones (or instead, with `replaceTemplates`). */
  templateIds?: string[];
  replaceTemplates?: boolean;
  negationInd?: boolean;
  interpretationCode?: Coded;
  /** FHIRPath of the source, for date issues. */
  path: string;
}

/** FR-Simple-Observation (IHE PCC Simple Observation): returns the `observation` for entryRelationships. */
export function simpleObservation(parent: El, spec: SimpleObservationSpec, issues: Issue[]): El {
  const o = ele(parent, 'observation', { classCode: 'OBS', moodCode: 'EVN', negationInd: spec.negationInd === undefined ? undefined : String(spec.negationInd) });
  const templates = spec.replaceTemplates ? (spec.templateIds ?? []) : [TPL.SIMPLE_OBSERVATION_IHE, TPL.SIMPLE_OBSERVATION_CISIS, ...(spec.templateIds ?? [])];
  for (const t of templates) o.ele('templateId', { root: t });
  o.ele('id', { root: spec.id });
  cdEl(o, 'code', spec.code);
  if (spec.textRef) o.ele('text').ele('reference', { value: spec.textRef });
  o.ele('statusCode', { code: 'completed' });
  effectiveEl(o, spec.effective, spec.path, issues);
  if (spec.value) valueEl(o, spec.value);
  if (spec.interpretationCode) cdEl(o, 'interpretationCode', spec.interpretationCode);
  return o;
}

/** `entryRelationship` with its type (SUBJ, REFR, COMP, …) and optional inversionInd. */
export const entryRelationship = (parent: El, typeCode: string, inversionInd?: boolean): El =>
  ele(parent, 'entryRelationship', { typeCode, inversionInd: inversionInd === undefined ? undefined : String(inversionInd) });

/** FR-Commentaire-ER: an `act` whose text points at the comment in the narrative. */
export function commentAct(parent: El, spec: { id?: string; textRef: string; date?: string; path: string }, issues: Issue[]): El {
  const a = parent.ele('act', { classCode: 'ACT', moodCode: 'EVN' });
  for (const t of [TPL.COMMENT_CCD, TPL.COMMENT_IHE, TPL.COMMENT_CISIS]) a.ele('templateId', { root: t });
  if (spec.id) a.ele('id', { root: spec.id });
  cdEl(a, 'code', LOINC_COMMENT);
  a.ele('text').ele('reference', { value: spec.textRef });
  a.ele('statusCode', { code: 'completed' });
  if (spec.date) tsEl(a, 'effectiveTime', spec.date, spec.path, issues);
  return a;
}
