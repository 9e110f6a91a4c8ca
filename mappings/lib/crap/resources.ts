/** The FHIR resources of a pathology report, built from the parsed `PathologyReport` (pure functions). */
import type { CodeableConcept, DiagnosticReport, DocumentReference, Identifier as FhirIdentifier, Observation, Organization, Patient, Practitioner, Reference, Specimen } from '@medplum/fhirtypes';
import type { CodeOrText, Laboratory, ObservationValue, Pathologist, PathologyReport, SpecimenInfo, StructuredObservation } from '../../../src/formats/pathology-report/index.js';
import { ID_NAT_PS_OID, ID_NAT_ST_OID } from '../../../src/formats/pathology-report/index.js';
import { FINESS_SYSTEM, FR_CORE_PROFILES, NOT_PERFORMED, OBSERVATION_CATEGORY, ORGANIZATION_ID_TYPE_SYSTEM, PATHOLOGY_CATEGORY, PRACTITIONER_ID_TYPE_SYSTEM, RPPS_SYSTEM } from './codes.js';

export const concept = (c: CodeOrText | undefined): CodeableConcept | undefined =>
  c ? { ...(c.coding ? { coding: [{ ...c.coding }] } : {}), ...(c.text ? { text: c.text } : {}) } : undefined;

/** FHIR `instant` needs a time and an offset: a date-only value is not an instant. */
export const instantOf = (dateTime: string | undefined): string | undefined => (dateTime && /T\d{2}:\d{2}:\d{2}/.test(dateTime) ? dateTime : undefined);

export function practitioner(p: Pathologist): Practitioner {
  const name = p.family || p.given ? [{ ...(p.family ? { family: p.family } : {}), ...(p.given ? { given: [p.given] } : {}) }] : undefined;
  return {
    resourceType: 'Practitioner',
    meta: { profile: [FR_CORE_PROFILES.practitioner] },
    identifier: [
      { use: 'official', type: { coding: [{ system: PRACTITIONER_ID_TYPE_SYSTEM, code: 'IDNPS' }] }, system: `urn:oid:${ID_NAT_PS_OID}`, value: p.idNatPs },
      ...(p.rpps ? [{ use: 'official' as const, type: { coding: [{ system: PRACTITIONER_ID_TYPE_SYSTEM, code: 'RPPS' }] }, system: RPPS_SYSTEM, value: p.rpps }] : []),
    ],
    ...(name ? { name } : {}),
  };
}

export function organization(l: Laboratory): Organization {
  return {
    resourceType: 'Organization',
    meta: { profile: [FR_CORE_PROFILES.organization] },
    identifier: [
      { use: 'official', type: { coding: [{ system: ORGANIZATION_ID_TYPE_SYSTEM, code: 'IDNST' }] }, system: `urn:oid:${ID_NAT_ST_OID}`, value: l.idNatSt },
      ...(l.finess ? [{ use: 'official' as const, type: { coding: [{ system: ORGANIZATION_ID_TYPE_SYSTEM, code: 'FINEG' }] }, system: FINESS_SYSTEM, value: l.finess }] : []),
    ],
    ...(l.name ? { name: l.name } : {}),
  };
}

export function specimen(s: SpecimenInfo, subject: Reference<Patient>): Specimen {
  const type = concept(s.type);
  const bodySite = concept(s.bodySite);
  const collection = s.collected || bodySite ? { ...(s.collected ? { collectedDateTime: s.collected } : {}), ...(bodySite ? { bodySite } : {}) } : undefined;
  return {
    resourceType: 'Specimen',
    identifier: [{ ...s.identifier }],
    status: 'available',
    ...(type ? { type } : {}),
    subject,
    ...(s.received ? { receivedTime: s.received } : {}),
    ...(collection ? { collection } : {}),
  };
}

function value(v: ObservationValue | undefined): Partial<Observation> {
  switch (v?.kind) {
    case undefined:
      return {};
    case 'codeable':
      return { valueCodeableConcept: concept(v)! };
    case 'quantity':
      return { valueQuantity: { value: v.value, ...(v.unit ? { unit: v.unit, system: 'http://unitsofmeasure.org', code: v.unit } : {}) } };
    case 'string':
      return { valueString: v.value };
    case 'boolean':
      return { valueBoolean: v.value };
    case 'integer':
      return { valueInteger: v.value };
    case 'dateTime':
      return { valueDateTime: v.value };
  }
}

export interface ObservationContext {
  report: PathologyReport;
  identifier: FhirIdentifier;
  subject: Reference<Patient>;
  performer: Reference<Practitioner | Organization>[];
  specimens: Map<string, Reference<Specimen>>;
  members: Reference<Observation>[];
}

