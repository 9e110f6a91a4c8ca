import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { RawMessage, ReceiveResult, RunningSource, SourceContext, StoredMessageStatus } from '../engine/define.js';
import type { Issue } from '../engine/issues.js';
import { freePort } from '../infra/free-port.js';
import { httpSource } from './http.js';

/** The source alone on a real socket, with a scripted context: what it does when the engine misbehaves. */
function fakeContext(over: Partial<SourceContext> = {}): SourceContext & { received: RawMessage[]; rejected: [RawMessage, Issue[]][] } {
  const received: RawMessage[] = [];
  const rejected: [RawMessage, Issue[]][] = [];
  return {
    channelId: 'fake',
    logger: pino({ level: 'silent' }),
    dataDir: '/nonexistent',
    baseDir: '/nonexistent',
    received,
    rejected,
    receive: async (raw): Promise<ReceiveResult> => (received.push(raw), { messageId: '0lz8k2m3a0123456789ab', duplicate: false }),
    reject: async (raw, issues): Promise<ReceiveResult> => (rejected.push([raw, issues]), { messageId: '0lz8k2m3a0123456789ac', duplicate: false }),
    check: async () => [],
    messageStatus: async (): Promise<StoredMessageStatus | undefined> => undefined,
    lock: async () => undefined,
    ...over,
  };
}

const doc = JSON.stringify({
  resourceType: 'Bundle', type: 'document', identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:1' }, timestamp: '2024-01-01T00:00:00Z',
  entry: [{ fullUrl: 'urn:uuid:c', resource: { resourceType: 'Composition' } }],
});

describe('http source on plain HTTP with a scripted engine', () => {
  let running: RunningSource | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });
  process.env.HTTP_UNIT_TOKEN = 'unit-token';

  let port = 0;
  const start = async (ctx: SourceContext, extra: Record<string, unknown> = {}) => {
    port = await freePort();
    running = await httpSource.start(httpSource.options.parse({ port, path: '/in', tls: false, auth: { bearer: { env: 'HTTP_UNIT_TOKEN' } }, ...extra }), ctx);
    return (body: string, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${port}/in`, { method: 'POST', body, headers: { 'content-type': 'application/fhir+json', authorization: 'Bearer unit-token', ...headers } });
  };

  it('503 with Retry-After when the store fails: nothing is acknowledged', async () => {
    const post = await start(fakeContext({ receive: async () => Promise.reject(new Error('connection terminated')) }));
    const r = await post(doc);
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('30');
    expect(await r.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'transient', details: { coding: [{ code: 'HTTP_UNAVAILABLE' }] } }] });
  });

  it('a dry run that throws (a bug) does not refuse the input: it is stored for the worker to record the error', async () => {
    const ctx = fakeContext({ check: async () => Promise.reject(new Error('bug in a mapping')) });
    const post = await start(ctx);
    expect((await post(doc)).status).toBe(202);
    expect(ctx.received).toHaveLength(1);
  });

  it('stores the request body byte for byte, with its content type, and nothing is checked before receive when told so', async () => {
    let checked = 0;
    const ctx = fakeContext({ check: async () => (checked++, [{ severity: 'error', code: 'X', message: 'x' }]) });
    const post = await start(ctx, { validateBeforeAccept: false, expect: 'any', contentTypes: ['application/xml'] });
    const r = await post('<ClinicalDocument/>', { 'content-type': 'application/xml; charset=utf-8', 'x-correlation-id': 'corr-1' });
    expect(r.status).toBe(202);
    expect(checked).toBe(0);
    expect(ctx.received[0]).toMatchObject({ contentType: 'application/xml; charset=utf-8', correlationId: 'corr-1' });
    expect(ctx.received[0]!.content.toString()).toBe('<ClinicalDocument/>');
  });

  it('an empty body is a 400, stored (empty) as rejected', async () => {
    const ctx = fakeContext();
    const post = await start(ctx);
    const r = await post('');
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ id: '0lz8k2m3a0123456789ac', issue: [{ details: { coding: [{ code: 'HTTP_EMPTY_BODY' }] } }] });
    expect(ctx.rejected[0]![0].content.length).toBe(0);
  });

  it('a POST without any body (no Content-Length, no chunks) is the same 400', async () => {
    const ctx = fakeContext();
    await start(ctx);
    const answer = await new Promise<string>((resolve, reject) => {
      let text = '';
      const s = net.connect(port, '127.0.0.1', () =>
        s.write('POST /in HTTP/1.1\r\nHost: x\r\nContent-Type: application/fhir+json\r\nAuthorization: Bearer unit-token\r\nConnection: close\r\n\r\n'),
      );
      s.on('data', (d: Buffer) => (text += d.toString('utf8')));
      s.on('end', () => resolve(text));
      s.on('error', reject);
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(ctx.rejected[0]![1].map((i) => i.code)).toEqual(['HTTP_EMPTY_BODY']);
    expect(Buffer.isBuffer(ctx.rejected[0]![0].content)).toBe(true); // the store hashes and writes it
  });

  it('an invalid Idempotency-Key is one more issue of a 400, stored with reject', async () => {
    const ctx = fakeContext();
    const post = await start(ctx);
    const r = await post(doc, { 'idempotency-key': 'has space' });
    expect(r.status).toBe(400);
    expect(ctx.rejected[0]![1].map((i) => i.code)).toEqual(['HTTP_IDEMPOTENCY_KEY']);
    expect(ctx.received).toEqual([]);
  });
});

describe('http source options', () => {
  const base = { port: 8443, path: '/fhir/Bundle', auth: { bearer: { env: 'T' } } };
  const problems = (o: unknown) => {
    const r = httpSource.options.safeParse(o);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('TLS must be configured, or plain HTTP chosen explicitly', () => {
    expect(problems(base).join()).toMatch(/^tls: /);
    expect(problems({ ...base, tls: false })).toEqual([]);
    expect(problems({ ...base, tls: { cert: 'server.crt', key: { env: 'KEY' } } })).toEqual([]);
    expect(problems({ ...base, tls: { cert: 'server.crt', key: 'server.key', requestClientCert: true } })).toEqual(['tls.clientCa: requestClientCert needs clientCa']);
  });

  it('some authentication is required; tokens are secrets, never literals', () => {
    expect(problems({ ...base, tls: false, auth: {} })).toEqual(['auth: configure bearer tokens and/or client certificates']);
    expect(problems({ ...base, tls: false, auth: { bearer: 'literal-token' } }).join()).toMatch(/^auth\.bearer/);
    expect(problems({ ...base, tls: false, auth: { clientCert: {} } })).toEqual(['auth.clientCert: list allowed subjects and/or fingerprints']);
  });

  it('client certificates need mutual TLS, checked when the channel starts', async () => {
    const o = httpSource.options.parse({ ...base, tls: false, auth: { clientCert: { subjects: ['CN=x'] } } });
    await expect(httpSource.start(o, fakeContext())).rejects.toThrow(/requestClientCert/);
  });
});
