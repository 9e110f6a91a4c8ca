import type { Binary, Bundle, BundleEntry, Observation, Organization, Patient, Practitioner, Reference, Resource, Specimen } from '@medplum/fhirtypes';
import { defineMapping } from '../src/engine/define.js';
import type { Issue } from '../src/engine/issues.js';
import type { PathologyReport, StructuredObservation } from '../src/formats/pathology-report/index.js';
import { binaryId, byIdentifier, identifierSearch, keyOf, placeholder } from './lib/crap/ids.js';
import { diagnosticReport, documentReference, observation, organization, practitioner, specimen } from './lib/crap/resources.js';

/**
 * Anatomic pathology report (CRAP, parsed by `pathology-report`) → one FHIR transaction Bundle for the DCC:
 * DiagnosticReport (category pathology), DocumentReference + Binary (the original PDF or CDA), Specimens,
 * Observations for structured CDA entries (pTNM grouped), the pathologist (FR Core Practitioner, RPPS) and the
 * laboratory (FR Core Organization, FINESS).
 * - Every resource is written by a conditional update on a business identifier (the report's, scoped per entry), or
 *   a deterministic Binary id, so a re-send updates and never duplicates; Practitioner and Organization are created
 *   only when absent (`ifNoneExist`), never overwritten from a report.
 * - The patient is referenced conditionally (`Patient?identifier=<INS>,<IPP>…`): the mapping is pure, the
 *   `fhir-patient-match` validator checks that exactly one DCC Patient matches, and the fhir destination (option
 *   `resolveConditionalReferences`) or the server resolves the reference. No Patient is ever created here.
 * See docs/mappings/crap.md.
 */
function patientReference(r: PathologyReport): Reference<Patient> {
  const ids = [...(r.patient.ins ? [r.patient.ins] : []), ...r.patient.ipp];
  const display = [r.patient.family, r.patient.given].filter(Boolean).join(' ');
  return { reference: byIdentifier('Patient', ids), ...(display ? { display } : {}) };
}

const put = (resource: Resource, fullUrl: string, url: string): BundleEntry => ({ fullUrl, resource, request: { method: 'PUT', url } });

export default defineMapping<PathologyReport>({
  name: 'crap-to-fhir',
  description: 'Anatomic pathology report (CRAP) → FHIR transaction: DiagnosticReport, DocumentReference + Binary, Specimen, Observations (pTNM…), FR Core Practitioner / Organization',
  input: 'pathology-report',
  map(r) {
    const issues: Issue[] = [];
    const entries: BundleEntry[] = [];
    const subject = patientReference(r);
    const reportKey = keyOf(r.identifier);

    let org: Reference<Organization> | undefined;
    if (r.laboratory) {
      const fullUrl = placeholder(`Organization|${r.laboratory.idNatSt}`);
      const resource = organization(r.laboratory);
      entries.push({ fullUrl, resource, request: { method: 'POST', url: 'Organization', ifNoneExist: identifierSearch([{ system: resource.identifier![0]!.system!, value: r.laboratory.idNatSt }]) } });
      org = { reference: fullUrl, ...(r.laboratory.name ? { display: r.laboratory.name } : {}) };
    }
    let prac: Reference<Practitioner> | undefined;
    if (r.pathologist) {
      const fullUrl = placeholder(`Practitioner|${r.pathologist.idNatPs}`);
      const resource = practitioner(r.pathologist);
      entries.push({ fullUrl, resource, request: { method: 'POST', url: 'Practitioner', ifNoneExist: identifierSearch([{ system: resource.identifier![0]!.system!, value: r.pathologist.idNatPs }]) } });
      const display = [r.pathologist.given, r.pathologist.family].filter(Boolean).join(' ');
      prac = { reference: fullUrl, ...(display ? { display } : {}) };
    }

    const specimens = new Map<string, Reference<Specimen>>();
    for (const s of r.specimens) {
      const fullUrl = placeholder(`Specimen|${keyOf(s.identifier)}`);
      entries.push(put(specimen(s, subject), fullUrl, byIdentifier('Specimen', [s.identifier])));
      specimens.set(keyOf(s.identifier), { reference: fullUrl });
    }

    // observations: members first referenced by their placeholders; the report lists the top-level ones
    const obsUrl = (o: StructuredObservation) => placeholder(`Observation|${reportKey}|${o.key}`);
    const byKey = new Map(r.observations.map((o) => [o.key, o]));
    const memberKeys = new Set(r.observations.flatMap((o) => o.members));
    const performer: Reference<Practitioner | Organization>[] = [...(prac ? [prac] : []), ...(org ? [org] : [])];
    for (const o of r.observations) {
      const identifier = { system: r.identifier.system, value: `${r.identifier.value}#${o.key}` };
      const members: Reference<Observation>[] = o.members.flatMap((k) => (byKey.has(k) ? [{ reference: obsUrl(byKey.get(k)!) }] : []));
      entries.push(put(observation(o, { report: r, identifier, subject, performer, specimens, members }), obsUrl(o), byIdentifier('Observation', [identifier])));
    }
    const results: Reference<Observation>[] = r.observations.filter((o) => !memberKeys.has(o.key)).map((o) => ({ reference: obsUrl(o) }));

    const binary: Binary = { resourceType: 'Binary', id: binaryId(r.identifier), contentType: r.document.contentType, data: r.document.base64 };
    const binaryUrl = `Binary/${binary.id}`;
    const drUrl = placeholder(`DiagnosticReport|${reportKey}`);
    const ctx = { subject, practitioner: prac, organization: org, specimens: [...specimens.values()], results, binaryUrl, diagnosticReport: { reference: drUrl } };
    entries.push({ resource: binary, request: { method: 'PUT', url: binaryUrl } });
    entries.push(put(documentReference(r, ctx), placeholder(`DocumentReference|${reportKey}`), byIdentifier('DocumentReference', [r.identifier])));
    entries.push(put(diagnosticReport(r, ctx), drUrl, byIdentifier('DiagnosticReport', [r.identifier])));

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
