import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { DeliveryError, type Sender } from '../engine/define.js';
import { parseHl7, type Hl7Message } from '../formats/hl7v2/index.js';
import { createTestPki, type TestPki } from '../net/mllp/test-certs.js';
import { ackWith, Hl7TestPeer } from '../net/mllp/test-hl7-peer.js';
import { LogCapture } from '../sources/mllp-test-kit.js';
import { mllpDestination } from './mllp.js';

type Input = z.input<typeof mllpDestination.options>;
const opts = (o: Partial<Input> = {}) => mllpDestination.options.parse({ host: '127.0.0.1', port: 1, tls: false, ...o });
const ER7 = 'x-application/hl7-v2+er7';
const hl7 = (id: string, extra = '') => `MSH|^~\\&|RELAIS|DCC|LAB|HOSP|20240101120000||ADT^A01^ADT_A01|${id}|P|2.5${extra}\rPID|1||IPP1^^^H||DUPONT^Jean\r`;
const encode = (content: unknown, contentType = ER7, o = opts()) => mllpDestination.encode({ content, contentType }, o);

describe('MLLP destination: encode', () => {
  it('takes ER7 text, bytes, an Hl7Message or its JSON form, and writes CR segment ends', () => {
    const text = hl7('E-1').replace(/\r/g, '\n');
    const fromText = encode(text);
    expect(fromText.issues).toEqual([]);
    expect(fromText.encoded?.content.toString()).toBe(hl7('E-1'));
    expect(encode(Buffer.from(text)).encoded?.content.toString()).toBe(hl7('E-1'));
    const m = parseHl7(hl7('E-2')).message!;
    expect(encode(m, 'application/fhir+json').encoded?.content.toString()).toBe(hl7('E-2')); // an Hl7Message is HL7 whatever the label
    expect(encode(JSON.parse(JSON.stringify(m))).encoded?.content.toString()).toBe(hl7('E-2'));
    expect(encode(text, ER7, opts({ normaliseLineEnds: false })).encoded?.content.toString()).toBe(text);
  });

  it('encodes in the MSH-18 character set', () => {
    const latin = encode(hl7('E-3', '||||||8859/1').replace('DUPONT', 'LEFÈVRE'));
    expect(latin.encoded?.content.includes(Buffer.from('LEFÈVRE', 'latin1'))).toBe(true);
    expect(latin.encoded?.content.includes(Buffer.from('LEFÈVRE', 'utf8'))).toBe(false);
    const m = parseHl7(Buffer.from(hl7('E-4', '||||||8859/15').replace('DUPONT', 'Œ€'), 'latin1')).message!;
    m.set('PID-5.2', 'Zoé €');
    const out = encode(m).encoded!.content;
    expect(parseHl7(out).message!.get('PID-5.2')).toBe('Zoé €');
    expect(out.includes(Buffer.from([0xa4]))).toBe(true); // € in ISO-8859-15
  });

  it('anything else is a clear issue', () => {
    expect(encode({ resourceType: 'Patient' }, 'application/fhir+json').issues).toEqual([expect.objectContaining({ severity: 'error', code: 'MLLP_NOT_HL7', message: expect.stringContaining('application/fhir+json') })]);
    expect(encode('<ClinicalDocument/>', 'application/xml').issues[0]?.code).toBe('MLLP_NOT_HL7');
    expect(encode('PID|1\r').issues[0]?.code).toBe('HL7_NO_MSH');
    expect(encode(hl7('')).issues).toEqual([expect.objectContaining({ code: 'MLLP_NO_CONTROL_ID', path: 'MSH-10' })]);
    expect(encode(hl7('E-5').replace('DUPONT', 'A\x1cB')).issues[0]?.code).toBe('MLLP_FRAMING_BYTE');
  });
});

