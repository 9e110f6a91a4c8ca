import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from '@medplum/fhirtypes';
import { Engine } from '../src/runtime/engine.js';
import { startTestFhirServer, type TestFhirServer } from '../src/devtools/fhir-server.js';
import { startTestEngine } from './test-engine.js';
import { eventually, repoRoot, tmpDir } from './helpers.js';
import { startTestSshd, type TestSshd } from './sshd-server.js';

/**
 * The real identity-sftp channel file on the engine (real Redis and PostgreSQL), fetching from a real OpenSSH sshd and
 * delivering to a real FHIR server. The file ships disabled; the test enables its copy and configures it by env.
 */
describe('identity-sftp channel end to end', () => {
  let engine: Engine;
  let fhir: TestFhirServer;
  let sshd: TestSshd;
  const dir = tmpDir('e2e-sftp');
  const env: Record<string, string> = {};

  beforeAll(async () => {
    sshd = await startTestSshd();
    fhir = await startTestFhirServer();
    fs.mkdirSync(path.join(sshd.root, 'hospital', 'identity'), { recursive: true });
    const text = fs.readFileSync(path.join(repoRoot, 'channels', 'identity-sftp.yaml'), 'utf8');
    expect(text.match(/^enabled: false$/m)).toHaveLength(1);
    const channels = path.join(dir, 'channels');
    fs.mkdirSync(channels);
    fs.writeFileSync(path.join(channels, 'identity-sftp.yaml'), text.replace(/^enabled: false$/m, 'enabled: true'));
    Object.assign(env, {
      SFTP_IDENTITY_HOST: sshd.host,
      SFTP_IDENTITY_PORT: String(sshd.port),
      SFTP_IDENTITY_USER: sshd.user,
      SFTP_IDENTITY_DIR: 'hospital/identity',
      SFTP_IDENTITY_HOST_KEY: sshd.hostKeyFingerprint,
      SFTP_IDENTITY_KEY: sshd.privateKeyPath, // the key file variant; the source tests use the key text
      RELAIS_OUTBOX: path.join(dir, 'outbox'),
      DCC_FHIR_URL: fhir.baseUrl,
      FR_CORE_DIR: path.resolve(repoRoot, '../shared/fhir/fr-core-2.0.0'),
    });
    Object.assign(process.env, env);
    engine = await startTestEngine(channels, { dir, name: 'e2esftp' });
  });
  afterAll(async () => {
    await engine?.stop();
    await fhir?.close();
    await sshd?.stop();
    for (const k of Object.keys(env)) delete process.env[k];
  });

  const drop = (name: string, content: Buffer) => {
    const inbox = path.join(sshd.root, 'hospital', 'identity');
    fs.writeFileSync(path.join(inbox, `.${name}.part`), content);
    fs.renameSync(path.join(inbox, `.${name}.part`), path.join(inbox, name));
  };
  const archived = (name: string) => {
    const d = new Date();
    return fs.existsSync(path.join(sshd.root, 'hospital', 'identity', 'archive', String(d.getUTCFullYear()), String(d.getUTCMonth() + 1).padStart(2, '0'), name));
  };
  const patients = async (identifier: string) => {
    const r = await fetch(`${fhir.baseUrl}/Patient?identifier=${encodeURIComponent(identifier)}`);
    return ((await r.json()) as { entry?: { resource: Patient }[] }).entry?.map((e) => e.resource) ?? [];
  };
  const byRef = async (ref: string) => (await engine.store.find({ channelId: 'identity-sftp', limit: 1000 })).filter((m) => m.source_ref?.startsWith(ref));
  const ref = (name: string) => `sftp://127.0.0.1:${sshd.port}/hospital/identity/${name}`;

  it('a CSV dropped on the SFTP server ends as an FR Core Patient in the DCC, and the file in archive/YYYY/MM', async () => {
    drop('identites-2026-11-24.csv', fs.readFileSync(path.join(repoRoot, 'fixtures/identity/one-qualified.csv')));
    const [p] = await eventually(async () => {
      const found = await patients('urn:oid:1.2.250.1.213.1.4.8|255081416802538');
      return found.length ? found : undefined;
    }, 40_000, 'patient in the FHIR server');
    expect(p?.name?.find((n) => n.use === 'official')).toMatchObject({ family: 'MARTIN' });
    expect(p?.identifier).toEqual(expect.arrayContaining([expect.objectContaining({ system: 'urn:oid:1.2.250.1.71.4.2.2', value: 'IPP000123' })]));
    await eventually(() => archived('identites-2026-11-24.csv'), 10_000, 'file archived');
    // both destinations (the FHIR server and the file) done
    await eventually(async () => (await byRef(ref('identites-2026-11-24.csv')))[0]?.status === 'delivered', 20_000, 'delivered');
    expect(fs.readdirSync(path.join(dir, 'outbox', 'identity-sftp')).filter((f) => f.endsWith('.json'))).toHaveLength(1);
  }, 60_000);

  it('bad rows are stored rejected with their issues; the file is archived all the same (it was stored)', async () => {
    drop('bad-rows.csv', fs.readFileSync(path.join(repoRoot, 'fixtures/identity/bad-rows.csv')));
    const parts = await eventually(async () => {
      const all = (await byRef(`${ref('bad-rows.csv')}#`)).sort((a, b) => (a.part_index ?? 0) - (b.part_index ?? 0));
      return all.length === 3 && all.every((x) => ['delivered', 'rejected'].includes(x.status)) ? all : undefined;
    }, 40_000, 'three rows processed');
    expect(parts.map((x) => x.status)).toEqual(['delivered', 'rejected', 'rejected']);
    expect(parts[1]!.issues).toEqual([expect.objectContaining({ code: 'NIR_KEY' })]);
    expect(archived('bad-rows.csv')).toBe(true);
    expect(await patients('urn:oid:1.2.250.1.71.4.2.2|IPP000124')).toHaveLength(1);
  }, 60_000);
});
