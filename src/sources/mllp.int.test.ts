import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPostgres } from '../store/db.js';
import { MessageStore } from '../store/message-store.js';
import { createMllpClient, type MllpClient } from '../net/mllp/index.js';
import { deferred, quietWindow, RawMllpPeer } from '../net/mllp/test-raw-client.js';
import { encodeFrame } from '../net/mllp/frame-encoder.js';
import type { RunningSource } from '../engine/define.js';
import { hl7, LogCapture, parseAck, startSource, storeContext, type ContextOptions, type SourceOptionsInput } from './mllp-test-kit.js';

let store: MessageStore;
beforeAll(async () => {
  store = await MessageStore.open(await openPostgres(inject('postgresUrl'), { schema: `mllp_src_${process.pid}_${Date.now()}` }));
});
afterAll(() => store?.close());

const running: RunningSource[] = [];
const clients: MllpClient[] = [];
const peers: RawMllpPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

let channelSeq = 0;
async function setup(options: Partial<SourceOptionsInput> = {}, ctxOptions: ContextOptions = {}) {
  const channel = `mllp-${++channelSeq}`;
  const logs = new LogCapture();
  const source = await startSource(options, storeContext(store, channel, logs, ctxOptions));
  running.push(source);
  const client = createMllpClient({ host: '127.0.0.1', port: source.port, tls: false, ackTimeoutMs: 10_000, maxConnectAttempts: 1 });
  clients.push(client);
  const send = async (text: string | Buffer) => parseAck(await client.send(Buffer.isBuffer(text) ? text : Buffer.from(text)));
  const stored = () => store.find({ channelId: channel, limit: 1000 });
  return { channel, logs, source, client, send, stored };
}

