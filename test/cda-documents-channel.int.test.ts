/**
 * The repository's cda-documents channel on a real engine: HTTPS (test PKI) with a bearer token, real Redis and
 * PostgreSQL, the ANS kit from ../shared. A fiche RCP posted as a FHIR document Bundle is answered 202 once stored,
 * mapped to CDA, validated (XSD + CI-SIS schematrons) and written to the outbox; a broken one is answered 400 with
 * every issue and stored as rejected; versions of one document are searchable by their setId.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationOutcome } from '@medplum/fhirtypes';
import mapping from '../mappings/fhir-document-to-cda.js';
import { Engine } from '../src/runtime/engine.js';
import { freePort } from '../src/infra/free-port.js';
import { createTestPki, type TestPki } from '../src/net/mllp/test-certs.js';
import { startTestEngine } from './test-engine.js';
import { eventually, repoRoot, tmpDir } from './helpers.js';

const KIT = path.resolve(repoRoot, '../shared/ans/cda');
const fixture = (name: string) => fs.readFileSync(path.join(repoRoot, 'fixtures/fhir/rcp', name));

describe('cda-documents channel end to end (HTTPS → store → queue → CDA → outbox)', () => {
  const dir = tmpDir('cda-e2e');
  const outbox = path.join(dir, 'outbox');
  const token = crypto.randomBytes(24).toString('base64url');
  let pki: TestPki;
  let engine: Engine;
  let port: number;

  const post = (body: Buffer, auth = `Bearer ${token}`): Promise<{ status: number; text: string; location?: string }> =>
    new Promise((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port, servername: 'localhost', method: 'POST', path: '/fhir/Bundle', ca: pki.ca.cert, agent: false, headers: { 'content-type': 'application/fhir+json', authorization: auth } },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8'), location: res.headers.location }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  beforeAll(async () => {
    pki = await createTestPki();
    port = await freePort();
    const channels = path.join(dir, 'channels');
    fs.mkdirSync(channels, { recursive: true });
    const channel = fs.readFileSync(path.join(repoRoot, 'channels/cda-documents.yaml'), 'utf8').replace(/^enabled: .*$/m, 'enabled: true');
    expect(channel).toContain('enabled: true');
    fs.writeFileSync(path.join(channels, 'cda-documents.yaml'), channel);
    Object.assign(process.env, {
      CDA_HTTP_PORT: String(port),
      CDA_TLS_CERT: path.join(pki.dir, 'server.crt'),
      CDA_TLS_KEY: path.join(pki.dir, 'server.key'),
      CDA_HTTP_TOKEN: token,
      CDA_XSD: path.join(KIT, 'infrastructure/cda/CDA_extended.xsd'),
      ANS_SCHEMATRONS_DIR: path.join(KIT, 'schematrons'),
      RELAIS_OUTBOX: outbox,
    });
    engine = await startTestEngine(channels, { dir, name: 'cdae2e' });
  }, 1_200_000);

  afterAll(async () => {
    await engine?.stop();
    await pki?.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const delivered = (id: string) =>
    eventually(async () => {
      const m = await engine.store.get(id);
      return m?.status === 'delivered' ? m : undefined;
    }, 60_000, `message ${id} delivered`);

  it('a fiche RCP is accepted, written as the validated CDA document, and findable by the INS', async () => {
    const r = await post(fixture('appareil.json'));
    expect(r.status, r.text).toBe(202);
    const { messageId } = JSON.parse(r.text) as { messageId: string };
    expect(r.location).toBe(`/fhir/Bundle/${messageId}`);
    await delivered(messageId);
    const written = fs.readFileSync(path.join(outbox, 'cda', `${messageId}.xml`), 'utf8');
    const expected = mapping.map(JSON.parse(fixture('appareil.json').toString('utf8')), { channelId: 'x', messageId: 'y', receivedAt: new Date(0) });
    expect(written).toBe(expected.output?.content);
    expect((await engine.store.find({ key: 'urn:oid:1.2.250.1.213.1.4.10|279035121518989' })).map((m) => m.id)).toContain(messageId);
  }, 120_000);

  it('the new version is delivered after the first one and shares its setId (correlation key)', async () => {
    const r = await post(fixture('appareil-v2-rplc.json'));
    expect(r.status, r.text).toBe(202);
    const { messageId } = JSON.parse(r.text) as { messageId: string };
    await delivered(messageId);
    const versions = await engine.store.find({ key: 'correlation:urn:ietf:rfc:3986|urn:oid:1.2.250.1.999.1.8.2026.1' });
    expect(versions.map((m) => m.status)).toEqual(['delivered', 'delivered']);
    expect(fs.readFileSync(path.join(outbox, 'cda', `${messageId}.xml`), 'utf8')).toContain('<relatedDocument typeCode="RPLC">');
  }, 120_000);

  it('a broken fiche is answered 400 with every issue, stored as rejected, and nothing is written', async () => {
    const before = fs.readdirSync(path.join(outbox, 'cda')).length;
    const r = await post(fixture('invalid/missing-ins-traits.json'));
    expect(r.status).toBe(400);
    const outcome = JSON.parse(r.text) as OperationOutcome;
    const codes = (outcome.issue ?? []).filter((i) => i.severity === 'error').map((i) => i.details?.coding?.[0]?.code);
    expect(codes).toEqual(['CDA_INS_TRAIT', 'CDA_INS_TRAIT', 'CDA_INS_TRAIT', 'CDA_INS_TRAIT']);
    expect(outcome.issue?.[1]?.expression).toEqual(["Composition.subject.resolve().name.where(use='official').family"]);
    const stored = await engine.store.get(outcome.id!);
    expect(stored?.status).toBe('rejected');
    const schematron = await post(fixture('invalid/topography-not-in-jdv.json'));
    expect(schematron.status).toBe(400);
    expect(schematron.text).toContain('JDV_Tumeur_CISIS');
    expect(fs.readdirSync(path.join(outbox, 'cda')).length).toBe(before);
    expect((await post(fixture('appareil.json'), 'Bearer wrong')).status).toBe(401);
  }, 120_000);
});
