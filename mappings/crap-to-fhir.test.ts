import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Binary, Bundle, DiagnosticReport, DocumentReference, Observation, Organization, Practitioner, Resource, Specimen } from '@medplum/fhirtypes';
import type { ValidateFn } from '../src/engine/define.js';
import { readPathologyReport, type PathologyReport } from '../src/formats/pathology-report/index.js';
import { fhirProfileValidator } from '../src/steps/validators/fhir-profile.js';
import crapToFhir from './crap-to-fhir.js';
import { resourceId } from './lib/crap/ids.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const report = (name: string): PathologyReport => {
  const r = readPathologyReport(fs.readFileSync(path.join(root, 'fixtures/crap', name)), { maxBytes: 1 << 26 });
  if (!r.value) throw new Error(JSON.stringify(r.issues));
  return r.value;
};
const ctx = { channelId: 'crap-sftp', messageId: 'm1', receivedAt: new Date('2026-11-20T00:00:00Z') };
const map = (r: PathologyReport) => {
  const out = crapToFhir.map(r, ctx);
  expect(out.issues).toEqual([]);
  return { bundle: out.output!.content as Bundle, keys: out.keys!, contentType: out.output!.contentType };
};
/** Entries of a type, with `ref`: what other entries use to point at it (its placeholder, or `Type/id`). */
const of = <T extends Resource>(b: Bundle, type: T['resourceType']) =>
  b.entry!.filter((e) => e.resource?.resourceType === type).map((e) => ({ ...e, ref: e.fullUrl ?? e.request!.url })) as { ref: string; fullUrl?: string; resource: T & { id: string }; request: { method: string; url: string; ifNoneExist?: string } }[];
const decoded = (url: string) => decodeURIComponent(url);

let validate: ValidateFn;
beforeAll(async () => {
  validate = await fhirProfileValidator.create({ profilesDir: path.join(root, '../shared/fhir/fr-core-2.0.0') }, { baseDir: root });
});