describe('MLLP source: original acknowledgment mode', () => {
  it('stores the message, then answers AA echoing MSH-10, sender and receiver swapped, same version', async () => {
    const { send, stored, logs } = await setup();
    const ack = await send(hl7('CTRL-1', { version: '2.3.1', name: 'MARTIN^Zoé' }));
    expect(ack.get('MSA-1')).toBe('AA');
    expect(ack.get('MSA-2')).toBe('CTRL-1');
    expect([ack.get('MSH-3'), ack.get('MSH-4'), ack.get('MSH-5'), ack.get('MSH-6')]).toEqual(['RELAIS', 'DCC', 'LAB', 'HOSP']);
    expect(ack.get('MSH-12')).toBe('2.3.1');
    expect(ack.get('MSH-9')).toBe('ACK');
    expect(ack.segmentsNamed('ERR')).toHaveLength(0);
    const [m] = await stored();
    expect(m).toMatchObject({ status: 'received', source_message_id: 'CTRL-1', source_ref: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect((await store.snapshot(m!.id, 'raw'))?.content.toString()).toBe(hl7('CTRL-1', { version: '2.3.1', name: 'MARTIN^Zoé' }));
    expect(logs.text).toContain('HL7 message received');
    expect(logs.text).toContain('MLLP connection opened');
    expect(logs.text).not.toMatch(/MARTIN|Zoé|IPP1/);
  });

  it('an ISO-8859-1 message gets an ISO-8859-1 ACK (MSH-18 echoed, bytes in that set)', async () => {
    const { send, client } = await setup({ ack: { validate: true } });
    const latin = Buffer.from(hl7('LAT-1', { charset: '8859/1', pid3: '', name: 'LEFÈVRE^Hélène' }), 'latin1');
    const raw = await client.send(latin);
    const ack = parseAck(raw);
    expect(ack.get('MSA-1')).toBe('AE');
    expect(ack.get('MSH-18')).toBe('8859/1');
    expect(ack.get('ERR-8')).toBe('PID-3 manquant: identifiant patient requis (numéro IPP)');
    expect(raw.includes(Buffer.from('numéro', 'latin1'))).toBe(true);
    expect(raw.includes(Buffer.from('numéro', 'utf8'))).toBe(false);
    // MSH-18 empty and Latin-1 bytes: read as Latin-1 ("auto"), answered in Latin-1 too
    const unlabelled = await client.send(Buffer.from(hl7('LAT-2', { pid3: '', name: 'GÉRARD^Noël' }), 'latin1'));
    expect(unlabelled.includes(Buffer.from('numéro', 'latin1'))).toBe(true);
    expect((await send(hl7('UTF-1', { charset: 'UNICODE UTF-8', pid3: '' }))).get('ERR-8')).toContain('numéro');
  });

  it('unreadable input is stored as rejected and answered AR with ERR segments, MSA-2 from MSH when readable', async () => {
    const { send, stored } = await setup();
    const badSegment = `MSH|^~\\&|LAB|HOSP|RELAIS|DCC|20240101||ADT^A01|BAD-1|P|2.4\rP I D|oops\r`;
    const ack = await send(badSegment);
    expect(ack.get('MSA-1')).toBe('AR');
    expect(ack.get('MSA-2')).toBe('BAD-1');
    expect(ack.get('MSH-12')).toBe('2.4');
    expect(ack.get('ERR-3.1')).toBe('100');
    expect(ack.get('ERR-3.4')).toBe('HL7_BAD_SEGMENT');
    expect(ack.get('ERR-4')).toBe('E');
    const garbage = await send('this is not HL7 at all');
    expect(garbage.get('MSA-1')).toBe('AR');
    expect(garbage.get('MSA-2')).toBe('');
    expect(garbage.get('ERR-3.4')).toBe('HL7_NO_MSH');
    const all = await stored();
    expect(all).toHaveLength(2);
    expect(all.every((m) => m.status === 'rejected')).toBe(true);
    expect(all.flatMap((m) => m.issues.map((i) => i.code)).sort()).toEqual(['HL7_BAD_SEGMENT', 'HL7_NO_MSH']);
  });

  it('ack.parseError: AE answers unreadable input with AE instead', async () => {
    const { send } = await setup({ ack: { parseError: 'AE' } });
    expect((await send('garbage')).get('MSA-1')).toBe('AE');
  });

  it('ack.validate: the channel dry run refusing the message gives AE + ERR, stored rejected; a corrected resend with the same MSH-10 is taken', async () => {
    const { send, stored } = await setup({ ack: { validate: true } });
    const refused = await send(hl7('VAL-1', { pid3: '' }));
    expect(refused.get('MSA-1')).toBe('AE');
    expect(refused.get('MSA-2')).toBe('VAL-1');
    expect(refused.getRaw('ERR-2')).toBe('PID^1^3');
    expect(refused.get('ERR-3.4')).toBe('PID3_MISSING');
    expect(refused.get('MSA-3')).toContain('PID-3 manquant');
    const fixed = await send(hl7('VAL-1'));
    expect(fixed.get('MSA-1')).toBe('AA');
    const all = await stored();
    expect(all.map((m) => m.status).sort()).toEqual(['received', 'rejected']);
    // without ack.validate the same message is acknowledged AA (the pipeline rejects it later)
    const lax = await setup();
    expect((await lax.send(hl7('VAL-2', { pid3: '' }))).get('MSA-1')).toBe('AA');
  });

  it('a dry run that throws does not block the sender: the message is taken', async () => {
    const { send, stored, logs } = await setup({ ack: { validate: true } }, { check: async () => { throw new Error('bug in a mapping'); } });
    expect((await send(hl7('CRASH-1'))).get('MSA-1')).toBe('AA');
    expect(await stored()).toHaveLength(1);
    expect(logs.text).toContain('validation dry run failed');
  });

  it('limits ERR segments and says how many were left out', async () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ severity: 'error' as const, code: `E${i}`, message: `problem ${i}` }));
    const { send } = await setup({ ack: { validate: true, maxErrSegments: 5 } }, { check: async () => many });
    const ack = await send(hl7('MANY-1'));
    expect(ack.segmentsNamed('ERR')).toHaveLength(5);
    expect(ack.get('MSA-3')).toBe('problem 0 (+25 more errors)');
  });
});

