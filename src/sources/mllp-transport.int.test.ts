import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgres } from '../store/db.js';
import { MessageStore } from '../store/message-store.js';
import { createMllpClient, type MllpClient, type MllpClientTlsOptions } from '../net/mllp/index.js';
import { encodeFrame } from '../net/mllp/frame-encoder.js';
import { createTestPki, type TestPki } from '../net/mllp/test-certs.js';
import { quietWindow, RawMllpPeer } from '../net/mllp/test-raw-client.js';
import type { RunningSource } from '../engine/define.js';
import { mllpSource } from './mllp.js';
import { loadChannelFile } from '../engine/channel-loader.js';
import { registry } from '../engine/registry.js';
import { hl7, LogCapture, parseAck, startSource, storeContext, type SourceOptionsInput } from './mllp-test-kit.js';

let store: MessageStore;
let pki: TestPki;
beforeAll(async () => {
  [store, pki] = await Promise.all([
    openPostgres(inject('postgresUrl'), { schema: `mllp_tr_${process.pid}_${Date.now()}` }).then((db) => MessageStore.open(db)),
    createTestPki(),
  ]);
  // the PEM files as an operator would install them, next to the channel file
  await Promise.all(
    Object.entries({ 'ca.pem': pki.ca.cert, 'server.pem': pki.server.cert, 'server.key': pki.server.key }).map(([f, c]) => fs.writeFile(path.join(pki.dir, f), c)),
  );
}, 60_000);
afterAll(async () => {
  await store?.close();
  await pki?.remove();
});

const running: RunningSource[] = [];
const clients: MllpClient[] = [];
const peers: RawMllpPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

let channelSeq = 0;
async function setup(options: Partial<SourceOptionsInput> = {}) {
  const channel = `mllp-tr-${++channelSeq}`;
  const logs = new LogCapture();
  const source = await startSource(options, storeContext(store, channel, logs, { baseDir: pki.dir }));
  running.push(source);
  const stored = () => store.find({ channelId: channel, limit: 1000 });
  const peer = async () => {
    const p = await RawMllpPeer.connect(source.port);
    peers.push(p);
    return p;
  };
  return { source, stored, peer, logs };
}

/** The store's rows once there are at least `n` (the refusal record is written after the connection closes). */
async function eventuallyRows<T>(rows: () => Promise<T[]>, n: number): Promise<T[]> {
  for (let i = 0; i < 100; i++) {
    const r = await rows();
    if (r.length >= n) return r;
    await new Promise((res) => setTimeout(res, 50));
  }
  return rows();
}

const frame = (id: string) => encodeFrame(Buffer.from(hl7(id)));
const acked = (frames: Buffer[]) => frames.map((f) => `${parseAck(f).get('MSA-1')} ${parseAck(f).get('MSA-2')}`);