export function observation(o: StructuredObservation, ctx: ObservationContext): Observation {
  const status: Observation['status'] = ctx.report.status === 'entered-in-error' ? 'entered-in-error' : o.status === 'cancelled' ? 'cancelled' : ctx.report.status === 'preliminary' ? 'preliminary' : ctx.report.status === 'corrected' ? 'corrected' : 'final';
  const specimen = o.specimens.map((s) => ctx.specimens.get(`${s.system}|${s.value}`)).find(Boolean) ?? (ctx.specimens.size === 1 ? [...ctx.specimens.values()][0] : undefined);
  const effective = o.effective ?? ctx.report.effective;
  const issued = instantOf(ctx.report.issued);
  const v = value(o.value);
  return {
    resourceType: 'Observation',
    identifier: [ctx.identifier, ...(o.sourceId ? [{ ...o.sourceId }] : [])],
    status,
    category: [OBSERVATION_CATEGORY],
    code: concept(o.code)!,
    subject: ctx.subject,
    ...(effective ? { effectiveDateTime: effective } : {}),
    ...(issued ? { issued } : {}),
    ...(ctx.performer.length ? { performer: ctx.performer } : {}),
    ...v,
    ...(Object.keys(v).length === 0 && ctx.members.length === 0 ? { dataAbsentReason: NOT_PERFORMED } : {}),
    ...(specimen ? { specimen } : {}),
    ...(ctx.members.length ? { hasMember: ctx.members } : {}),
  };
}

export interface ReportContext {
  subject: Reference<Patient>;
  practitioner?: Reference<Practitioner>;
  organization?: Reference<Organization>;
  specimens: Reference<Specimen>[];
  results: Reference<Observation>[];
  binaryUrl: string;
  diagnosticReport: Reference<DiagnosticReport>;
}

const attachmentOf = (r: PathologyReport, url: string) => ({
  contentType: r.document.contentType,
  language: 'fr-FR',
  url,
  size: r.document.size,
  hash: r.document.sha1,
  ...(r.document.title ?? r.title ? { title: r.document.title ?? r.title } : {}),
  ...(r.issued ? { creation: r.issued } : {}),
});

export function diagnosticReport(r: PathologyReport, ctx: ReportContext): DiagnosticReport {
  const issued = instantOf(r.issued);
  const performer: Reference<Organization | Practitioner>[] = [...(ctx.organization ? [ctx.organization] : []), ...(ctx.practitioner ? [ctx.practitioner] : [])];
  return {
    resourceType: 'DiagnosticReport',
    identifier: [{ use: 'official', ...r.identifier }],
    status: r.status,
    category: [PATHOLOGY_CATEGORY],
    code: { coding: [{ ...r.code }], ...(r.title ? { text: r.title } : {}) },
    subject: ctx.subject,
    ...(r.effective ? { effectiveDateTime: r.effective } : {}),
    ...(issued ? { issued } : {}),
    ...(performer.length ? { performer } : {}),
    ...(ctx.practitioner ? { resultsInterpreter: [ctx.practitioner] } : {}),
    ...(ctx.specimens.length ? { specimen: ctx.specimens } : {}),
    ...(ctx.results.length ? { result: ctx.results } : {}),
    ...(r.conclusion ? { conclusion: r.conclusion } : {}),
    presentedForm: [attachmentOf(r, ctx.binaryUrl)],
  };
}

const DOC_STATUS: Record<PathologyReport['status'], DocumentReference['docStatus']> = { preliminary: 'preliminary', final: 'final', corrected: 'amended', 'entered-in-error': 'entered-in-error' };

export function documentReference(r: PathologyReport, ctx: ReportContext): DocumentReference {
  const date = instantOf(r.issued);
  const author: Reference<Organization | Practitioner>[] = [...(ctx.practitioner ? [ctx.practitioner] : []), ...(ctx.organization ? [ctx.organization] : [])];
  return {
    resourceType: 'DocumentReference',
    ...(r.documentId ? { masterIdentifier: { ...r.documentId } } : {}),
    identifier: [{ use: 'official', ...r.identifier }],
    status: r.status === 'entered-in-error' ? 'entered-in-error' : 'current',
    docStatus: DOC_STATUS[r.status],
    type: { coding: [{ ...r.code }] },
    category: [PATHOLOGY_CATEGORY],
    subject: ctx.subject,
    ...(date ? { date } : {}),
    ...(author.length ? { author } : {}),
    ...(ctx.organization ? { custodian: ctx.organization } : {}),
    ...(r.title ? { description: r.title } : {}),
    content: [{ attachment: attachmentOf(r, ctx.binaryUrl), ...(r.document.format ? { format: { ...r.document.format } } : {}) }],
    context: {
      ...(r.effective ? { period: { start: r.effective } } : {}),
      related: [ctx.diagnosticReport],
    },
  };
}