describe('MLLP source: enhanced acknowledgment mode (MSH-15 / MSH-16)', () => {
  it('CA after storing; CR for unreadable input; CE when the checks fail', async () => {
    const { send } = await setup({ ack: { validate: true } });
    expect((await send(hl7('ENH-1', { msh15: 'AL', msh16: 'NE' }))).get('MSA-1')).toBe('CA');
    const unreadable = `MSH|^~\\&|LAB|HOSP|RELAIS|DCC|20240101||ADT^A01|ENH-2|P|2.5|||AL|NE\rP I D\r`;
    const cr = await send(unreadable);
    expect([cr.get('MSA-1'), cr.get('MSA-2')]).toEqual(['CR', 'ENH-2']);
    expect((await send(hl7('ENH-3', { msh15: 'AL', pid3: '' }))).get('MSA-1')).toBe('CE');
  });

  it('MSH-15 NE: no commit ACK; with MSH-16 AL the application ACK comes at once; NE/NE: nothing, the next message is answered', async () => {
    const { source, stored } = await setup({ ack: { validate: true } });
    const peer = await RawMllpPeer.connect(source.port);
    peers.push(peer);
    await peer.write(encodeFrame(Buffer.from(hl7('NE-1', { msh15: 'NE', msh16: 'NE' }))));
    await peer.write(encodeFrame(Buffer.from(hl7('NE-2', { msh15: 'NE', msh16: 'AL' }))));
    await peer.write(encodeFrame(Buffer.from(hl7('ER-1', { msh15: 'ER', msh16: 'NE' })))); // success: nothing
    await peer.write(encodeFrame(Buffer.from(hl7('ER-2', { msh15: 'ER', pid3: '' })))); // error: CE
    await peer.write(encodeFrame(Buffer.from(hl7('SU-1', { msh15: 'SU' })))); // success: CA
    await peer.write(encodeFrame(Buffer.from(hl7('SU-2', { msh15: 'SU', msh16: 'NE', pid3: '' })))); // error: nothing
    await peer.write(encodeFrame(Buffer.from(hl7('SU-3', { msh15: 'SU', msh16: 'ER', pid3: '' })))); // error: application AE
    await peer.write(encodeFrame(Buffer.from(hl7('ER-3', { msh15: 'ER', msh16: 'AL' })))); // success: application AA
    const frames = await peer.waitForFrames(5);
    await quietWindow(150);
    expect(peer.frames).toHaveLength(5);
    expect(frames.map((f) => { const a = parseAck(f); return `${a.get('MSA-1')} ${a.get('MSA-2')}`; })).toEqual(['AA NE-2', 'CE ER-2', 'CA SU-1', 'AE SU-3', 'AA ER-3']);
    expect(await stored()).toHaveLength(8); // every one stored, acknowledged or not
  });
});

describe('MLLP source: duplicates', () => {
  it('a resend within the window is acknowledged AA and not processed twice; outside the window it is processed again', async () => {
    const { send, stored, logs } = await setup({ duplicateWindowMs: 700 });
    expect((await send(hl7('DUP-1'))).get('MSA-1')).toBe('AA');
    expect((await send(hl7('DUP-1'))).get('MSA-1')).toBe('AA');
    expect(await stored()).toHaveLength(1);
    expect(logs.text).toContain('duplicate HL7 message acknowledged');
    // same MSH-10 from another sender is another message
    expect((await send(hl7('DUP-1', { sender: 'OTHERLAB' }))).get('MSA-1')).toBe('AA');
    expect(await stored()).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 900));
    expect((await send(hl7('DUP-1'))).get('MSA-1')).toBe('AA');
    const all = await stored();
    expect(all).toHaveLength(3);
    expect(all.every((m) => m.status === 'received')).toBe(true);
  });

  it('a resend stamped with a new MSH-7 is a retransmission: AA, not processed twice (not a reused control ID)', async () => {
    const { send, stored } = await setup();
    const first = hl7('RESEND-1');
    expect((await send(first)).get('MSA-1')).toBe('AA');
    const resent = first.replace('20240101120000', '20240101120130');
    expect(resent).not.toBe(first);
    expect((await send(resent)).get('MSA-1')).toBe('AA');
    expect((await stored()).map((m) => m.status)).toEqual(['received']);
  });

  it('enhanced mode: a duplicate gets CA', async () => {
    const { send, stored } = await setup();
    await send(hl7('DUP-E', { msh15: 'AL' }));
    expect((await send(hl7('DUP-E', { msh15: 'AL' }))).get('MSA-1')).toBe('CA');
    expect(await stored()).toHaveLength(1);
  });

  it('MSH-10 reused for different content within the window: AR with ERR 205, the new content stored as rejected (not lost)', async () => {
    const { send, stored } = await setup();
    await send(hl7('REUSE-1', { name: 'A^B' }));
    const ack = await send(hl7('REUSE-1', { name: 'C^D' }));
    expect(ack.get('MSA-1')).toBe('AR');
    expect([ack.get('ERR-3.1'), ack.get('ERR-3.4')]).toEqual(['205', 'HL7_CONTROL_ID_REUSED']);
    const all = await stored();
    expect(all.map((m) => m.status).sort()).toEqual(['received', 'rejected']);
    const rejected = all.find((m) => m.status === 'rejected')!;
    expect((await store.snapshot(rejected.id, 'raw'))?.content.toString()).toContain('C^D');
  });
});