describe('MLLP source framing (real TCP)', () => {
  it('several frames in one write: each stored and acknowledged, in order', async () => {
    const { peer, stored } = await setup();
    const p = await peer();
    await p.write(Buffer.concat([frame('F-1'), frame('F-2'), frame('F-3')]));
    expect(acked(await p.waitForFrames(3))).toEqual(['AA F-1', 'AA F-2', 'AA F-3']);
    expect((await stored()).map((m) => m.source_message_id).sort()).toEqual(['F-1', 'F-2', 'F-3']);
  });

  it('one frame written byte by byte', async () => {
    const { peer } = await setup();
    const p = await peer();
    for (const byte of frame('BYTE-1')) await p.write(Buffer.from([byte]));
    expect(acked(await p.waitForFrames(1))).toEqual(['AA BYTE-1']);
  });

  it('junk between frames is skipped, both messages are taken', async () => {
    const { peer, logs } = await setup();
    const p = await peer();
    await p.write(Buffer.concat([frame('J-1'), Buffer.from('\r\nNOISE'), frame('J-2')]));
    expect(acked(await p.waitForFrames(2))).toEqual(['AA J-1', 'AA J-2']);
    expect(logs.text).toContain('MLLP_JUNK_DISCARDED');
  });

  it('an oversize frame: earlier frames acknowledged, then the connection closes without ACK; nothing partial stored, the refusal recorded', async () => {
    const { peer, stored, logs } = await setup({ maxFrameBytes: 2048 });
    const p = await peer();
    const big = encodeFrame(Buffer.from(hl7('BIG-1', { name: 'X'.repeat(5000) })));
    await p.write(Buffer.concat([frame('OK-1'), big, frame('AFTER-1')]));
    await p.closed;
    expect(acked(p.frames)).toEqual(['AA OK-1']);
    const rows = await eventuallyRows(stored, 2);
    expect(rows.filter((m) => m.status !== 'rejected').map((m) => m.source_message_id)).toEqual(['OK-1']);
    // the refusal is in the store as a rejected message describing it, without the frame's content
    const refused = rows.filter((m) => m.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.issues).toEqual([expect.objectContaining({ code: 'MLLP_FRAME_TOO_LARGE' })]);
    expect((await store.snapshot(refused[0]!.id, 'raw'))!.content.toString()).not.toContain('XXXX');
    // the sender retries: still one record
    const again = await peer();
    await again.write(big);
    await again.closed;
    expect((await eventuallyRows(stored, 2)).filter((m) => m.status === 'rejected')).toHaveLength(1);
    expect(logs.text).toContain('MLLP_FRAME_TOO_LARGE');
    expect(logs.text).not.toContain('XXXXXXXX');
  });

  it('idle connections are closed after idleTimeoutMs', async () => {
    const { peer, logs } = await setup({ idleTimeoutMs: 200 });
    const p = await peer();
    await p.write(frame('IDLE-1'));
    await p.waitForFrames(1);
    await p.closed;
    for (let i = 0; i < 50 && !logs.text.includes('idle-timeout'); i++) await quietWindow(20); // the server logs its own close
    expect(logs.text).toContain('"reason":"idle-timeout"');
  });

  it('many concurrent connections, each with its own ordered exchange', async () => {
    const { source, stored } = await setup({ maxConnections: 50 });
    const senders = Array.from({ length: 20 }, (_, c) => {
      const client = createMllpClient({ host: '127.0.0.1', port: source.port, tls: false, maxConnectAttempts: 1, ackTimeoutMs: 20_000 });
      clients.push(client);
      return (async () => {
        const answers: string[] = [];
        for (let i = 0; i < 5; i++) answers.push(parseAck(await client.send(Buffer.from(hl7(`C${c}-${i}`)))).get('MSA-2'));
        return answers;
      })();
    });
    const results = await Promise.all(senders);
    results.forEach((answers, c) => expect(answers).toEqual([0, 1, 2, 3, 4].map((i) => `C${c}-${i}`)));
    expect(await stored()).toHaveLength(100);
  });

  it('connections beyond maxConnections are refused', async () => {
    const { peer, logs } = await setup({ maxConnections: 2 });
    const [a, b] = [await peer(), await peer()];
    await a.write(frame('MAX-1'));
    await a.waitForFrames(1);
    const c = await peer();
    await c.closed;
    await b.write(frame('MAX-2'));
    expect(acked(await b.waitForFrames(1))).toEqual(['AA MAX-2']);
    expect(logs.text).toContain('MLLP connection refused');
  });
});

