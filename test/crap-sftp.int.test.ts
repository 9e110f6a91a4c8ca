import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, DiagnosticReport, DocumentReference, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { Engine } from '../src/runtime/engine.js';
import { startTestFhirServer, type TestFhirServer } from '../src/devtools/fhir-server.js';
import { parseHl7 } from '../src/formats/hl7v2/index.js';
import type { MessageRow } from '../src/store/message-store.js';
import { startTestEngine } from './test-engine.js';
import { eventually, repoRoot, tmpDir } from './helpers.js';
import { crapFile, oruPdf } from './crap-fixtures.js';
import { startTestSshd, type TestSshd } from './sshd-server.js';

const INS = 'urn:oid:1.2.250.1.213.1.4.8';

/**
 * The real crap-sftp and crap-sftp-pdf channel files on the engine (real Redis and PostgreSQL), fetching pathology
 * reports from a real OpenSSH sshd and filing them in a real FHIR server (medplum router, the DCC stand-in) preloaded
 * with the Patients. Both files ship disabled; the test enables its copies and configures them by env.
 */
describe('crap-sftp channels end to end', () => {
  let engine: Engine;
  let fhir: TestFhirServer;
  let sshd: TestSshd;
  const dir = tmpDir('e2e-crap');
  const env: Record<string, string> = {};
  const patients: Record<string, Patient> = {};

  beforeAll(async () => {
    sshd = await startTestSshd();
    fhir = await startTestFhirServer();
    for (const [name, ins, ipp] of [
      ['DURAND', '258066912304592', undefined], // CR-ACP CDA file
      ['MOREL', '277069201203339', undefined], // ORU + CDA
      ['BERNARD', undefined, ['urn:oid:1.2.250.1.999.2.3', '8800123']], // ORU + PDF: the DCC knows only the IPP
      ['PETIT', '149021305504495', undefined], // PDF + JSON sidecar
      ['ROUSSEL', '282103155507811', undefined], // PDF + XML sidecar
    ] as const) {
      patients[name] = await fhir.repo.createResource<Patient>({
        resourceType: 'Patient',
        identifier: [...(ins ? [{ system: INS, value: ins }] : []), ...(ipp ? [{ system: ipp[0], value: ipp[1] }] : [])],
        name: [{ family: name }],
      });
    }
    for (const d of ['crap', 'crap-pdf']) fs.mkdirSync(path.join(sshd.root, 'lab', d), { recursive: true });
    const channels = path.join(dir, 'channels');
    fs.mkdirSync(channels);
    for (const f of ['crap-sftp.yaml', 'crap-sftp-pdf.yaml']) {
      const text = fs.readFileSync(path.join(repoRoot, 'channels', f), 'utf8');
      expect(text.match(/^enabled: false$/m)).toHaveLength(1);
      fs.writeFileSync(path.join(channels, f), text.replace(/^enabled: false$/m, 'enabled: true'));
    }
    Object.assign(env, {
      SFTP_CRAP_HOST: sshd.host,
      SFTP_CRAP_PORT: String(sshd.port),
      SFTP_CRAP_USER: sshd.user,
      SFTP_CRAP_DIR: 'lab/crap',
      SFTP_CRAP_PDF_DIR: 'lab/crap-pdf',
      SFTP_CRAP_HOST_KEY: sshd.hostKeyFingerprint,
      SFTP_CRAP_KEY: sshd.privateKey,
      DCC_FHIR_URL: fhir.baseUrl,
      FR_CORE_DIR: path.resolve(repoRoot, '../shared/fhir/fr-core-2.0.0'),
    });
    Object.assign(process.env, env);
    engine = await startTestEngine(channels, { dir, name: 'e2ecrap' });
  });
  afterAll(async () => {
    await engine?.stop();
    await fhir?.close();
    await sshd?.stop();
    for (const k of Object.keys(env)) delete process.env[k];
  });

  /** Writes a file on the SFTP server the way senders do: a dot file renamed when complete. */
  const drop = (folder: string, name: string, content: Buffer | string) => {
    const inbox = path.join(sshd.root, 'lab', folder);
    fs.writeFileSync(path.join(inbox, `.${name}.part`), content);
    fs.renameSync(path.join(inbox, `.${name}.part`), path.join(inbox, name));
  };
  const archived = (folder: string, name: string) => {
    const d = new Date();
    return fs.existsSync(path.join(sshd.root, 'lab', folder, 'archive', String(d.getUTCFullYear()), String(d.getUTCMonth() + 1).padStart(2, '0'), name));
  };
  const search = async <T extends Resource>(query: string): Promise<T[]> => {
    const b = (await (await fetch(`${fhir.baseUrl}/${query}`)).json()) as Bundle<T>;
    return (b.entry ?? []).map((e) => e.resource!);
  };
  const reportsOf = (p: Patient) => search<DiagnosticReport>(`DiagnosticReport?subject=Patient/${p.id}`);
  const messageFor = (channel: string, name: string, status: string) =>
    eventually(async () => {
      const found = (await engine.store.find({ channelId: channel, limit: 100 })).find((m) => m.source_ref?.endsWith(`/${name}`));
      return found?.status === status ? found : undefined;
    }, 60_000, `${name} ${status}`);
  /** The `relais` command as an operator runs it; asynchronous: the engine it talks to runs in this process. */
  const relais = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(repoRoot, 'bin/relais.mjs'), ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, RELAIS_DATA_DIR: path.join(dir, 'data') }, timeout: 60_000 }, (err, stdout, stderr) =>
        resolve({ status: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });

  /** The report's resources in the DCC: one DiagnosticReport and its DocumentReference, linked to the Patient. */
  async function filed(p: Patient, value: string) {
    const [dr] = await eventually(async () => {
      const found = (await reportsOf(p)).filter((r) => r.identifier?.[0]?.value === value);
      return found.length ? found : undefined;
    }, 30_000, `DiagnosticReport ${value}`);
    expect(dr!.subject?.reference).toBe(`Patient/${p.id}`);
    expect(dr!.category?.[0]?.coding?.[0]).toMatchObject({ system: 'http://loinc.org', code: 'LP7839-6' });
    const docs = await search<DocumentReference>(`DocumentReference?subject=Patient/${p.id}`);
    const doc = docs.find((d) => d.identifier?.[0]?.value === value)!;
    expect(doc).toBeDefined();
    expect(doc.context?.related?.[0]?.reference).toBe(`DiagnosticReport/${dr!.id}`);
    const binary = (await (await fetch(`${fhir.baseUrl}/${doc.content[0]!.attachment.url}`)).json()) as { data: string; contentType: string };
    return { dr: dr!, doc, document: Buffer.from(binary.data, 'base64'), contentType: binary.contentType };
  }

  it('an ORU^R01 with a PDF, an ORU^R01 with a CDA and a CR-ACP CDA file are filed with the right patients', async () => {
    drop('crap', 'A26-009921.hl7', fs.readFileSync(crapFile('oru-pdf.hl7')));
    drop('crap', 'B26-120055.hl7', fs.readFileSync(crapFile('oru-cda.hl7')));
    drop('crap', 'CRACP-2026-118734.xml', fs.readFileSync(crapFile('cr-acp-colon.xml')));

    const pdf = await filed(patients.BERNARD!, 'A26-009921');
    expect(pdf.contentType).toBe('application/pdf');
    expect(pdf.document.equals(fs.readFileSync(crapFile('pdf/A26-009921.pdf')))).toBe(true);
    expect(pdf.dr.result).toBeUndefined();

    const oruCda = await filed(patients.MOREL!, 'CRACP-2026-120055');
    expect(oruCda.document.toString('utf8')).toBe(fs.readFileSync(crapFile('oru-cda-embedded.xml'), 'utf8'));
    expect(oruCda.dr.result).toHaveLength(10);

    const cda = await filed(patients.DURAND!, 'CRACP-2026-118734');
    expect(cda.document.equals(fs.readFileSync(crapFile('cr-acp-colon.xml')))).toBe(true);
    const obs = await search<Observation>(`Observation?subject=Patient/${patients.DURAND!.id}&_count=100`);
    expect(obs).toHaveLength(13);
    const byCode = (c: string) => obs.find((o) => o.code.coding?.[0]?.code === c)!;
    expect(byCode('84882-0').valueCodeableConcept?.coding?.[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: '8140/3' });
    expect(byCode('21902-2').hasMember).toHaveLength(3);
    expect(cda.dr.specimen?.[0]?.reference).toMatch(/^Specimen\//);
    expect(cda.dr.resultsInterpreter?.[0]?.reference).toMatch(/^Practitioner\//);

    for (const name of ['A26-009921.hl7', 'B26-120055.hl7', 'CRACP-2026-118734.xml']) {
      await messageFor('crap-sftp', name, 'delivered');
      await eventually(() => archived('crap', name), 10_000, `${name} archived`);
    }
    // both CR-ACP come from the same laboratory and pathologist: one Organization, one Practitioner
    const labs = await search(`Organization?identifier=${encodeURIComponent('urn:oid:1.2.250.1.71.4.2.2|1690012345')}`);
    expect(labs).toHaveLength(1);
    const pathologists = await search(`Practitioner?identifier=${encodeURIComponent('urn:oid:1.2.250.1.71.4.2.1|810101234567')}`);
    expect(pathologists).toHaveLength(1);
  }, 120_000);

  it('a PDF with its JSON sidecar and a PDF with its XML sidecar are filed as pairs', async () => {
    drop('crap-pdf', 'P26-004412.json', fs.readFileSync(crapFile('sidecar/P26-004412.json')));
    drop('crap-pdf', 'P26-004412.pdf', fs.readFileSync(crapFile('sidecar/P26-004412.pdf')));
    drop('crap-pdf', 'G26-000731.pdf', fs.readFileSync(crapFile('sidecar/G26-000731.pdf')));
    drop('crap-pdf', 'G26-000731.xml', fs.readFileSync(crapFile('sidecar/G26-000731.xml')));
    const json = await filed(patients.PETIT!, 'P26-004412');
    expect(json.document.equals(fs.readFileSync(crapFile('sidecar/P26-004412.pdf')))).toBe(true);
    expect(json.dr.conclusion).toMatch(/^Adénocarcinome pulmonaire/);
    const xml = await filed(patients.ROUSSEL!, 'G26-000731');
    expect(xml.document.equals(fs.readFileSync(crapFile('sidecar/G26-000731.pdf')))).toBe(true);
    const m = await messageFor('crap-sftp-pdf', 'P26-004412.pdf', 'delivered');
    expect(m.source_ref).toMatch(/P26-004412\.pdf$/);
    for (const name of ['P26-004412.pdf', 'P26-004412.json', 'G26-000731.pdf', 'G26-000731.xml']) await eventually(() => archived('crap-pdf', name), 10_000, `${name} archived`);
  }, 120_000);

  it('a large report (a 6 MiB PDF in an ORU) goes through the whole chain unchanged', async () => {
    const pdf = Buffer.concat([fs.readFileSync(crapFile('pdf/A26-009921.pdf')), Buffer.alloc(6 * 1024 * 1024, 0x20)]);
    const msg = parseHl7(oruPdf(pdf)).message!;
    msg.set('OBR-3.1', 'A26-009930');
    msg.set('MSH-10', 'A26009930-1');
    drop('crap', 'A26-009930.hl7', msg.toString());
    const big = await filed(patients.BERNARD!, 'A26-009930');
    expect(big.document.equals(pdf)).toBe(true);
    expect(big.doc.content[0]!.attachment.size).toBe(pdf.length);
  }, 120_000);

  it('a corrected report updates the same resources: nothing is duplicated', async () => {
    const count = async () => (await Promise.all(['DiagnosticReport', 'DocumentReference', 'Specimen', 'Binary', 'Practitioner', 'Organization'].map(async (t) => (await search(`${t}?_count=500`)).length))).join(',');
    const before = await count();
    const msg = parseHl7(fs.readFileSync(crapFile('oru-pdf.hl7'))).message!;
    msg.set('OBX-11', 'C');
    msg.set('MSH-10', 'A26009921-2');
    drop('crap', 'A26-009921-corrige.hl7', msg.toString());
    await messageFor('crap-sftp', 'A26-009921-corrige.hl7', 'delivered');
    const [dr] = (await reportsOf(patients.BERNARD!)).filter((r) => r.identifier?.[0]?.value === 'A26-009921');
    expect(dr!.status).toBe('corrected');
    expect(await count()).toBe(before);
  }, 120_000);

  it('broken input is stored rejected with its issues, never sent', async () => {
    drop('crap', 'corrompu.hl7', fs.readFileSync(crapFile('broken/oru-corrupt-base64.hl7')));
    drop('crap', 'xxe.xml', fs.readFileSync(crapFile('broken/cda-doctype.xml')));
    const bad = await messageFor('crap-sftp', 'corrompu.hl7', 'rejected');
    expect(bad.issues).toEqual([expect.objectContaining({ code: 'CRAP_BASE64', path: 'OBX[1]-5.5' })]);
    const xxe = await messageFor('crap-sftp', 'xxe.xml', 'rejected');
    expect(xxe.issues).toEqual([expect.objectContaining({ code: 'XML_EXTERNAL_ENTITY' })]);
    expect(await engine.store.deliveries(bad.id)).toEqual([]);
  }, 120_000);

  it('a report whose patient is not in the DCC is held for identity review, then filed once the patient exists and it is replayed', async () => {
    drop('crap', 'APSR1-2026-55012.xml', fs.readFileSync(crapFile('apsr1-breast.xml')));
    const held: MessageRow = await messageFor('crap-sftp', 'APSR1-2026-55012.xml', 'held');
    expect(held.issues).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'PATIENT_NOT_FOUND', hold: true })]));
    expect(await engine.store.deliveries(held.id)).toEqual([]);
    expect(await search(`DiagnosticReport?identifier=${encodeURIComponent('urn:oid:1.2.250.1.999.3.1|APSR1-2026-55012')}`)).toEqual([]);
    await eventually(() => archived('crap', 'APSR1-2026-55012.xml'), 10_000, 'held file archived: it is stored'); // the source's job is done

    // the operator sees it
    const list = await relais(['messages', '--status', 'held', '--channel', 'crap-sftp']);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain(held.id);
    expect(list.stdout).toContain('PATIENT_NOT_FOUND');
    const metrics = await (await fetch(`${engine.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/relais_messages_processed_total\{channel="crap-sftp",status="held"\} 1/);

    // replayed before the identity is fixed: held again
    expect((await relais(['replay', held.id])).status).toBe(0);
    await eventually(async () => (await engine.store.events(held.id)).filter((e) => e.status === 'held').length === 2, 30_000, 'held again');

    // the identity is fixed (the patient is created in the DCC), the operator replays: filed
    const martin = await fhir.repo.createResource<Patient>({ resourceType: 'Patient', identifier: [{ system: INS, value: '271043306300702' }], name: [{ family: 'MARTIN' }] });
    const replay = await relais(['replay', held.id]);
    expect(replay.status).toBe(0);
    expect(replay.stdout).toContain('queued for processing again');
    await eventually(async () => (await engine.store.get(held.id))?.status === 'delivered', 30_000, 'delivered after replay');
    const filedReport = await filed(martin, 'APSR1-2026-55012');
    expect(filedReport.document.equals(fs.readFileSync(crapFile('apsr1-breast.xml')))).toBe(true);
    expect((await engine.store.events(held.id)).map((e) => e.status)).toEqual(['received', 'held', 'received', 'held', 'received', 'routed', 'sent']);
  }, 150_000);
});
