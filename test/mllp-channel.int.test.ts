import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineMapping, type MappingDefinition } from '../src/engine/define.js';
import { registry, type Registry } from '../src/engine/registry.js';
import type { Hl7Message } from '../src/formats/hl7v2/index.js';
import { Engine } from '../src/runtime/engine.js';
import { freePort } from '../src/infra/free-port.js';
import { createMllpClient, type MllpClient } from '../src/net/mllp/index.js';
import { ackWith, Hl7TestPeer } from '../src/net/mllp/test-hl7-peer.js';
import { parseAck } from '../src/sources/mllp-test-kit.js';
import { startTestEngine } from './test-engine.js';
import { eventually, tmpDir } from './helpers.js';

/** Test-only pass-through mapping (registered in this test's registry, not in mappings/). */
const passthrough = defineMapping<Hl7Message>({
  name: 'test-hl7v2-passthrough',
  description: 'forwards the parsed HL7 v2 message unchanged',
  input: 'hl7v2',
  map: (m) => ({ output: { content: m, contentType: 'x-application/hl7-v2+er7' }, issues: [] }),
});
const testRegistry: Registry = { ...registry, mappings: [...registry.mappings, passthrough as MappingDefinition] };

const TOTAL = 200;
const KILL_AFTER = 50;
const id = (i: number) => `RELAY-${String(i).padStart(3, '0')}`;
const message = (i: number) => `MSH|^~\\&|LAB|HOSP|RELAIS|DCC|20240101120000||ORU^R01^ORU_R01|${id(i)}|P|2.5\rPID|1||${1000 + i}^^^HOSP^PI||NOM${i}^Prenom\rOBX|1|NM|GLU||${i}|mmol/L\r`;

/** mllp source → hl7v2 → pass-through → mllp destination, on real Redis and PostgreSQL, the receiving peer killed mid-stream. */
describe('MLLP channel end to end', () => {
  let engine: Engine;
  let peer: Hl7TestPeer;
  let client: MllpClient;
  let restarted: Promise<unknown> | undefined;
  const dir = tmpDir('mllp-e2e');

  beforeAll(async () => {
    peer = await new Hl7TestPeer().start();
    const sourcePort = await freePort();
    const channels = path.join(dir, 'channels');
    fs.mkdirSync(channels, { recursive: true });
    fs.writeFileSync(
      path.join(channels, 'mllp-relay.yaml'),
      `id: mllp-relay
source: { type: mllp, host: 127.0.0.1, port: ${sourcePort}, tls: false }
parse: { format: hl7v2 }
map: test-hl7v2-passthrough
route:
  - id: lab
    type: mllp
    host: 127.0.0.1
    port: ${peer.port}
    tls: false
    ackTimeoutMs: 2000
    maxConnectAttempts: 2
    reconnect: { initialDelayMs: 50, maxDelayMs: 300 }
queue: { concurrency: 1 }
retry: { attempts: 200, initialDelayMs: 100, maxDelayMs: 1000 }
`,
    );
    engine = await startTestEngine(channels, { dir, name: 'mllpe2e', registry: testRegistry });
    client = createMllpClient({ host: '127.0.0.1', port: sourcePort, tls: false, ackTimeoutMs: 20_000 });
  });
  afterAll(async () => {
    await client?.close();
    await engine?.stop();
    await peer?.kill();
  });

  it(`relays ${TOTAL} messages while the receiver is killed after ${KILL_AFTER} and restarted 2 s later: none lost`, async () => {
    peer.respond = (m) => {
      if (peer.received.length === KILL_AFTER && !restarted) {
        restarted = peer.kill().then(() => new Promise((r) => setTimeout(r, 2000))).then(() => peer.restart());
        return 'hang-up';
      }
      return ackWith('AA')(m);
    };
    for (let i = 0; i < TOTAL; i++) {
      const ack = parseAck(await client.send(Buffer.from(message(i))));
      expect([ack.get('MSA-1'), ack.get('MSA-2')]).toEqual(['AA', id(i)]);
    }
    const all = await eventually(async () => {
      const rows = await engine.store.find({ channelId: 'mllp-relay', limit: 1000 });
      return rows.length === TOTAL && rows.every((r) => r.status === 'delivered') ? rows : undefined;
    }, 150_000, `all ${TOTAL} messages delivered`);
    await restarted;

    // every message reached the peer (a message whose ACK was lost may arrive twice), nothing else did
    const seen = new Set(peer.controlIds);
    expect([...seen].sort()).toEqual(Array.from({ length: TOTAL }, (_, i) => id(i)));
    expect(peer.received.length).toBeGreaterThanOrEqual(TOTAL);
    // one message in flight at a time per connection; before the kill, in order on the first connection
    expect(peer.received.every((r) => r.inFlight === 0)).toBe(true);
    expect(peer.received.filter((r) => r.connection === 1).map((r) => r.controlId)).toEqual(Array.from({ length: KILL_AFTER }, (_, i) => id(i)));
    expect(new Set(peer.received.map((r) => r.connection)).size).toBeGreaterThan(1);
    // what the peer got is the message as received (CR segment ends, same bytes)
    const last = peer.received.find((r) => r.controlId === id(TOTAL - 1))!;
    expect(last.payload.toString()).toBe(message(TOTAL - 1));

    // the store: every message delivered with the peer's receipt; the one cut off was retried
    const d = await engine.store.delivery(all.find((m) => m.source_message_id === id(KILL_AFTER - 1))!.id, 'lab');
    expect(d).toMatchObject({ status: 'sent', detail: `AA ${id(KILL_AFTER - 1)}` });
    expect(d!.attempts).toBeGreaterThanOrEqual(2);
    const parsed = await engine.store.snapshot(all[0]!.id, 'parsed');
    expect(JSON.parse(parsed!.content.toString())).toMatchObject({ encoding: 'utf8', segments: [{ name: 'MSH' }, { name: 'PID' }, { name: 'OBX' }] });
  }, 200_000);

  it('a resent message is acknowledged and not relayed again; unreadable input is stored rejected and answered AR', async () => {
    const before = peer.received.length;
    expect(parseAck(await client.send(Buffer.from(message(7)))).get('MSA-1')).toBe('AA');
    const ar = parseAck(await client.send(Buffer.from('MSH|^~\\&|LAB|HOSP|RELAIS|DCC|20240101||ORU^R01|BROKEN-1|P|2.5\rO B X|1\r')));
    expect([ar.get('MSA-1'), ar.get('MSA-2'), ar.get('ERR-3.4')]).toEqual(['AR', 'BROKEN-1', 'HL7_BAD_SEGMENT']);
    const rejected = await eventually(async () => (await engine.store.find({ channelId: 'mllp-relay', status: 'rejected' }))[0]);
    expect(rejected.source_message_id).toBe('BROKEN-1');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await engine.store.find({ channelId: 'mllp-relay', limit: 1000 })).toHaveLength(TOTAL + 1);
    expect(peer.received.length).toBe(before);
  });
});