describe('MLLP source: acknowledgment only after the message is stored', () => {
  it('no ACK while the store has not resolved', async () => {
    const gate = deferred<void>();
    let reached = false;
    const { source, stored } = await setup({}, { gate: () => ((reached = true), gate.promise) });
    const peer = await RawMllpPeer.connect(source.port);
    peers.push(peer);
    await peer.write(encodeFrame(Buffer.from(hl7('WAIT-1'))));
    while (!reached) await quietWindow(10);
    await quietWindow(300);
    expect(peer.bytesReceived).toBe(0);
    expect(await stored()).toHaveLength(0);
    gate.resolve();
    const [ack] = await peer.waitForFrames(1);
    expect(parseAck(ack!).get('MSA-1')).toBe('AA');
    expect(await stored()).toHaveLength(1);
  });

  it('a store failure closes the connection without any ACK (the sender resends)', async () => {
    const { source, logs } = await setup({}, { failReceive: true });
    const peer = await RawMllpPeer.connect(source.port);
    peers.push(peer);
    await peer.write(encodeFrame(Buffer.from(hl7('FAIL-1'))));
    await peer.closed;
    expect(peer.frames).toHaveLength(0);
    expect(logs.text).toContain('connection closed without ACK');
  });

  it('stop: finishes the in-flight receive and its ACK, then refuses connections', async () => {
    const gate = deferred<void>();
    let reached = false;
    const { source, stored } = await setup({}, { gate: () => ((reached = true), gate.promise) });
    const peer = await RawMllpPeer.connect(source.port);
    peers.push(peer);
    await peer.write(encodeFrame(Buffer.from(hl7('STOP-1'))));
    while (!reached) await quietWindow(10);
    const stopping = source.stop();
    await quietWindow(100);
    await expect(RawMllpPeer.connect(source.port)).rejects.toThrow(/ECONNREFUSED/);
    gate.resolve();
    await stopping;
    expect(parseAck(peer.frames[0]!).get('MSA-2')).toBe('STOP-1');
    expect(await stored()).toHaveLength(1);
  });
});

describe('MLLP source: a batch in one frame', () => {
  const batch = (ids: string[], o: { pid3Missing?: string[]; bts?: number } = {}) =>
    `FHS|^~\\&|LAB|HOSP|RELAIS|DCC|20240101||||F-77\rBHS|^~\\&|LAB|HOSP|RELAIS|DCC|20240101||||B-77\r` +
    ids.map((id) => hl7(id, o.pid3Missing?.includes(id) ? { pid3: '' } : {})).join('') +
    `BTS|${o.bts ?? ids.length}\rFTS|1\r`;
  const batchAck = (bytes: Buffer) => bytes.toString('utf8').split('\r').filter(Boolean);

  it('stored whole; the batch ACK echoes the control IDs and lists nothing when all is accepted', async () => {
    const { client, stored } = await setup();
    const lines = batchAck(await client.send(Buffer.from(batch(['BA-1', 'BA-2']))));
    expect(lines[0]).toMatch(/^FHS\|\^~\\&\|RELAIS\|DCC\|LAB\|HOSP\|\d+.*\|F-77$/);
    expect(lines[1]).toMatch(/^BHS\|\^~\\&\|RELAIS\|DCC\|LAB\|HOSP\|.*\|B-77$/);
    expect(lines.slice(2)).toEqual(['BTS|0', 'FTS|1']);
    const [m] = await stored();
    expect(m).toMatchObject({ status: 'received', source_message_id: 'B-77' });
    // resent: a duplicate, not stored again
    await client.send(Buffer.from(batch(['BA-1', 'BA-2'])));
    expect(await stored()).toHaveLength(1);
  });

  it('with ack.validate, an ACK AE for each refused message inside the batch envelope', async () => {
    const { client } = await setup({ ack: { validate: true } });
    const lines = batchAck(await client.send(Buffer.from(batch(['BV-1', 'BV-2', 'BV-3'], { pid3Missing: ['BV-2'] }))));
    const msa = lines.filter((l) => l.startsWith('MSA'));
    expect(msa).toEqual(['MSA|AE|BV-2|PID-3 manquant: identifiant patient requis (numéro IPP)']);
    expect(lines.find((l) => l.startsWith('ERR'))).toContain('PID^1^3');
    expect(lines.at(-2)).toBe('BTS|1');
  });

  it('a broken batch is stored rejected and every readable message gets AR', async () => {
    const { client, stored } = await setup();
    const broken = batch(['BB-1', 'BB-2']).replace('BTS|2\r', 'ZZZ|stray\rBTS|2\r').replace('BHS|', 'PID|1\rBHS|');
    const lines = batchAck(await client.send(Buffer.from(broken)));
    expect(lines.filter((l) => l.startsWith('MSA')).map((l) => l.split('|').slice(0, 3).join('|'))).toEqual(['MSA|AR|BB-1', 'MSA|AR|BB-2']);
    expect(lines.some((l) => l.startsWith('ERR') && l.includes('HL7_BATCH_STRUCTURE'))).toBe(true);
    const [m] = await stored();
    expect(m?.status).toBe('rejected');
  });
});
