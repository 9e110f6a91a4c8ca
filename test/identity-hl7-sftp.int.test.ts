import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from '@medplum/fhirtypes';
import { Engine } from '../src/runtime/engine.js';
import { startTestFhirServer, type TestFhirServer } from '../src/devtools/fhir-server.js';
import { eventually, repoRoot, tmpDir } from './helpers.js';
import { startTestEngine } from './test-engine.js';
import { startTestSshd, type TestSshd } from './sshd-server.js';

/**
 * The real identity-hl7-sftp channel file on the engine (real Redis and PostgreSQL): an HL7 v2 batch file of ADT
 * A28/A31 dropped on a real OpenSSH sshd is split into its messages, each mapped to an FR Core Patient in a real FHIR
 * server; an admission slipped into an identity batch is refused alone. The channel ships disabled; env enables it.
 */
describe('identity-hl7-sftp channel end to end', () => {
  let engine: Engine;
  let fhir: TestFhirServer;
  let sshd: TestSshd;
  const dir = tmpDir('e2e-hl7-sftp');
  const env: Record<string, string> = {};
  const folder = 'hospital/identity-hl7';

  beforeAll(async () => {
    sshd = await startTestSshd();
    fhir = await startTestFhirServer();
    fs.mkdirSync(path.join(sshd.root, folder), { recursive: true });
    const channels = path.join(dir, 'channels');
    fs.mkdirSync(channels);
    fs.copyFileSync(path.join(repoRoot, 'channels', 'identity-hl7-sftp.yaml'), path.join(channels, 'identity-hl7-sftp.yaml'));
    Object.assign(env, {
      SFTP_IDENTITY_HL7_ENABLED: 'true',
      SFTP_IDENTITY_HOST: sshd.host,
      SFTP_IDENTITY_PORT: String(sshd.port),
      SFTP_IDENTITY_USER: sshd.user,
      SFTP_IDENTITY_HL7_DIR: folder,
      SFTP_IDENTITY_HOST_KEY: sshd.hostKeyFingerprint,
      SFTP_IDENTITY_KEY: sshd.privateKeyPath,
      DCC_FHIR_URL: fhir.baseUrl,
      FR_CORE_DIR: path.resolve(repoRoot, '../shared/fhir/fr-core-2.0.0'),
    });
    Object.assign(process.env, env);
    engine = await startTestEngine(channels, { dir, name: 'e2ehl7sftp' });
    expect(engine.channels.map((c) => c.config.id)).toEqual(['identity-hl7-sftp']);
  });
  afterAll(async () => {
    await engine?.stop();
    await fhir?.close();
    await sshd?.stop();
    for (const k of Object.keys(env)) delete process.env[k];
  });

  const drop = (name: string) => {
    const inbox = path.join(sshd.root, folder);
    fs.copyFileSync(path.join(repoRoot, 'fixtures/hl7v2/identity-batch', name), path.join(inbox, `.${name}.part`));
    fs.renameSync(path.join(inbox, `.${name}.part`), path.join(inbox, name));
  };
  const patients = async (identifier: string) => {
    const r = await fetch(`${fhir.baseUrl}/Patient?identifier=${encodeURIComponent(identifier)}`);
    return ((await r.json()) as { entry?: { resource: Patient }[] }).entry?.map((e) => e.resource) ?? [];
  };
  const partsOf = async (name: string) =>
    (await engine.store.find({ channelId: 'identity-hl7-sftp', limit: 1000 }))
      .filter((m) => m.source_ref?.includes(`/${folder}/${name}#`))
      .sort((a, b) => (a.part_index ?? 0) - (b.part_index ?? 0));
  const archived = (name: string) => {
    const d = new Date();
    return fs.existsSync(path.join(sshd.root, folder, 'archive', String(d.getUTCFullYear()), String(d.getUTCMonth() + 1).padStart(2, '0'), name));
  };

  it('a batch of A28/A31 becomes one message per identity and FR Core Patients in the DCC; the file is archived', async () => {
    drop('identites-a28-a31.hl7');
    const parts = await eventually(async () => {
      const all = await partsOf('identites-a28-a31.hl7');
      return all.length === 3 && all.every((m) => m.status === 'delivered') ? all : undefined;
    }, 60_000, 'three identities delivered');
    expect(parts.map((m) => m.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(parts[1]!.issues.map((i) => i.code)).toContain('INS_NOT_QUALIFIED');
    const expected = JSON.parse(fs.readFileSync(path.join(repoRoot, 'fixtures/hl7v2/identity-batch/expected/a28-create.dcc-fhir.json'), 'utf8')) as { entry: { resource: Patient }[] };
    const ipp = expected.entry[0]!.resource.identifier!.find((i) => !i.system!.startsWith('urn:oid:1.2.250.1.213.1.4.'))!;
    const [p] = await patients(`${ipp.system}|${ipp.value}`);
    expect(p?.name?.[0]?.family).toBe(expected.entry[0]!.resource.name?.[0]?.family);
    const unqualified = JSON.parse(fs.readFileSync(path.join(repoRoot, 'fixtures/hl7v2/identity-batch/expected/a31-ins-not-qualified.dcc-fhir.json'), 'utf8')) as { entry: { resource: Patient }[] };
    const [q] = await patients(`${unqualified.entry[0]!.resource.identifier![0]!.system}|${unqualified.entry[0]!.resource.identifier![0]!.value}`);
    expect(q).toBeDefined();
    expect(q!.identifier?.some((i) => i.system?.startsWith('urn:oid:1.2.250.1.213.1.4.'))).toBe(false); // INS not propagated
    await eventually(() => archived('identites-a28-a31.hl7'), 10_000, 'file archived');
  }, 90_000);

  it('an admission inside an identity batch is stored rejected with a clear issue; the identity next to it goes through', async () => {
    drop('with-admission.hl7');
    const parts = await eventually(async () => {
      const all = await partsOf('with-admission.hl7');
      return all.length === 2 && all.every((m) => ['delivered', 'rejected'].includes(m.status)) ? all : undefined;
    }, 60_000, 'two messages processed');
    expect(parts.map((m) => m.status)).toEqual(['delivered', 'rejected']);
    expect(parts[1]!.issues).toEqual([expect.objectContaining({ code: 'HL7_MESSAGE_TYPE' })]);
  }, 90_000);
});