describe('crap-to-fhir: CDA CR-ACP with structured entries', () => {
  const r = () => report('cr-acp-colon.xml');

  it('one transaction: Organization, Practitioner, Specimen, Observations, Binary, DocumentReference, DiagnosticReport', () => {
    const { bundle, contentType } = map(r());
    expect(contentType).toBe('application/fhir+json');
    expect(bundle.type).toBe('transaction');
    expect(bundle.entry!.map((e) => e.resource!.resourceType)).toEqual([
      'Organization',
      'Practitioner',
      'Specimen',
      ...Array(13).fill('Observation'),
      'Binary',
      'DocumentReference',
      'DiagnosticReport',
    ]);
  });

  it("the report's resources are idempotent PUT Type/id (id derived from the business identifier); Practitioner and Organization conditional creates", () => {
    const { bundle } = map(r());
    for (const e of bundle.entry!.filter((x) => !['Practitioner', 'Organization'].includes(x.resource!.resourceType))) {
      expect(e.request!.method).toBe('PUT');
      expect(e.request!.url).toBe(`${e.resource!.resourceType}/${e.resource!.id}`);
      expect(e.resource!.id).toMatch(/^crap-[0-9a-f]{40}$/);
    }
    const ids = (type: string) => of(bundle, type as Resource['resourceType']).map((e) => e.resource.id);
    expect(ids('DiagnosticReport')).toEqual([resourceId('DiagnosticReport', 'urn:oid:1.2.250.1.999.1.1.7|CRACP-2026-118734')]);
    expect(ids('DocumentReference')).toEqual([resourceId('DocumentReference', 'urn:oid:1.2.250.1.999.1.1.7|CRACP-2026-118734')]);
    expect(ids('Binary')).toEqual([resourceId('Binary', 'urn:oid:1.2.250.1.999.1.1.7|CRACP-2026-118734')]);
    expect(ids('Specimen')).toEqual([resourceId('Specimen', 'urn:oid:1.2.250.1.999.1.1.8|B26-118734-A')]);
    expect(ids('Observation')[0]).toBe(resourceId('Observation', 'urn:oid:1.2.250.1.999.1.1.7|CRACP-2026-118734#33725-3'));
    const [org] = of<Organization>(bundle, 'Organization');
    const [prac] = of<Practitioner>(bundle, 'Practitioner');
    expect(org!.request).toEqual({ method: 'POST', url: 'Organization', ifNoneExist: 'identifier=urn%3Aoid%3A1.2.250.1.71.4.2.2%7C1690012345' });
    expect(prac!.request).toEqual({ method: 'POST', url: 'Practitioner', ifNoneExist: 'identifier=urn%3Aoid%3A1.2.250.1.71.4.2.1%7C810101234567' });
    expect(prac!.fullUrl).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(prac!.resource.id).toBeUndefined();
    // the same input maps to the same bundle, byte for byte
    expect(JSON.stringify(map(r()).bundle)).toBe(JSON.stringify(bundle));
    // every local reference points at an entry of the bundle
    const targets = new Set(bundle.entry!.map((e) => e.fullUrl ?? e.request!.url));
    const refs = [...JSON.stringify(bundle).matchAll(/"(?:reference|url)":"((?:urn:uuid:|Observation\/|Specimen\/|DiagnosticReport\/|Binary\/)[^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(20);
    expect(refs.filter((x) => !targets.has(x))).toEqual([]);
  });

  it('the patient is referenced conditionally by INS and IPP, never created', () => {
    const { bundle, keys } = map(r());
    expect(bundle.entry!.some((e) => e.resource?.resourceType === 'Patient')).toBe(false);
    const [dr] = of<DiagnosticReport>(bundle, 'DiagnosticReport');
    expect(decoded(dr!.resource.subject!.reference!)).toBe('Patient?identifier=urn:oid:1.2.250.1.213.1.4.8|258066912304592,urn:oid:1.2.250.1.999.2.1|IPP-0045871');
    expect(dr!.resource.subject!.display).toBe('DURAND MARIE');
    for (const e of bundle.entry!) {
      const subject = (e.resource as { subject?: { reference?: string } }).subject;
      if (subject) expect(subject.reference).toBe(dr!.resource.subject!.reference);
    }
    expect(keys).toEqual({
      patient: ['urn:oid:1.2.250.1.213.1.4.8|258066912304592', 'urn:oid:1.2.250.1.999.2.1|IPP-0045871'],
      document: ['urn:oid:1.2.250.1.999.1.1.7|CRACP-2026-118734', 'urn:oid:1.2.250.1.999.1.1.7|CRACP-2026-118734-V1'],
    });
  });

  it('DiagnosticReport: pathology category, code, dates, performers, specimen, top-level results, conclusion, presented form', () => {
    const { bundle } = map(r());
    const [dr] = of<DiagnosticReport>(bundle, 'DiagnosticReport');
    const [prac] = of<Practitioner>(bundle, 'Practitioner');
    const [org] = of<Organization>(bundle, 'Organization');
    const [spec] = of<Specimen>(bundle, 'Specimen');
    const [bin] = of<Binary>(bundle, 'Binary');
    const obs = of<Observation>(bundle, 'Observation');
    expect(dr!.resource).toMatchObject({
      status: 'final',
      category: [{ coding: [{ system: 'http://loinc.org', code: 'LP7839-6' }, { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'PAT' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '60568-3' }] },
      effectiveDateTime: '2026-11-17T09:30:00+01:00',
      issued: '2026-11-19T16:25:00+01:00',
      performer: [{ reference: org!.ref }, { reference: prac!.ref }],
      resultsInterpreter: [{ reference: prac!.ref }],
      specimen: [{ reference: spec!.ref }],
      conclusion: expect.stringContaining('pT3 pN1b'),
      presentedForm: [{ contentType: 'text/xml', url: `Binary/${bin!.resource.id}`, size: fs.statSync(path.join(root, 'fixtures/crap/cr-acp-colon.xml')).size }],
    });
    // pT, pN and the classification are members of the stage, not results of their own
    const byCode = (c: string) => obs.find((o) => o.resource.code.coding?.[0]?.code === c)!;
    const members = ['59541-3', '21899-0', '21900-6'].map((c) => byCode(c).ref);
    expect(dr!.resource.result!.map((x) => x.reference)).toEqual(obs.map((o) => o.ref).filter((u) => !members.includes(u)));
    expect(byCode('21902-2').resource.hasMember).toEqual(members.map((reference) => ({ reference })));
  });

  it('Observations: tumour site and morphology in ICD-O-3, pTNM, margins, counts, on the specimen, by the pathologist', () => {
    const { bundle } = map(r());
    const [spec] = of<Specimen>(bundle, 'Specimen');
    const obs = of<Observation>(bundle, 'Observation').map((o) => o.resource);
    const byCode = (c: string) => obs.find((o) => o.code.coding?.[0]?.code === c)!;
    expect(byCode('33725-3')).toMatchObject({
      status: 'final',
      category: [{ coding: [{ code: 'laboratory' }] }],
      valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: 'C18.7' }] },
      specimen: { reference: spec!.ref },
      effectiveDateTime: '2026-11-18',
      issued: '2026-11-19T16:25:00+01:00',
      identifier: [{ system: 'urn:oid:1.2.250.1.999.1.1.7', value: 'CRACP-2026-118734#33725-3' }, { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:0c1d8b52-7a9e-4b37-9f55-0a4e6d1b2d01' }],
    });
    expect(byCode('84882-0').valueCodeableConcept).toEqual({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: '8140/3', display: 'Adénocarcinome, SAI' }] });
    expect(byCode('21899-0').valueCodeableConcept).toEqual({ text: 'pT3' });
    expect(byCode('21900-6').valueCodeableConcept).toEqual({ coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.322', code: 'MED-798', display: 'Métastases dans 2 ou 3 ganglions lymphatiques régionaux' }], text: 'pN1b' });
    expect(byCode('84885-3').valueCodeableConcept).toEqual({ text: 'Non envahie (distance minimale 12 mm)' });
    expect(byCode('21889-1').valueQuantity).toEqual({ value: 4.2, unit: 'cm', system: 'http://unitsofmeasure.org', code: 'cm' });
    expect(byCode('21893-3').valueInteger).toBe(2);
    // the only specimen of the report is the default one
    expect(obs.every((o) => o.specimen?.reference === spec!.ref)).toBe(true);
  });

  it('DocumentReference + Binary keep the original CDA; pathologist and laboratory are FR Core with RPPS / FINESS', () => {
    const { bundle } = map(r());
    const [bin] = of<Binary>(bundle, 'Binary');
    const [doc] = of<DocumentReference>(bundle, 'DocumentReference');
    const [dr] = of<DiagnosticReport>(bundle, 'DiagnosticReport');
    expect(bin!.resource).toMatchObject({ contentType: 'text/xml', data: fs.readFileSync(path.join(root, 'fixtures/crap/cr-acp-colon.xml')).toString('base64') });
    expect(doc!.resource).toMatchObject({
      masterIdentifier: { value: 'CRACP-2026-118734-V1' },
      identifier: [{ value: 'CRACP-2026-118734' }],
      status: 'current',
      docStatus: 'final',
      type: { coding: [{ code: '60568-3' }] },
      date: '2026-11-19T16:25:00+01:00',
      content: [{ attachment: { url: `Binary/${bin!.resource.id}`, contentType: 'text/xml', hash: expect.any(String) }, format: { code: 'urn:ihe:palm:apsr:2016' } }],
      context: { related: [{ reference: dr!.ref }], period: { start: '2026-11-17T09:30:00+01:00' } },
    });
    const [prac] = of<Practitioner>(bundle, 'Practitioner');
    expect(prac!.resource).toMatchObject({
      meta: { profile: ['http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-practitioner'] },
      identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810101234567', type: { coding: [{ code: 'IDNPS' }] } }, { system: 'https://rpps.esante.gouv.fr', value: '10101234567' }],
      name: [{ family: 'FONTAINE', given: ['Claire'] }],
    });
    const [org] = of<Organization>(bundle, 'Organization');
    expect(org!.resource.identifier).toEqual([
      expect.objectContaining({ system: 'urn:oid:1.2.250.1.71.4.2.2', value: '1690012345' }),
      expect.objectContaining({ system: 'https://finess.esante.gouv.fr', value: '690012345' }),
    ]);
  });

  it('the bundle passes the FR Core profiles (no issue at all), which do check it', async () => {
    const { bundle } = map(r());
    expect(await validate({ content: bundle, contentType: 'application/fhir+json' })).toEqual([]);
    const prac = of<Practitioner>(bundle, 'Practitioner')[0]!.resource;
    delete prac.identifier![0]!.system; // FR Core: Practitioner.identifier.system 1..1
    expect(await validate({ content: bundle, contentType: 'application/fhir+json' })).toEqual([expect.objectContaining({ severity: 'error', code: 'FHIR_PROFILE', path: expect.stringContaining('Practitioner.identifier') })]);
  });

  it('a corrected report updates the same resources; a deleted one marks them entered-in-error', () => {
    const first = map(r()).bundle;
    const v2 = map({ ...r(), status: 'corrected', version: 2, documentId: { system: 'urn:oid:1.2.250.1.999.1.1.7', value: 'CRACP-2026-118734-V2' } }).bundle;
    expect(v2.entry!.map((e) => e.request!.url)).toEqual(first.entry!.map((e) => e.request!.url)); // the same resources
    expect(of<DiagnosticReport>(v2, 'DiagnosticReport')[0]!.resource.status).toBe('corrected');
    expect(of<DocumentReference>(v2, 'DocumentReference')[0]!.resource).toMatchObject({ docStatus: 'amended', masterIdentifier: { value: 'CRACP-2026-118734-V2' } });
    expect(of<Observation>(v2, 'Observation')[0]!.resource.status).toBe('corrected');
    const gone = map({ ...r(), status: 'entered-in-error' }).bundle;
    expect(of<DiagnosticReport>(gone, 'DiagnosticReport')[0]!.resource.status).toBe('entered-in-error');
    expect(of<DocumentReference>(gone, 'DocumentReference')[0]!.resource.status).toBe('entered-in-error');
    expect(of<Observation>(gone, 'Observation').every((o) => o.resource.status === 'entered-in-error')).toBe(true);
  });
});

describe('crap-to-fhir: the other forms', () => {
  it('APSR 1: a cancelled entry has no value and says why', async () => {
    const { bundle } = map(report('apsr1-breast.xml'));
    const er = of<Observation>(bundle, 'Observation').find((o) => o.resource.code.coding?.[0]?.code === '16112-5')!.resource;
    expect(er).toMatchObject({ status: 'cancelled', dataAbsentReason: { coding: [{ code: 'not-performed' }] } });
    expect(er.valueCodeableConcept).toBeUndefined();
    expect(of<Observation>(bundle, 'Observation').find((o) => o.resource.code.coding?.[0]?.code === '44648-4')!.resource.valueString).toBe('SBR II (3+2+1)');
    expect(of<Specimen>(bundle, 'Specimen')).toEqual([]);
    expect(await validate({ content: bundle, contentType: 'application/fhir+json' })).toEqual([]);
  });

  it('ORU + PDF: no Observation; the PDF kept as sent; specimen from SPM', async () => {
    const r = report('oru-pdf.hl7');
    const { bundle, keys } = map(r);
    expect(bundle.entry!.map((e) => e.resource!.resourceType)).toEqual(['Organization', 'Practitioner', 'Specimen', 'Binary', 'DocumentReference', 'DiagnosticReport']);
    expect(of<Binary>(bundle, 'Binary')[0]!.resource).toMatchObject({ contentType: 'application/pdf', data: fs.readFileSync(path.join(root, 'fixtures/crap/pdf/A26-009921.pdf')).toString('base64') });
    const dr = of<DiagnosticReport>(bundle, 'DiagnosticReport')[0]!.resource;
    expect(dr.result).toBeUndefined();
    expect(dr.code.coding![0]!.code).toBe('11526-1');
    expect(keys.document).toEqual(['urn:oid:1.2.250.1.999.4.2|A26-009921']);
    expect(await validate({ content: bundle, contentType: 'application/fhir+json' })).toEqual([]);
  });

  it('PDF + sidecar: a date-only validation is not an instant (issued omitted), the effective date is kept', async () => {
    const r = report('envelopes/G26-000731.xml-sidecar.json');
    const { bundle } = map({ ...r, issued: '2026-11-10' });
    const dr = of<DiagnosticReport>(bundle, 'DiagnosticReport')[0]!.resource;
    expect(dr.issued).toBeUndefined();
    expect(dr.effectiveDateTime).toBe('2026-11-07');
    expect(of<DocumentReference>(bundle, 'DocumentReference')[0]!.resource.date).toBeUndefined();
    expect(await validate({ content: map(r).bundle, contentType: 'application/fhir+json' })).toEqual([]);
  });

  it('a PDF above 1 MB passes the profiles (a Binary payload is not refused for its size)', async () => {
    const r = report('oru-pdf.hl7');
    const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(3 * 1024 * 1024, 0x41)]).toString('base64');
    const { bundle } = map({ ...r, document: { ...r.document, base64: big, size: 3 * 1024 * 1024 + 9 } });
    expect(of<Binary>(bundle, 'Binary')[0]!.resource.data).toBe(big);
    expect(await validate({ content: bundle, contentType: 'application/fhir+json' })).toEqual([]);
  });

  it('without pathologist nor laboratory, no performer is invented', () => {
    const r = report('oru-pdf.hl7');
    const { bundle } = map({ ...r, pathologist: undefined, laboratory: undefined });
    expect(bundle.entry!.map((e) => e.resource!.resourceType)).toEqual(['Specimen', 'Binary', 'DocumentReference', 'DiagnosticReport']);
    const dr = of<DiagnosticReport>(bundle, 'DiagnosticReport')[0]!.resource;
    expect(dr.performer).toBeUndefined();
    expect(dr.resultsInterpreter).toBeUndefined();
  });

  it('identifier values with search delimiters are escaped in the conditional patient reference', () => {
    const r = report('oru-pdf.hl7');
    const { bundle } = map({ ...r, patient: { ...r.patient, ins: undefined, ipp: [{ system: 'urn:oid:1.2.3', value: 'A,1|2' }] } });
    expect(decoded(of<DiagnosticReport>(bundle, 'DiagnosticReport')[0]!.resource.subject!.reference!)).toBe('Patient?identifier=urn:oid:1.2.3|A\\,1\\|2');
  });

  it('a transaction too large for some servers is said', () => {
    const r = report('cr-acp-colon.xml');
    const many = Array.from({ length: 60 }, (_, i) => ({ ...r.observations[0]!, key: `x.${i}`, members: [] }));
    expect(crapToFhir.map({ ...r, observations: many }, ctx).issues).toEqual([expect.objectContaining({ severity: 'warning', code: 'CRAP_LARGE_TRANSACTION' })]);
  });
});
