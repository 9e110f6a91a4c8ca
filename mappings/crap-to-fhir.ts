import type { Binary, Bundle, BundleEntry, Observation, Organization, Patient, Practitioner, Reference, Resource, Specimen } from '@medplum/fhirtypes';
import { defineMapping } from '../src/engine/define.js';
import { warning, type Issue } from '../src/engine/issues.js';
import { ID_NAT_PS_OID, ID_NAT_ST_OID, type PathologyReport, type StructuredObservation } from '../src/formats/pathology-report/index.js';
import { byIdentifier, identifierSearch, keyOf, placeholder, resourceId } from './lib/crap/ids.js';
import { diagnosticReport, documentReference, observation, organization, practitioner, specimen } from './lib/crap/resources.js';

/**
 * Anatomic pathology report (CRAP, parsed by `pathology-report`) → one FHIR transaction Bundle for the DCC:
 * DiagnosticReport (category pathology), DocumentReference + Binary (the original PDF or CDA), Specimens,
 * Observations for structured CDA entries (pTNM grouped), the pathologist (FR Core Practitioner, RPPS) and the
 * laboratory (FR Core Organization, FINESS).
 * - The report's resources are written by `PUT Type/id` with an id derived from their business identifier (report,
 *   specimen number), which they also carry: a re-send or a corrected version updates the same resources, never
 *   duplicates them. No conditional update: they need serializable transactions, which medplum limits to 8 entries.
 * - Practitioner (RPPS) and Organization (FINESS) are conditional creates (`ifNoneExist`): the DCC's existing one
 *   is referenced, a missing one created, none overwritten from a report.
 * - The patient is referenced conditionally (`Patient?identifier=<INS>,<IPP>…`, any of them): the mapping is pure,
 *   the `fhir-patient-match` validator checks that exactly one DCC Patient matches, and the fhir destination (option
 *   `clientConditionals`) or the server resolves the reference. No Patient is ever created here.
 * See docs/mappings/crap.md.
 */

/** Some servers refuse larger transactions (medplum: 50 writes). */
const MAX_PORTABLE_ENTRIES = 50;

function patientReference(r: PathologyReport): Reference<Patient> {
  const ids = [...(r.patient.ins ? [r.patient.ins] : []), ...r.patient.ipp];
  const display = [r.patient.family, r.patient.given].filter(Boolean).join(' ');
  return { reference: byIdentifier('Patient', ids), ...(display ? { display } : {}) };
}

/** `PUT Type/id` of a resource whose id is derived from its business key. */
function write<T extends Resource>(resource: T, businessKey: string): { entry: BundleEntry; ref: string } {
  const id = resourceId(resource.resourceType, businessKey);
  const ref = `${resource.resourceType}/${id}`;
  return { entry: { resource: { ...resource, id }, request: { method: 'PUT', url: ref } }, ref };
}

export default defineMapping<PathologyReport>({
  name: 'crap-to-fhir',
  description: 'Anatomic pathology report (CRAP) → FHIR transaction: DiagnosticReport, DocumentReference + Binary, Specimen, Observations (pTNM…), FR Core Practitioner / Organization',
  input: 'pathology-report',
  map(r) {
    const issues: Issue[] = [];
    const entries: BundleEntry[] = [];
    const subject = patientReference(r);
    const reportKey = keyOf(r.identifier);

    // directory resources: the DCC's own Practitioner / Organization is used when it exists, created otherwise, never overwritten
    let org: Reference<Organization> | undefined;
    if (r.laboratory) {
      const id = { system: `urn:oid:${ID_NAT_ST_OID}`, value: r.laboratory.idNatSt };
      const fullUrl = placeholder(`Organization|${keyOf(id)}`);
      entries.push({ fullUrl, resource: organization(r.laboratory), request: { method: 'POST', url: 'Organization', ifNoneExist: identifierSearch([id]) } });
      org = { reference: fullUrl, ...(r.laboratory.name ? { display: r.laboratory.name } : {}) };
    }
    let prac: Reference<Practitioner> | undefined;
    if (r.pathologist) {
      const id = { system: `urn:oid:${ID_NAT_PS_OID}`, value: r.pathologist.idNatPs };
      const fullUrl = placeholder(`Practitioner|${keyOf(id)}`);
      entries.push({ fullUrl, resource: practitioner(r.pathologist), request: { method: 'POST', url: 'Practitioner', ifNoneExist: identifierSearch([id]) } });
      const display = [r.pathologist.given, r.pathologist.family].filter(Boolean).join(' ');
      prac = { reference: fullUrl, ...(display ? { display } : {}) };
    }

    const specimens = new Map<string, Reference<Specimen>>();
    for (const s of r.specimens) {
      const w = write(specimen(s, subject), keyOf(s.identifier));
      entries.push(w.entry);
      specimens.set(keyOf(s.identifier), { reference: w.ref });
    }

    // an observation is identified within its report; members (pT, pN… of the pTNM stage) are not results of their own
    const obsKey = (o: StructuredObservation) => `${reportKey}#${o.key}`;
    const obsRef = (o: StructuredObservation): Reference<Observation> => ({ reference: `Observation/${resourceId('Observation', obsKey(o))}` });
    const byKey = new Map(r.observations.map((o) => [o.key, o]));
    const memberKeys = new Set(r.observations.flatMap((o) => o.members));
    const performer: Reference<Practitioner | Organization>[] = [...(prac ? [prac] : []), ...(org ? [org] : [])];
    for (const o of r.observations) {
      const identifier = { system: r.identifier.system, value: `${r.identifier.value}#${o.key}` };
      const members = o.members.flatMap((k) => (byKey.has(k) ? [obsRef(byKey.get(k)!)] : []));
      entries.push(write(observation(o, { report: r, identifier, subject, performer, specimens, members }), obsKey(o)).entry);
    }
    const results = r.observations.filter((o) => !memberKeys.has(o.key)).map(obsRef);

    const binary = write<Binary>({ resourceType: 'Binary', contentType: r.document.contentType, data: r.document.base64 }, reportKey);
    const drRef = `DiagnosticReport/${resourceId('DiagnosticReport', reportKey)}`;
    const ctx = { subject, practitioner: prac, organization: org, specimens: [...specimens.values()], results, binaryUrl: binary.ref, diagnosticReport: { reference: drRef } };
    entries.push(binary.entry);
    entries.push(write(documentReference(r, ctx), reportKey).entry);
    entries.push(write(diagnosticReport(r, ctx), reportKey).entry);
    if (entries.length > MAX_PORTABLE_ENTRIES) {
      issues.push(warning('CRAP_LARGE_TRANSACTION', `the transaction has ${entries.length} entries: some FHIR servers (medplum) refuse more than ${MAX_PORTABLE_ENTRIES} writes in one transaction`));
    }

    const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: entries };
    return {
      output: { content: bundle, contentType: 'application/fhir+json' },
      issues,
      keys: {
        patient: [...(r.patient.ins ? [r.patient.ins] : []), ...r.patient.ipp].map(keyOf),
        document: [reportKey, ...(r.documentId && keyOf(r.documentId) !== reportKey ? [keyOf(r.documentId)] : [])],
      },
    };
  },
});
