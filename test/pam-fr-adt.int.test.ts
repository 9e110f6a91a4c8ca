import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Encounter, Organization, Patient, Resource } from '@medplum/fhirtypes';
import { Engine } from '../src/runtime/engine.js';
import { freePort } from '../src/infra/free-port.js';
import { startTestFhirServer, type TestFhirServer } from '../src/devtools/fhir-server.js';
import { createMllpClient, type MllpClient } from '../src/net/mllp/index.js';
import { Hl7TestPeer } from '../src/net/mllp/test-hl7-peer.js';
import { parseHl7 } from '../src/formats/hl7v2/index.js';
import type { MessageRow } from '../src/store/message-store.js';
import { eventually, repoRoot, tmpDir } from './helpers.js';
import { startTestEngine } from './test-engine.js';

const ANS = path.resolve(repoRoot, '../shared/ans/hl7v2-exemples');
const FIX = path.join(repoRoot, 'fixtures/hl7v2/pam-fr');
const CONSENT = ['ConsentementConsultation_NonOppositionAlimentation', 'NonConsentementConsultation_NonOppositionAlimentation', 'NonConsentementConsultation_OppositionAlimentation', 'NonRecueillieConsentementConsultation_NonOppositionAlimentation', 'NonRecueillieConsentementConsultation_NonRecueillieOppositionAlimentation'].map((n) => path.join(ANS, 'Vague 2/Consentement_DMP_PAMFR', `${n}.er7`));
const ANS_FILES = [...CONSENT, path.join(ANS, 'SGL/admission.er7'), path.join(ANS, 'SGL/sortie.er7')];
const ANS_SYS = 'urn:oid:1.2.250.1.71.4.2.2.1000897406'; // CHU-X has no OID: FINESS 000897406 under the ANS structure root
const SYS = 'urn:oid:1.2.250.1.211.10.200.2';

/**
 * The real pam-fr-adt channel file on Engine.start (real Redis and PostgreSQL): a real MLLP client sends the ANS
 * PAM FR examples and our own messages to the mllp source, the DCC is the test FHIR server over HTTP, and the
 * forward destination relays the HL7 messages to a real MLLP peer.
 */