describe('MLLP destination: sender against a real MLLP peer', () => {
  let peer: Hl7TestPeer;
  const senders: Sender[] = [];
  beforeAll(async () => {
    peer = await new Hl7TestPeer().start();
  });
  afterAll(() => peer.kill());
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((s) => s.close()));
    peer.respond = ackWith('AA');
    peer.received.length = 0;
  });

  const logs = new LogCapture();
  async function sender(o: Partial<Input> = {}, port = peer.port) {
    const s = await mllpDestination.createSender(opts({ port, ackTimeoutMs: 1000, maxConnectAttempts: 2, reconnect: { initialDelayMs: 20, maxDelayMs: 100 }, ...o }), {
      channelId: 'c', destinationId: 'lab', baseDir: '.', dataDir: '.', logger: logs.logger,
    });
    senders.push(s);
    return s;
  }
  const send = (s: Sender, id: string) => s.send(encode(hl7(id)).encoded!, { messageId: 'm', destinationId: 'lab' });
  const failure = async (p: Promise<unknown>) => {
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(DeliveryError);
    return e as DeliveryError;
  };

  it('AA and CA mean delivered, with the receipt "<code> <MSA-2>"; one connection for all', async () => {
    const s = await sender();
    expect(await send(s, 'D-1')).toEqual({ detail: 'AA D-1' });
    peer.respond = ackWith('CA');
    expect(await send(s, 'D-2')).toEqual({ detail: 'CA D-2' });
    expect(new Set(peer.received.map((r) => r.connection)).size).toBe(1);
  });

  it('AE / CE: a retryable failure carrying MSA-3 and ERR text', async () => {
    const s = await sender();
    peer.respond = ackWith('AE', 'PID-3 inconnu');
    const e = await failure(send(s, 'D-3'));
    expect(e.permanent).toBe(false);
    expect(e.message).toBe('AE D-3: PID-3 inconnu');
    peer.respond = ackWith('CE');
    expect((await failure(send(s, 'D-4'))).permanent).toBe(false);
  });

  it('AR / CR: a permanent refusal (held)', async () => {
    const s = await sender();
    peer.respond = ackWith('AR', 'type de message non supporté');
    const e = await failure(send(s, 'D-5'));
    expect(e.permanent).toBe(true);
    expect(e.message).toContain('AR D-5: type de message non supporté');
    peer.respond = ackWith('CR');
    expect((await failure(send(s, 'D-6'))).permanent).toBe(true);
  });

  it('an ACK for another message: error, retry, and that connection is dropped', async () => {
    const s = await sender();
    peer.respond = () => ackWith('AA')(parseHl7(hl7('SOMEONE-ELSE')).message as Hl7Message);
    const e = await failure(send(s, 'D-7'));
    expect(e.permanent).toBe(false);
    expect(e.message).toMatch(/MLLP_ACK_MISMATCH.*MSA-2 "SOMEONE-ELSE" does not match MSH-10 "D-7"/);
    peer.respond = ackWith('AA');
    expect(await send(s, 'D-8')).toEqual({ detail: 'AA D-8' });
    expect(new Set(peer.received.map((r) => r.connection)).size).toBe(2);
  });

  it('garbage instead of an ACK: retry on a new connection', async () => {
    const s = await sender();
    peer.respond = () => Buffer.from('NOT AN ACK');
    const e = await failure(send(s, 'D-9'));
    expect(e.permanent).toBe(false);
    expect(e.message).toContain('unreadable ACK');
  });

  it('no ACK: timeout, retry; the late ACK is never taken for the next message', async () => {
    const s = await sender({ ackTimeoutMs: 300 });
    peer.respond = () => 'silence';
    const e = await failure(send(s, 'D-10'));
    expect(e.permanent).toBe(false);
    expect(e.message).toContain('MLLP_ACK_TIMEOUT');
    peer.respond = ackWith('AA');
    peer.answerDelayMs = 500; // answers D-10b after the sender gave up on it
    try {
      expect((await failure(send(s, 'D-10b'))).message).toContain('MLLP_ACK_TIMEOUT');
    } finally {
      peer.answerDelayMs = 0;
    }
    expect(await send(s, 'D-11')).toEqual({ detail: 'AA D-11' });
    expect(new Set(peer.received.map((r) => r.connection)).size).toBe(3);
  });

  it('connection lost before the ACK, and nothing listening: retry', async () => {
    const s = await sender();
    peer.respond = () => 'hang-up';
    expect((await failure(send(s, 'D-12'))).message).toContain('MLLP_CONNECTION_LOST');
    const closed = await sender({}, 1);
    const e = await failure(send(closed, 'D-13'));
    expect([e.permanent, e.message.startsWith('MLLP_CONNECT_FAILED')]).toEqual([false, true]);
  });

  it('concurrent sends go out one at a time on the connection, in call order', async () => {
    const s = await sender();
    peer.answerDelayMs = 20;
    try {
      const ids = Array.from({ length: 10 }, (_, i) => `ORD-${i}`);
      const receipts = await Promise.all(ids.map((id) => send(s, id)));
      expect(receipts.map((r) => r.detail)).toEqual(ids.map((id) => `AA ${id}`));
      expect(peer.controlIds).toEqual(ids);
      expect(peer.received.every((r) => r.inFlight === 0)).toBe(true);
    } finally {
      peer.answerDelayMs = 0;
    }
  });

  it('reconnects after the peer restarts', async () => {
    const s = await sender();
    expect(await send(s, 'R-1')).toEqual({ detail: 'AA R-1' });
    await peer.kill();
    expect((await failure(send(s, 'R-2'))).permanent).toBe(false);
    await peer.restart();
    expect(await send(s, 'R-2')).toEqual({ detail: 'AA R-2' });
  });
});

