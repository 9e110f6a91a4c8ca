import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Bundle, Composition, OperationOutcome } from '@medplum/fhirtypes';
import { Engine } from '../src/runtime/engine.js';
import { engineConfigFromEnv } from '../src/runtime/config.js';
import { createLogger } from '../src/monitor/logger.js';
import { defineMapping, type MappingDefinition } from '../src/engine/define.js';
import { error, type Issue } from '../src/engine/issues.js';
import { registry } from '../src/engine/registry.js';
import { freePort } from '../src/infra/free-port.js';
import { createTestPki, type TestKeyPair, type TestPki } from '../src/net/mllp/test-certs.js';
import { eventually, freshDatabase, tmpDir } from './helpers.js';

const run = promisify(execFile);

/** Test mapping: a document Bundle → `<doc status="…"><title>…</title></doc>`; a Composition without title is an error. */
const bundleToXml = defineMapping<Bundle>({
  name: 'test-document-to-xml',
  description: 'test only',
  input: 'fhir-json',
  map(bundle) {
    const comp = bundle.entry?.[0]?.resource as Composition | undefined;
    if (!comp?.title) return { issues: [error('TEST_TITLE', 'the Composition needs a title', 'Bundle.entry[0].resource.title')] };
    const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
    return {
      output: { content: `<doc status="${esc(comp.status ?? '')}"><title>${esc(comp.title)}</title></doc>`, contentType: 'application/xml' },
      issues: [],
      keys: { document: [bundle.identifier?.value ?? ''] },
    };
  },
});

const XSD = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="doc"><xs:complexType>
    <xs:sequence><xs:element name="title" type="xs:string"/></xs:sequence>
    <xs:attribute name="status" use="required"><xs:simpleType><xs:restriction base="xs:string">
      <xs:enumeration value="final"/><xs:enumeration value="amended"/>
    </xs:restriction></xs:simpleType></xs:attribute>
  </xs:complexType></xs:element>
</xs:schema>
`;

const PATIENT_NAME = 'DUPONT-TESTLOG';

function documentBundle(o: { id?: string; title?: string | null; status?: string; type?: string; timestamp?: string | null } = {}): Bundle {
  const composition: Composition = {
    resourceType: 'Composition',
    status: (o.status ?? 'final') as Composition['status'],
    type: { coding: [{ system: 'http://loinc.org', code: '34794-8' }] },
    subject: { reference: 'urn:uuid:6a1d3b0e-0000-4000-8000-000000000002' },
    date: '2024-05-02',
    author: [{ display: 'Dr Test' }],
    title: o.title ?? 'Fiche RCP',
  };
  if (o.title === null) delete (composition as Partial<Composition>).title;
  return {
    resourceType: 'Bundle',
    type: (o.type ?? 'document') as Bundle['type'],
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${o.id ?? crypto.randomUUID()}` },
    ...(o.timestamp === null ? {} : { timestamp: o.timestamp ?? '2024-05-02T10:00:00+02:00' }),
    entry: [
      { fullUrl: 'urn:uuid:6a1d3b0e-0000-4000-8000-000000000001', resource: composition },
      { fullUrl: 'urn:uuid:6a1d3b0e-0000-4000-8000-000000000002', resource: { resourceType: 'Patient', name: [{ family: PATIENT_NAME }] } },
    ],
  };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: <T = Record<string, unknown>>() => T;
}

interface RequestOptions {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Body sent in these pieces, with `pauseMs` between them (chunked when no content-length is given). */
  chunks?: Buffer[];
  pauseMs?: number;
  onFirstChunk?: () => void;
  clientCert?: TestKeyPair;
}