describe('pam-fr-adt channel end to end', () => {
  let engine: Engine;
  let fhir: TestFhirServer;
  let peer: Hl7TestPeer;
  let client: MllpClient;
  const dir = tmpDir('pam-fr');
  const saved = { ...process.env };

  beforeAll(async () => {
    fhir = await startTestFhirServer();
    peer = await new Hl7TestPeer().start();
    const port = await freePort();
    Object.assign(process.env, {
      PAM_FR_MLLP_PORT: String(port),
      DCC_FHIR_URL: fhir.baseUrl,
      FR_CORE_DIR: path.resolve(repoRoot, '../shared/fhir/fr-core-2.0.0'),
      PAM_FR_FORWARD: 'true',
      PAM_FR_FORWARD_PORT: String(peer.port),
      // the other repository channel (identity-csv) watches folders: keep them out of the repository
      RELAIS_INBOX: path.join(dir, 'inbox'),
      RELAIS_OUTBOX: path.join(dir, 'outbox'),
    });
    engine = await startTestEngine(path.join(repoRoot, 'channels'), { dir, name: 'pamfr' });
    client = createMllpClient({ host: '127.0.0.1', port, tls: false, ackTimeoutMs: 30_000 });
  });
  afterAll(async () => {
    await client?.close();
    await engine?.stop();
    await fhir?.close();
    await peer?.kill();
    process.env = saved;
  });

  /** Sends one message and returns MSA-1 of its ACK (sent only once the message is stored). */
  const send = async (bytes: Buffer): Promise<string> => parseHl7(await client.send(bytes)).message!.get('MSA-1');
  const messages = () => engine.store.find({ channelId: 'pam-fr-adt', limit: 1000 });
  const settled = (m: MessageRow) => ['delivered', 'rejected', 'held', 'error'].includes(m.status);
  const waitAll = (n: number) => eventually(async () => {
    const all = await messages();
    return all.length >= n && all.every(settled) ? all : undefined;
  }, 60_000, `${n} messages settled`);
  const search = async <T extends Resource>(type: string, query: string): Promise<T[]> => {
    const r = await fetch(`${fhir.baseUrl}/${type}?${query}`);
    return ((await r.json()) as Bundle<T>).entry?.map((e) => e.resource!) ?? [];
  };
  const byIdentifier = <T extends Resource>(type: string, system: string, value: string) => search<T>(type, `identifier=${encodeURIComponent(`${system}|${value}`)}`);

  it('takes the ANS examples over MLLP: one patient, INS kept (VALI, valid key), visits and movements, the SGL discharge finishes the visit', async () => {
    const acks: string[] = [];
    for (const f of ANS_FILES) acks.push(await send(fs.readFileSync(f)));
    // the SGL admission template reuses MSH-10 3975 of the first consent example from the same sender (GAM, CHU-X):
    // it is stored as rejected (HL7_CONTROL_ID_REUSED) and refused, never silently dropped
    expect(acks).toEqual(['AA', 'AA', 'AA', 'AA', 'AA', 'AR', 'AA']);
    const all = await waitAll(7);
    expect(all.filter((m) => m.status === 'delivered')).toHaveLength(6);
    const reused = all.find((m) => m.status === 'rejected')!;
    expect(reused.issues).toEqual([expect.objectContaining({ code: 'HL7_CONTROL_ID_REUSED' })]);

    const [p, ...others] = await byIdentifier<Patient>('Patient', ANS_SYS, '000003');
    expect(others).toEqual([]);
    expect(p!.identifier?.map((i) => `${i.system}|${i.value}`)).toEqual([`${ANS_SYS}|000003`, 'urn:oid:1.2.250.1.213.1.4.10|279035121518989']);
    expect(p!.name).toEqual([{ use: 'official', family: 'PAT-TROIS', given: ['DOMINIQUE'] }]);
    expect(p!.meta?.profile).toEqual(['http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient']);

    const [visit] = await byIdentifier<Encounter>('Encounter', ANS_SYS, '000897406');
    expect(visit).toMatchObject({ status: 'finished', subject: { reference: `Patient/${p!.id}` }, period: { end: '2024-03-06T11:00:00+01:00' } });
    const [other] = await byIdentifier<Encounter>('Encounter', ANS_SYS, '000297406');
    expect(other).toMatchObject({ status: 'in-progress', class: { code: 'IMP' }, period: { start: '2024-03-09T11:00:00+01:00' } });
    expect(JSON.stringify(other!.participant)).toContain('Pierre Réault'); // UTF-8 accents through MLLP
    const [discharge] = await byIdentifier<Encounter>('Encounter', ANS_SYS, '002');
    expect(discharge).toMatchObject({ status: 'finished', partOf: { reference: `Encounter/${visit!.id}` } });
    const [uf] = await byIdentifier<Organization>('Organization', ANS_SYS, '6268');
    expect(uf).toMatchObject({ name: 'Chir V', meta: { profile: ['http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-organization-uf'] } });
    expect(other!.serviceProvider).toMatchObject({ reference: `Organization/${uf!.id}`, display: 'Chir V' });
    expect(await byIdentifier('Organization', ANS_SYS, '6268')).toHaveLength(1); // five messages, one UF
    // the business keys make the messages findable by patient
    expect((await engine.store.find({ key: `${ANS_SYS}|000003` })).length).toBe(6);
  });

  it('forwards every message it processed to the MLLP peer, unchanged but for CR segment ends', async () => {
    const forwarded = await eventually(() => (peer.received.length >= 6 ? peer.received : undefined), 30_000, 'forwarded messages');
    expect(forwarded.map((r) => r.controlId)).toEqual(['3975', '3976', '3977', '3978', '3979', '3995']);
    const first = fs.readFileSync(CONSENT[0]!, 'utf8').replace(/\n+/g, '\r');
    expect(forwarded[0]!.payload.toString('utf8')).toBe(first);
  });

  it('a movement journey: admit, transfer, cancel transfer, discharge, cancel discharge; Latin-1 accents intact; INS only when qualified', async () => {
    const before = (await messages()).length;
    const files = ['a28-create', 'a01-admit', 'a02-transfer', 'a12-cancel-transfer', 'a03-discharge', 'a13-cancel-discharge', 'a31-update-latin1'];
    for (const f of files) expect(await send(fs.readFileSync(path.join(FIX, `${f}.hl7`))), f).toBe('AA');
    // another patient, identity not qualified: no INS on the server
    const unqualified = fs.readFileSync(path.join(FIX, 'a28-create.hl7'), 'utf8').replace('PAMFR-0001', 'PAMFR-9001').replace(/0123456\^/g, '0555001^').replace('|VALI|', '|PROV|').replace('285057505612338', '255081416802538');
    expect(await send(Buffer.from(unqualified, 'utf8'))).toBe('AA');
    const all = await waitAll(before + files.length + 1);
    expect(all.filter((m) => m.status !== 'delivered' && m.status !== 'rejected')).toEqual([]);

    const [p] = await byIdentifier<Patient>('Patient', SYS, '0123456');
    expect(p!.name?.[0]).toMatchObject({ family: 'DUPONT', given: ['HÉLÈNE FRANÇOISE HÉLOÏSE'] });
    expect(p!.name?.[1]).toMatchObject({ family: 'LEFÈVRE', given: ['Héloïse'] });
    expect(p!.address?.[0]?.city).toBe('Besançon');
    expect(p!.identifier?.some((i) => i.value === '285057505612338')).toBe(true);
    const [q] = await byIdentifier<Patient>('Patient', SYS, '0555001');
    expect(q!.identifier?.map((i) => i.value)).toEqual(['0555001']);

    const [visit, ...dup] = await byIdentifier<Encounter>('Encounter', SYS, 'V2026001');
    expect(dup).toEqual([]);
    expect(visit).toMatchObject({ status: 'in-progress', period: { start: '2026-01-12T09:00:00+01:00' } }); // discharge cancelled
    expect(visit!.period?.end).toBeUndefined();
    expect(visit!.location?.[0]?.location.display).toBe('UF 4012'); // the transfer was cancelled
    const [transfer] = await byIdentifier<Encounter>('Encounter', SYS, 'M0002');
    expect(transfer!.status).toBe('entered-in-error');
    const [dischargeMovement] = await byIdentifier<Encounter>('Encounter', SYS, 'M0005');
    expect(dischargeMovement!.status).toBe('entered-in-error');
  });

  it('A40: both patients stay, linked (replaces / replaced-by), the merged one inactive', async () => {
    const before = (await messages()).length;
    for (const f of ['a28-merge-source', 'a28-merge-target', 'a40-merge']) expect(await send(fs.readFileSync(path.join(FIX, `${f}.hl7`)))).toBe('AA');
    await waitAll(before + 3);
    const [survivor] = await byIdentifier<Patient>('Patient', SYS, '0777001');
    const [merged] = await byIdentifier<Patient>('Patient', SYS, '0777002');
    expect(survivor).toMatchObject({ active: true, link: [{ type: 'replaces', other: { reference: `Patient/${merged!.id}` } }] });
    expect(merged).toMatchObject({ active: false, link: [{ type: 'replaced-by', other: { reference: `Patient/${survivor!.id}` } }] });
    expect(merged!.identifier?.map((i) => i.value)).toEqual(['0777002']);
  });

  it('re-sending a message (new control ID) updates, never duplicates; an unsupported event is stored as rejected and acknowledged', async () => {
    const before = (await messages()).length;
    const again = fs.readFileSync(path.join(FIX, 'a01-admit.hl7'), 'utf8').replace('PAMFR-0020', 'PAMFR-0020-BIS');
    expect(await send(Buffer.from(again, 'utf8'))).toBe('AA');
    expect(await send(fs.readFileSync(path.join(FIX, 'a14-unsupported.hl7')))).toBe('AA');
    const all = await waitAll(before + 2);
    const unsupported = all.find((m) => m.source_message_id === 'PAMFR-0060')!;
    expect(unsupported.status).toBe('rejected');
    expect(unsupported.issues).toEqual([expect.objectContaining({ code: 'UNSUPPORTED_EVENT' })]);
    expect(await byIdentifier('Encounter', SYS, 'V2026001')).toHaveLength(1);
    expect(await byIdentifier('Encounter', SYS, 'M0001')).toHaveLength(1);
    expect(await byIdentifier('Patient', SYS, '0123456')).toHaveLength(1);
    expect(await byIdentifier('Organization', SYS, '4010')).toHaveLength(1);
  });
});