describe('MLLP destination over TLS', () => {
  let pki: TestPki;
  let peer: Hl7TestPeer;
  beforeAll(async () => {
    pki = await createTestPki();
    peer = await new Hl7TestPeer({ ...pki.server, ca: pki.ca.cert, requestCert: true, rejectUnauthorized: true }).start();
    Object.assign(process.env, { MLLP_DEST_CA: pki.ca.cert, MLLP_DEST_CERT: pki.client.cert, MLLP_DEST_KEY: pki.client.key, MLLP_DEST_FOREIGN_CERT: pki.foreignClient.cert, MLLP_DEST_FOREIGN_KEY: pki.foreignClient.key });
  }, 60_000);
  afterAll(async () => {
    await peer?.kill();
    await pki?.remove();
  });
  const ctx = { channelId: 'c', destinationId: 'lab', baseDir: '.', dataDir: '.', logger: new LogCapture().logger };

  it('mutual TLS: delivered with a client certificate from the CA, refused without or with a foreign one', async () => {
    const base = { port: peer.port, host: '127.0.0.1', ackTimeoutMs: 2000, maxConnectAttempts: 1 };
    const good = await mllpDestination.createSender(opts({ ...base, tls: { ca: { env: 'MLLP_DEST_CA' }, cert: { env: 'MLLP_DEST_CERT' }, key: { env: 'MLLP_DEST_KEY' } } }), ctx);
    const none = await mllpDestination.createSender(opts({ ...base, tls: { ca: { env: 'MLLP_DEST_CA' } } }), ctx);
    const foreign = await mllpDestination.createSender(opts({ ...base, tls: { ca: { env: 'MLLP_DEST_CA' }, cert: { env: 'MLLP_DEST_FOREIGN_CERT' }, key: { env: 'MLLP_DEST_FOREIGN_KEY' } } }), ctx);
    try {
      const enc = encode(hl7('TLS-1')).encoded!;
      expect(await good.send(enc, { messageId: 'm', destinationId: 'lab' })).toEqual({ detail: 'AA TLS-1' });
      for (const s of [none, foreign]) await expect(s.send(enc, { messageId: 'm', destinationId: 'lab' })).rejects.toMatchObject({ permanent: false, message: expect.stringMatching(/MLLP_CONNECTION_LOST|MLLP_CONNECT_FAILED/) });
      expect(peer.controlIds).toEqual(['TLS-1']);
    } finally {
      await Promise.all([good.close(), none.close(), foreign.close()]);
    }
  });

  it('a server certificate from an unknown CA is refused', async () => {
    const s = await mllpDestination.createSender(opts({ port: peer.port, ackTimeoutMs: 2000, maxConnectAttempts: 1, tls: { cert: { env: 'MLLP_DEST_CERT' }, key: { env: 'MLLP_DEST_KEY' } } }), ctx);
    try {
      await expect(s.send(encode(hl7('TLS-2')).encoded!, { messageId: 'm', destinationId: 'lab' })).rejects.toMatchObject({ message: expect.stringMatching(/MLLP_CONNECT_FAILED.*(self.signed|unable to verify|certificate)/i) });
    } finally {
      await s.close();
    }
  });

  it('tls is required in the options (false for plain TCP)', () => {
    expect(mllpDestination.options.safeParse({ host: 'h', port: 2575 }).success).toBe(false);
    expect(mllpDestination.options.safeParse({ host: 'h', port: 2575, tls: { cert: 'c.pem' } }).success).toBe(false);
  });
});