describe('http source (TLS, bearer, mutual TLS) on a real engine', () => {
  const dir = tmpDir('http-src');
  const outbox = path.join(dir, 'outbox');
  const tokens = { a: crypto.randomBytes(24).toString('base64url'), b: crypto.randomBytes(24).toString('base64url') };
  const logLines: string[] = [];
  let pki: TestPki;
  let unlisted: TestKeyPair;
  let engine: Engine;
  let databaseUrl: string;
  let docsPort: number;
  let mtlsPort: number;
  let bothPort: number;

  const request = (port: number, o: RequestOptions): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port,
          servername: 'localhost',
          method: o.method ?? 'POST',
          path: o.path,
          headers: o.headers,
          ca: pki.ca.cert,
          agent: false,
          ...(o.clientCert ? { cert: o.clientCert.cert, key: o.clientCert.key } : {}),
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => {
            const text = Buffer.concat(parts).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T,>() => JSON.parse(text) as T });
          });
        },
      );
      req.on('error', reject);
      if (o.chunks) {
        void (async () => {
          for (const [i, c] of o.chunks!.entries()) {
            req.write(c);
            if (i === 0) o.onFirstChunk?.();
            await new Promise((r) => setTimeout(r, o.pauseMs ?? 0));
          }
          req.end();
        })();
      } else req.end(o.body);
    });

  const post = (body: string | Buffer | object, headers: Record<string, string> = {}, token: string | null = tokens.a) =>
    request(docsPort, {
      path: '/fhir/Bundle',
      headers: { 'content-type': 'application/fhir+json', ...(token !== null ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: typeof body === 'object' && !Buffer.isBuffer(body) ? JSON.stringify(body) : body,
    });
  const outcome = (r: Reply) => r.json<OperationOutcome>();
  const codes = (r: Reply) => (outcome(r).issue ?? []).map((i) => i.details?.coding?.[0]?.code);
  const count = async () => (await engine.store.find({ limit: 1000 })).length;

  beforeAll(async () => {
    pki = await createTestPki();
    await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'unlisted.key', '-out', 'unlisted.csr', '-subj', '/O=Relais Tests/CN=unlisted-client'], { cwd: pki.dir });
    fs.writeFileSync(path.join(pki.dir, 'unlisted.ext'), 'basicConstraints=critical,CA:FALSE\nextendedKeyUsage=clientAuth\n');
    await run('openssl', ['x509', '-req', '-in', 'unlisted.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', '0x51', '-days', '2', '-sha256', '-extfile', 'unlisted.ext', '-out', 'unlisted.crt'], { cwd: pki.dir });
    unlisted = { cert: fs.readFileSync(path.join(pki.dir, 'unlisted.crt'), 'utf8'), key: fs.readFileSync(path.join(pki.dir, 'unlisted.key'), 'utf8') };

    [docsPort, mtlsPort, bothPort] = [await freePort(), await freePort(), await freePort()];
    const channels = path.join(dir, 'channels');
    fs.mkdirSync(channels, { recursive: true });
    fs.writeFileSync(path.join(channels, 'doc.xsd'), XSD);
    const common = (id: string) => `
parse: { format: fhir-json, resourceTypes: [Bundle] }
map: test-document-to-xml
validate:
  - { type: xsd, schema: doc.xsd }
route:
  - { id: out, type: file, path: ${path.join(outbox, id)} }
`;
    fs.writeFileSync(path.join(channels, 'http-docs.yaml'), `id: http-docs
source:
  type: http
  port: ${docsPort}
  path: /fhir/Bundle
  tls: { cert: ${pki.dir}/server.crt, key: { env: HTTP_TEST_SERVER_KEY } }
  auth: { bearer: [{ env: HTTP_TEST_TOKEN_A }, { env: HTTP_TEST_TOKEN_B }] }
  maxBytes: 8192
${common('docs')}`);
    fs.writeFileSync(path.join(channels, 'http-mtls.yaml'), `id: http-mtls
source:
  type: http
  port: ${mtlsPort}
  path: /documents
  tls: { cert: ${pki.dir}/server.crt, key: ${pki.dir}/server.key, clientCa: ${pki.dir}/ca.crt, requestClientCert: true }
  auth: { clientCert: { subjects: ["CN=relais-test-client, O=Relais Tests"] } }
  validateBeforeAccept: false
${common('mtls')}`);
    fs.writeFileSync(path.join(channels, 'http-both.yaml'), `id: http-both
source:
  type: http
  port: ${bothPort}
  path: /
  tls: { cert: ${pki.dir}/server.crt, key: ${pki.dir}/server.key, clientCa: ${pki.dir}/ca.crt, requestClientCert: true }
  auth: { bearer: { env: HTTP_TEST_TOKEN_A }, clientCert: { fingerprints: ["${new crypto.X509Certificate(pki.client.cert).fingerprint256}"] } }
${common('both')}`);
    Object.assign(process.env, { HTTP_TEST_TOKEN_A: tokens.a, HTTP_TEST_TOKEN_B: tokens.b, HTTP_TEST_SERVER_KEY: pki.server.key });

    databaseUrl = await freshDatabase(inject('postgresUrl'), 'httpsrc');
    const config = engineConfigFromEnv({}, {
      channelsDir: channels,
      dataDir: path.join(dir, 'data'),
      redisUrl: inject('redisUrl'),
      databaseUrl,
      httpPort: 0,
      queuePrefix: `httpsrc${process.pid}`,
      sweepIntervalMs: 1000,
    });
    const logs = new Writable({ write: (chunk: Buffer, _enc, done) => (logLines.push(chunk.toString('utf8')), done()) });
    engine = await Engine.start(config, {
      logger: createLogger('info', logs),
      registry: { ...registry, mappings: [...registry.mappings, bundleToXml as MappingDefinition] },
    });
  });

  afterAll(async () => {
    await engine?.stop();
    await pki?.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers 202 with the id only once the message is stored, then delivers it', async () => {
    const body = JSON.stringify(documentBundle());
    const r = await post(body);
    expect(r.status).toBe(202);
    const { messageId } = r.json<{ messageId: string }>();
    expect(r.headers.location).toBe(`/fhir/Bundle/${messageId}`);
    // no waiting: the row and the raw bytes are there when the 202 arrives
    const stored = await engine.store.get(messageId);
    expect(stored).toMatchObject({ channel_id: 'http-docs', source_message_id: expect.stringMatching(/^urn:ietf:rfc:3986\|urn:uuid:/) });
    expect((await engine.store.snapshot(messageId, 'raw'))?.content.toString('utf8')).toBe(body);
    await eventually(async () => (await engine.store.get(messageId))?.status === 'delivered', 30_000, 'delivered');
    expect(fs.readFileSync(path.join(outbox, 'docs', `${messageId}.xml`), 'utf8')).toBe('<doc status="final"><title>Fiche RCP</title></doc>');
  });

  it('accepts the second configured token too', async () => {
    expect((await post(documentBundle(), {}, tokens.b)).status).toBe(202);
  });

  it('401 without a token or with a wrong one, before reading the body; nothing stored', async () => {
    const before = await count();
    const none = await post(documentBundle(), {}, null);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="relais"');
    expect(outcome(none)).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login', details: { coding: [{ code: 'HTTP_AUTH_REQUIRED' }] } }] });
    const wrong = await post(documentBundle(), {}, `${tokens.a}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(codes(wrong)).toEqual(['HTTP_AUTH_INVALID']);
    expect(await count()).toBe(before);
  });

  it('400 with every problem of the envelope and of the pipeline dry run; the body is stored as rejected', async () => {
    const bad = documentBundle({ type: 'collection', timestamp: null, title: null });
    const r = await post(bad);
    expect(r.status).toBe(400);
    const oo = outcome(r);
    expect(oo.issue?.map((i) => [i.details?.coding?.[0]?.code, i.expression?.[0]])).toEqual([
      ['FHIR_NOT_DOCUMENT', 'Bundle.type'],
      ['FHIR_DOCUMENT_TIMESTAMP', 'Bundle.timestamp'],
      ['TEST_TITLE', 'Bundle.entry[0].resource.title'],
    ]);
    expect(r.headers.location).toBe(`/fhir/Bundle/${oo.id}`);
    const stored = await engine.store.get(oo.id!);
    expect(stored?.status).toBe('rejected');
    expect(stored?.issues.map((i: Issue) => i.code)).toEqual(['FHIR_NOT_DOCUMENT', 'FHIR_DOCUMENT_TIMESTAMP', 'TEST_TITLE']);
    expect((await engine.store.snapshot(oo.id!, 'raw'))?.content.toString('utf8')).toBe(JSON.stringify(bad));

    // the same bad body again: the same stored message, not a second one
    const again = await post(bad);
    expect(again.status).toBe(400);
    expect(outcome(again).id).toBe(oo.id);
  });

  it('400 with the validators’ issues (XSD on the mapped document)', async () => {
    const r = await post(documentBundle({ status: 'preliminary' }));
    expect(r.status).toBe(400);
    const oo = outcome(r);
    expect(oo.issue).toEqual([expect.objectContaining({ severity: 'error', code: 'structure', details: expect.objectContaining({ coding: [expect.objectContaining({ code: 'XSD' })], text: expect.stringContaining('preliminary') }) })]);
    expect((await engine.store.get(oo.id!))?.status).toBe('rejected');
  });

  it('400 for a body that is not JSON, stored as rejected too', async () => {
    const r = await post(`{"resourceType":"Bundle","entry":[{"name":"${PATIENT_NAME}"`);
    expect(r.status).toBe(400);
    expect(outcome(r).issue).toEqual([expect.objectContaining({ code: 'structure', expression: ['line 1, column 59'], details: expect.objectContaining({ coding: [expect.objectContaining({ code: 'HTTP_NOT_JSON' })] }) })]);
    expect(r.text).not.toContain(PATIENT_NAME);
    expect((await engine.store.get(outcome(r).id!))?.status).toBe('rejected');
  });

  it('413 over maxBytes, declared or streamed; nothing stored', async () => {
    const before = await count();
    const big = JSON.stringify({ ...documentBundle(), padding: 'x'.repeat(10_000) });
    const declared = await post(big);
    expect(declared.status).toBe(413);
    expect(codes(declared)).toEqual(['HTTP_TOO_LARGE']);
    const streamed = await request(docsPort, {
      path: '/fhir/Bundle',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${tokens.a}`, 'transfer-encoding': 'chunked' },
      chunks: [Buffer.from(big.slice(0, 5000)), Buffer.from(big.slice(5000))],
    });
    expect(streamed.status).toBe(413);
    expect(outcome(streamed).issue?.[0]?.code).toBe('too-long');
    expect(await count()).toBe(before);
  });

  it('415 for another media type or a compressed body; nothing stored', async () => {
    const before = await count();
    const xml = await post('<Bundle/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    expect(outcome(xml).issue?.[0]).toMatchObject({ code: 'not-supported', expression: ['Content-Type'] });
    const gz = await post(JSON.stringify(documentBundle()), { 'content-encoding': 'gzip' });
    expect(gz.status).toBe(415);
    expect(outcome(gz).issue?.[0]?.expression).toEqual(['Content-Encoding']);
    expect(await count()).toBe(before);
  });

  it('Idempotency-Key: a repeat answers the first id; other content under the same key is a stored 422', async () => {
    const key = `idem-${crypto.randomUUID()}`;
    const body = JSON.stringify(documentBundle());
    const first = await post(body, { 'idempotency-key': `"${key}"` });
    expect(first.status).toBe(202);
    const { messageId } = first.json<{ messageId: string }>();
    expect((await engine.store.get(messageId))?.source_message_id).toBe(key);
    const repeat = await post(body, { 'idempotency-key': key });
    expect(repeat.status).toBe(200);
    expect(repeat.json()).toMatchObject({ messageId, duplicate: true });
    expect(repeat.headers.location).toBe(`/fhir/Bundle/${messageId}`);
    const other = await post(documentBundle(), { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect(codes(other)).toEqual(['HTTP_IDEMPOTENCY_CONFLICT']);
    expect(outcome(other).id).not.toBe(messageId);
    expect((await engine.store.get(outcome(other).id!))?.status).toBe('rejected');
    expect((await engine.store.find({ sourceMessageId: key })).map((m) => m.status).sort()).toEqual(expect.arrayContaining(['rejected']));
  });

  it('without a key, Bundle.identifier deduplicates: same document → first id; a changed document under it → 409', async () => {
    const id = crypto.randomUUID();
    const body = JSON.stringify(documentBundle({ id }));
    const first = await post(body);
    expect(first.status).toBe(202);
    const repeat = await post(body);
    expect(repeat.status).toBe(200);
    expect(repeat.json().messageId).toBe(first.json().messageId);
    const changed = await post(documentBundle({ id, title: 'Fiche RCP corrigée' }));
    expect(changed.status).toBe(409);
    expect(codes(changed)).toEqual(['FHIR_DOCUMENT_CONFLICT']);
  });

  it('a refused document does not take its identifier: the corrected one is accepted', async () => {
    const id = crypto.randomUUID();
    expect((await post(documentBundle({ id, title: null }))).status).toBe(400);
    expect((await post(documentBundle({ id }))).status).toBe(202);
  });

  it('GET <path>/<id> answers the stored status and issues, with the same authentication', async () => {
    const accepted = (await post(documentBundle())).json<{ messageId: string }>().messageId;
    const status = (id: string, token: string | null = tokens.a) =>
      request(docsPort, { method: 'GET', path: `/fhir/Bundle/${id}`, headers: token ? { authorization: `Bearer ${token}` } : {} });
    await eventually(async () => (await status(accepted)).json().status === 'delivered', 30_000, 'status delivered');
    const r = await status(accepted);
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ messageId: accepted, status: 'delivered', issues: [], receivedAt: expect.any(String) });

    const rejected = outcome(await post(documentBundle({ title: null }))).id!;
    expect((await status(rejected)).json()).toMatchObject({ status: 'rejected', issues: [expect.objectContaining({ code: 'TEST_TITLE', path: 'Bundle.entry[0].resource.title' })] });

    expect((await status(accepted, null)).status).toBe(401);
    expect((await status('0000000000000000000zz')).status).toBe(404);
    const otherChannel = (await engine.store.find({ channelId: 'http-mtls', limit: 1 }))[0];
    if (otherChannel) expect((await status(otherChannel.id)).status).toBe(404);
  });

  it('mutual TLS: the listed client is accepted; none, a foreign CA’s or an unlisted one are refused', async () => {
    const send = (clientCert?: TestKeyPair) =>
      request(mtlsPort, { path: '/documents', headers: { 'content-type': 'application/json' }, body: JSON.stringify(documentBundle()), ...(clientCert ? { clientCert } : {}) });
    const ok = await send(pki.client);
    expect(ok.status).toBe(202);
    const none = await send();
    expect([none.status, codes(none)]).toEqual([401, ['HTTP_CLIENT_CERT_REQUIRED']]);
    const foreign = await send(pki.foreignClient);
    expect([foreign.status, codes(foreign)]).toEqual([401, ['HTTP_CLIENT_CERT_INVALID']]);
    const other = await send(unlisted);
    expect([other.status, codes(other)]).toEqual([403, ['HTTP_CLIENT_CERT_FORBIDDEN']]);
    expect(outcome(other).issue?.[0]?.code).toBe('forbidden');
  });

  it('bearer and client certificate both configured: both are required', async () => {
    const send = (o: { cert?: TestKeyPair; token?: string }) =>
      request(bothPort, {
        path: '/',
        headers: { 'content-type': 'application/fhir+json', ...(o.token ? { authorization: `Bearer ${o.token}` } : {}) },
        body: JSON.stringify(documentBundle()),
        ...(o.cert ? { clientCert: o.cert } : {}),
      });
    expect(codes(await send({ cert: pki.client }))).toEqual(['HTTP_AUTH_REQUIRED']);
    expect(codes(await send({ token: tokens.a }))).toEqual(['HTTP_CLIENT_CERT_REQUIRED']);
    expect(codes(await send({ cert: unlisted, token: tokens.a }))).toEqual(['HTTP_CLIENT_CERT_FORBIDDEN']);
    const ok = await send({ cert: pki.client, token: tokens.a });
    expect(ok.status).toBe(202);
    expect(ok.headers.location).toBe(`/${ok.json<{ messageId: string }>().messageId}`);
  });

  it('validateBeforeAccept: false accepts what the pipeline will reject, and the status says so', async () => {
    const r = await request(mtlsPort, { path: '/documents', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(documentBundle({ title: null })), clientCert: pki.client });
    expect(r.status).toBe(202);
    const id = r.json<{ messageId: string }>().messageId;
    await eventually(async () => (await engine.store.get(id))?.status === 'rejected', 30_000, 'rejected by the worker');
    const s = await request(mtlsPort, { method: 'GET', path: `/documents/${id}`, clientCert: pki.client });
    expect(s.json()).toMatchObject({ status: 'rejected', issues: [expect.objectContaining({ code: 'TEST_TITLE' })] });
  });

  it('logs carry request ids and message ids, never the payload', async () => {
    const r = await post(documentBundle(), { 'x-request-id': 'req-log-check-1' });
    expect(r.headers['x-request-id']).toBe('req-log-check-1');
    const id = r.json<{ messageId: string }>().messageId;
    const line = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.reqId === 'req-log-check-1');
    expect(line).toMatchObject({ msg: 'http request', channel: 'http-docs', method: 'POST', statusCode: 202, messageId: id, principal: 'token#1' });
    expect(logLines.join('\n')).not.toContain(PATIENT_NAME);
  });

  it('graceful stop: a request in flight is stored and answered; then the port is closed', async () => {
    const body = Buffer.from(JSON.stringify(documentBundle()));
    let stopping: Promise<void> | undefined;
    const inFlight = request(docsPort, {
      path: '/fhir/Bundle',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${tokens.a}`, 'content-length': String(body.length) },
      chunks: [body.subarray(0, 100), body.subarray(100)],
      pauseMs: 300,
      onFirstChunk: () => setTimeout(() => (stopping = engine.stop()), 100),
    });
    const r = await inFlight;
    expect(r.status).toBe(202);
    await stopping;
    const db = new pg.Client(databaseUrl);
    await db.connect();
    const rows = await db.query('select status from relais_message where id = $1', [r.json<{ messageId: string }>().messageId]);
    await db.end();
    expect(rows.rows).toHaveLength(1); // received, or already processed by a worker that was draining
    await expect(request(docsPort, { path: '/fhir/Bundle', body: '{}' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