describe('MLLP source over TLS', () => {
  const tlsClient = (port: number, tls: MllpClientTlsOptions) => {
    const c = createMllpClient({ host: '127.0.0.1', port, tls, maxConnectAttempts: 1, ackTimeoutMs: 10_000 });
    clients.push(c);
    return c;
  };

  it('server TLS from PEM files relative to the channel file', async () => {
    const { source, stored } = await setup({ tls: { cert: 'server.pem', key: 'server.key' } });
    const ack = parseAck(await tlsClient(source.port, { ca: pki.ca.cert }).send(Buffer.from(hl7('TLS-1'))));
    expect(ack.get('MSA-1')).toBe('AA');
    expect(await stored()).toHaveLength(1);
  });

  it('mutual TLS with PEM from secrets: a client certificate from the CA is accepted', async () => {
    Object.assign(process.env, { MLLP_TEST_CERT: pki.server.cert, MLLP_TEST_KEY: pki.server.key, MLLP_TEST_CA: pki.ca.cert });
    const { source } = await setup({ tls: { cert: { env: 'MLLP_TEST_CERT' }, key: { env: 'MLLP_TEST_KEY' }, ca: { env: 'MLLP_TEST_CA' }, requestClientCert: true } });
    const ack = parseAck(await tlsClient(source.port, { ca: pki.ca.cert, ...pki.client }).send(Buffer.from(hl7('MTLS-1'))));
    expect(ack.get('MSA-1')).toBe('AA');
  });

  it('mutual TLS refuses a client without certificate and one from another CA; nothing is stored', async () => {
    const { source, stored, logs } = await setup({ tls: { cert: 'server.pem', key: 'server.key', ca: 'ca.pem', requestClientCert: true } });
    for (const creds of [{}, pki.foreignClient]) {
      const c = tlsClient(source.port, { ca: pki.ca.cert, ...creds });
      await expect(c.send(Buffer.from(hl7('INTRUDER-1')))).rejects.toMatchObject({ code: expect.stringMatching(/MLLP_CONNECTION_LOST|MLLP_CONNECT_FAILED/) });
    }
    await quietWindow(100);
    expect(await stored()).toHaveLength(0);
    expect(logs.text).toContain('MLLP TLS handshake failed');
  });

  it('a plain TCP client cannot talk to a TLS source', async () => {
    const { source, stored } = await setup({ tls: { cert: 'server.pem', key: 'server.key' } });
    const p = await RawMllpPeer.connect(source.port);
    peers.push(p);
    await p.write(frame('PLAIN-1')).catch(() => undefined);
    await p.closed;
    expect(p.frames).toHaveLength(0);
    expect(await stored()).toHaveLength(0);
  });
});

describe('MLLP source options', () => {
  const parse = (o: unknown) => mllpSource.options.safeParse(o);

  it('tls must be chosen: absent is an error, false is plain TCP', () => {
    const missing = parse({ port: 2575 });
    expect(missing.success).toBe(false);
    expect(JSON.stringify(missing.error?.issues)).toContain('tls');
    expect(parse({ port: 2575, tls: false }).success).toBe(true);
  });

  it('lint: a channel file with an mllp source and no tls choice is an error at its line', async () => {
    const file = path.join(pki.dir, 'no-tls.yaml');
    await fs.writeFile(file, 'id: no-tls\nsource:\n  type: mllp\n  port: 2575\nparse: { format: hl7v2 }\nmap: identity-csv-to-patient\nroute:\n  - { id: out, type: mllp, host: lab, port: 2575, tls: false }\n');
    const r = loadChannelFile(file, registry);
    expect(r.issues).toContainEqual(expect.objectContaining({ severity: 'error', code: 'CHANNEL_SCHEMA', message: expect.stringContaining('source.tls'), path: expect.stringMatching(/no-tls\.yaml:\d+$/) }));
  });

  it('mutual TLS needs a CA; a literal secret is refused', () => {
    const noCa = parse({ port: 2575, tls: { cert: 'a.pem', key: 'a.key', requestClientCert: true } });
    expect(noCa.success).toBe(false);
    expect(JSON.stringify(noCa.error?.issues)).toContain('requestClientCert needs ca');
    expect(parse({ port: 2575, tls: { cert: 'a.pem', key: { env: 'K' }, ca: 'ca.pem', requestClientCert: true } }).success).toBe(true);
    expect(parse({ port: 2575, tls: { cert: 'a.pem', key: { value: '-----BEGIN' } } }).success).toBe(false);
  });

  it('a missing PEM file fails the start with a clear message', async () => {
    await expect(setup({ tls: { cert: 'nope.pem', key: 'server.key' } })).rejects.toThrow(/tls\.cert: cannot read .*nope\.pem: ENOENT/);
  });
});
