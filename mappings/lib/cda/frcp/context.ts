/** What every FRCP section writer gets, and the small readers they share. */
import type { Observation, ObservationComponent } from '@medplum/fhirtypes';
import { error, type Issue } from '../../../../src/engine/issues.js';
import { codedOf, type Coded, type El } from '../datatypes.js';
import type { DocumentBundle } from '../document-bundle.js';
import { componentWithCode, observationsWithCode } from '../fhir-find.js';
import type { CdaHeader } from '../header.js';
import type { ContentIds } from '../narrative.js';
import { inValueSet, type ValueSet } from '../value-set.js';

export interface FrcpContext {
  doc: DocumentBundle;
  header: CdaHeader;
  /** `structuredBody`: each writer appends its `component/section`. */
  body: El;
  ids: ContentIds;
  issues: Issue[];
}

/** What the readers need: the document and where to report. */
export type Reader = Pick<FrcpContext, 'doc' | 'issues'>;

/** A deterministic id for a part of the body. */
export const uuid = (ctx: FrcpContext, part: string): string => ctx.header.uuid(part);

/** Error for a data element the volet requires, with the FHIRPath where it is expected. */
export const requiredIssue = (what: string, path: string): Issue => error('CDA_FRCP_REQUIRED', `the fiche RCP requires ${what}`, path);

/** Reports `requiredIssue`. */
export const required = (ctx: Reader, what: string, path: string): void => {
  ctx.issues.push(requiredIssue(what, path));
};

/** FHIRPath of the Observation with a code, for issues. */
export const obsPath = (code: Coded): string => `Bundle.entry.resource.ofType(Observation).where(code.coding.code='${code.code}')`;

/** The one Observation with this code; `CDA_FRCP_REQUIRED` when required and absent, `CDA_FRCP_DUPLICATE` when several. */
export function observation(ctx: Reader, code: Coded, what: string, mandatory: boolean): { obs?: Observation; path: string } {
  const list = observationsWithCode(ctx.doc, code);
  const path = obsPath(code);
  if (list.length > 1) ctx.issues.push(error('CDA_FRCP_DUPLICATE', `only one Observation ${code.code} (${what}) is expected, found ${list.length}`, path));
  if (!list.length && mandatory) required(ctx, `${what} (Observation with code ${code.code}, system urn:oid:${code.codeSystem})`, path);
  return { obs: list[0], path };
}

/** A component's boolean value (`valueBoolean`), required unless `optional`. */
export function componentBool(ctx: Reader, obs: Observation | undefined, code: Coded, path: string, optional = false): boolean | undefined {
  if (!obs) return undefined;
  const c = componentWithCode(obs, code);
  if (typeof c?.valueBoolean === 'boolean') return c.valueBoolean;
  if (!optional) required(ctx, `"${code.displayName}" (component ${code.code} with valueBoolean)`, `${path}.component.where(code.coding.code='${code.code}').valueBoolean`);
  return undefined;
}

/** A coded value checked against a value set; `CDA_CODE` when outside, `CDA_FRCP_REQUIRED` when absent and required. */
export function codedIn(
  ctx: Reader,
  source: { valueCodeableConcept?: Observation['valueCodeableConcept'] } | ObservationComponent | undefined,
  vs: ValueSet,
  what: string,
  path: string,
  mandatory = true,
): Coded | undefined {
  const concept = source?.valueCodeableConcept;
  if (!concept?.coding?.length) {
    if (mandatory) required(ctx, `${what} (valueCodeableConcept from ${vs.name})`, `${path}.valueCodeableConcept`);
    return undefined;
  }
  const coded = codedOf(concept);
  if (!coded) {
    ctx.issues.push(error('CDA_CODE', `${what}: no coding with a known code system (${vs.name} expects urn:oid: systems or SNOMED/LOINC/NCIt)`, `${path}.valueCodeableConcept`));
    return undefined;
  }
  const found = concept.coding.map((c) => codedOf(c)).find((c) => c && vs.concepts.some(([k, s]) => k === c.code && s === c.codeSystem));
  return inValueSet(vs, found ?? coded, `${path}.valueCodeableConcept`, ctx.issues);
}
