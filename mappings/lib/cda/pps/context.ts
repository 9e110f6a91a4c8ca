/** What every PPS section writer gets, and the PPS-specific entry pieces the shared builders (../entries.ts) lack. */
import type { Resource } from '@medplum/fhirtypes';
import type { Issue } from '../../../../src/engine/issues.js';
import { ele, tsEl, type El } from '../datatypes.js';
import type { DocumentBundle } from '../document-bundle.js';
import type { CdaHeader } from '../header.js';
import type { ContentIds } from '../narrative.js';

export interface PpsContext {
  doc: DocumentBundle;
  header: CdaHeader;
  /** `structuredBody`: each writer appends its `component/section`. */
  body: El;
  ids: ContentIds;
  issues: Issue[];
}

export const PPS_TPL = {
  problem: ['2.16.840.1.113883.10.20.1.28', '1.3.6.1.4.1.19376.1.5.3.1.4.5', '1.2.250.1.213.1.1.3.37'],
  /** FR-Acte; the CCD template in the middle says done (EVN) or planned (INT). */
  procedure: { pcc: '1.3.6.1.4.1.19376.1.5.3.1.4.19', done: '2.16.840.1.113883.10.20.1.29', planned: '2.16.840.1.113883.10.20.1.25', cisis: '1.2.250.1.213.1.1.3.62' },
  /** FR-Signe-vital-observe (after the two FR-Simple-Observation templates). */
  vitalSign: ['2.16.840.1.113883.10.20.1.31', '1.3.6.1.4.1.19376.1.5.3.1.4.13.2', '1.2.250.1.213.1.1.3.50'],
} as const;

export const templates = (parent: El, roots: readonly string[]): void => {
  for (const root of roots) parent.ele('templateId', { root });
};

/**
 * A stable UUID for an entry made from a Bundle resource: derived from the document id and the resource's fullUrl
 * (else `Type/id`, else its position), plus `part` when one resource gives several entries.
 */
export function resourceUuid(ctx: PpsContext, resource: Resource, part = ''): string {
  const entries = ctx.doc.bundle.entry ?? [];
  const i = entries.findIndex((e) => e.resource === resource);
  const key = entries[i]?.fullUrl ?? (resource.id ? `${resource.resourceType}/${resource.id}` : `entry-${i}`);
  return ctx.header.uuid(part ? `${key}#${part}` : key);
}

/** `<value xsi:type="EIVL_TS" value="…"/>`: the PPS writes its dates (RCP, handing-over) so, as the ANS example does. */
export function dateValueEl(obs: El, value: string | undefined, path: string, issues: Issue[]): El {
  return tsEl(obs, 'value', value, path, issues).att('xsi:type', 'EIVL_TS');
}

/** `<value xsi:type="BL">`, `nullFlavor="UNK"` when the answer is unknown. */
export const booleanValueEl = (obs: El, value: boolean | undefined): El =>
  ele(obs, 'value', value === undefined ? { 'xsi:type': 'BL', nullFlavor: 'UNK' } : { 'xsi:type': 'BL', value: String(value) });
