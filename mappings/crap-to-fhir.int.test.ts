import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, DiagnosticReport, DocumentReference, Observation, Patient, Practitioner, Resource } from '@medplum/fhirtypes';
import { startTestFhirServer, type TestFhirServer } from '../src/devtools/fhir-server.js';
import { DeliveryError, type Sender } from '../src/engine/define.js';
import { fhirDestination } from '../src/destinations/fhir.js';
import { readPathologyReport, type PathologyReport } from '../src/formats/pathology-report/index.js';
import crapToFhir from './crap-to-fhir.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const report = (name: string): PathologyReport => readPathologyReport(fs.readFileSync(path.join(root, 'fixtures/crap', name)), { maxBytes: 1 << 26 }).value!;
const ctx = { channelId: 'crap', messageId: 'm', receivedAt: new Date() };

/** The mapped transactions sent by the real fhir destination to a real FHIR server (medplum router) over HTTP. */
describe('crap-to-fhir → fhir destination → FHIR server', () => {
  let fhir: TestFhirServer;
  let sender: Sender;
  let durand: Patient;
  const opts = () => fhirDestination.options.parse({ baseUrl: fhir.baseUrl, clientConditionals: true });
  const send = async (r: PathologyReport) => {
    const encoded = fhirDestination.encode(crapToFhir.map(r, ctx).output!, opts()).encoded!;
    return sender.send(encoded, { messageId: 'm', destinationId: 'dcc-fhir' });
  };
  const all = async <T extends Resource>(type: T['resourceType'], query = '') => {
    const b = (await (await fetch(`${fhir.baseUrl}/${type}?_count=200${query}`)).json()) as Bundle<T>;
    return (b.entry ?? []).map((e) => e.resource!);
  };

  beforeAll(async () => {
    fhir = await startTestFhirServer();
    sender = await fhirDestination.createSender(opts(), { channelId: 'crap', destinationId: 'dcc-fhir', baseDir: root, dataDir: root, logger: pino({ level: 'silent' }) });
    durand = await fhir.repo.createResource<Patient>({ resourceType: 'Patient', identifier: [{ system: 'urn:oid:1.2.250.1.213.1.4.8', value: '258066912304592' }], name: [{ family: 'DURAND' }] });
    // a pathologist already known to the DCC, with more than a report says: never overwritten
    await fhir.repo.createResource<Practitioner>({ resourceType: 'Practitioner', identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810101234567' }], name: [{ family: 'FONTAINE', given: ['Claire', 'Marie'] }], telecom: [{ system: 'email', value: 'c.fontaine@example.org' }] });
  });
  afterAll(() => fhir?.close());

  it('files the structured CDA linked to the existing Patient, the Practitioner and the Organization', async () => {
    await send(report('cr-acp-colon.xml'));
    const [dr] = await all<DiagnosticReport>('DiagnosticReport');
    expect(dr!.subject?.reference).toBe(`Patient/${durand.id}`);
    const [prac] = await all<Practitioner>('Practitioner');
    expect(prac!.telecom?.[0]?.value).toBe('c.fontaine@example.org');
    expect(dr!.resultsInterpreter?.[0]?.reference).toBe(`Practitioner/${prac!.id}`);
    const obs = await all<Observation>('Observation');
    expect(obs).toHaveLength(13);
    expect(obs.every((o) => o.subject?.reference === `Patient/${durand.id}`)).toBe(true);
    expect(dr!.result).toHaveLength(10);
    const stage = obs.find((o) => o.code.coding?.[0]?.code === '21902-2')!;
    expect(stage.hasMember!.map((m) => m.reference!.split('/')[0])).toEqual(['Observation', 'Observation', 'Observation']);
    const [doc] = await all<DocumentReference>('DocumentReference');
    const binary = await (await fetch(`${fhir.baseUrl}/${doc!.content[0]!.attachment.url}`)).json();
    expect(Buffer.from(binary.data, 'base64').equals(fs.readFileSync(path.join(root, 'fixtures/crap/cr-acp-colon.xml')))).toBe(true);
    expect(doc!.context?.related?.[0]?.reference).toBe(`DiagnosticReport/${dr!.id}`);
    expect((await all('Organization')).map((o) => (o as { name?: string }).name)).toEqual(["Cabinet d'anatomie et cytologie pathologiques des Brotteaux"]);
  });

  it('re-sending the same report creates nothing new; a corrected version updates the same resources', async () => {
    const count = async () => Object.fromEntries(await Promise.all(['DiagnosticReport', 'DocumentReference', 'Observation', 'Specimen', 'Practitioner', 'Organization', 'Binary', 'Patient'].map(async (t) => [t, (await all(t as Resource['resourceType'])).length] as const)));
    const before = await count();
    await send(report('cr-acp-colon.xml'));
    expect(await count()).toEqual(before);
    const v2 = { ...report('cr-acp-colon.xml'), status: 'corrected' as const, conclusion: 'Conclusion corrigée.' };
    await send(v2);
    expect(await count()).toEqual(before);
    const [dr] = await all<DiagnosticReport>('DiagnosticReport');
    expect(dr).toMatchObject({ status: 'corrected', conclusion: 'Conclusion corrigée.' });
  });

  it('an unknown patient is refused by the sender (permanent), nothing is written', async () => {
    const before = (await all('DiagnosticReport')).length;
    const e = await send(report('oru-pdf.hl7')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DeliveryError);
    expect((e as DeliveryError).permanent).toBe(true);
    expect((await all('DiagnosticReport')).length).toBe(before);
    await fhir.repo.createResource<Patient>({ resourceType: 'Patient', identifier: [{ system: 'urn:oid:1.2.250.1.999.2.3', value: '8800123' }] });
    await send(report('oru-pdf.hl7')); // found by its IPP now
    expect((await all('DiagnosticReport')).length).toBe(before + 1);
  });
});
