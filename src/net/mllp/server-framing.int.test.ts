import { afterEach, describe, expect, test } from 'vitest';
import { encodeFrame } from './frame-encoder.js';
import { startMllpServer, type MllpServer } from './server.js';
import type { MllpServerEvent, MllpServerOptions } from './server-options.js';
import { EventRecorder } from './test-events.js';
import { deferred, quietWindow, RawMllpPeer } from './test-raw-client.js';

const frame = (s: string): Buffer => encodeFrame(Buffer.from(s));
const texts = (frames: Buffer[]): string[] => frames.map((f) => f.toString());

const servers: MllpServer[] = [];
const peers: RawMllpPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close({ deadlineMs: 1_000 })));
});

/** Plain-TCP echo server on an ephemeral loopback port: ACK payload = `ACK:` + payload. */
async function echoServer(overrides: Partial<MllpServerOptions> = {}) {
  const events = new EventRecorder<MllpServerEvent>();
  const received: string[] = [];
  const server = await startMllpServer({
    port: 0,
    tls: false,
    onMessage: async (payload) => {
      received.push(payload.toString());
      return Buffer.from(`ACK:${payload.toString()}`);
    },
    onEvent: events.listener,
    ...overrides,
  });
  servers.push(server);
  return { server, events, received };
}

async function connect(server: MllpServer): Promise<RawMllpPeer> {
  const peer = await RawMllpPeer.connect(server.port);
  peers.push(peer);
  return peer;
}

describe('MLLP server framing over real TCP', () => {
  test('several frames in a single write are all handled and acked in order', async () => {
    const { server, received } = await echoServer();
    const peer = await connect(server);
    await peer.write(Buffer.concat([frame('one'), frame('two'), frame('three')]));
    expect(texts(await peer.waitForFrames(3))).toEqual(['ACK:one', 'ACK:two', 'ACK:three']);
    expect(received).toEqual(['one', 'two', 'three']);
    expect(server.stats()).toMatchObject({ framesReceived: 3, framesAcked: 3, framesRejected: 0, connectionsOpen: 1 });
  });

  test('a frame dribbled one byte per write is reassembled', async () => {
    const { server } = await echoServer();
    const peer = await connect(server);
    const bytes = frame('MSH|^~\\&|DRIBBLE|\rPID|1');
    for (const byte of bytes) await peer.write(Buffer.from([byte]));
    expect(texts(await peer.waitForFrames(1))).toEqual(['ACK:MSH|^~\\&|DRIBBLE|\rPID|1']);
    expect(server.stats().bytesReceived).toBe(bytes.length);
  });

  test('junk between frames is skipped and reported, the frames around it are acked', async () => {
    const { server, events } = await echoServer();
    const peer = await connect(server);
    await peer.write(Buffer.concat([Buffer.from('noise'), frame('a'), Buffer.from('\r\n'), Buffer.from('xx'), frame('b')]));
    expect(texts(await peer.waitForFrames(2))).toEqual(['ACK:a', 'ACK:b']);
    const issues = events.events.flatMap((e) => (e.type === 'frame-issue' ? [e.issue] : []));
    expect(issues.map((i) => [i.code, i.bytes])).toEqual([['MLLP_JUNK_DISCARDED', 5], ['MLLP_JUNK_DISCARDED', 4]]);
    expect(server.stats().framingIssues).toBe(2);
  });

  test('an oversize frame is rejected: frames before it are acked, the connection is closed, a new one works', async () => {
    const { server, events, received } = await echoServer({ maxFrameBytes: 1_000 });
    const peer = await connect(server);
    await peer.write(Buffer.concat([frame('small'), frame('x'.repeat(5_000)), frame('after')]));
    await peer.closed;
    expect(texts(peer.frames)).toEqual(['ACK:small']); // no ACK for the oversize frame nor for what followed it
    expect(received).toEqual(['small']);
    const closedEvent = await events.waitFor((e) => e.type === 'connection-closed');
    expect(closedEvent).toMatchObject({ reason: 'framing-error', framesAcked: 1 });
    expect(events.events).toContainEqual(expect.objectContaining({
      type: 'frame-issue', issue: expect.objectContaining({ code: 'MLLP_FRAME_TOO_LARGE' }) }));
    expect(server.stats()).toMatchObject({ framesRejected: 1, framesAcked: 1, framesAbandoned: 1 });

    const again = await connect(server);
    await again.write(frame('after'));
    expect(texts(await again.waitForFrames(1))).toEqual(['ACK:after']);
  });

  test('a frame of exactly maxFrameBytes is accepted', async () => {
    const { server } = await echoServer({ maxFrameBytes: 1_000, onMessage: async (p) => Buffer.from(String(p.length)) });
    const peer = await connect(server);
    await peer.write(encodeFrame(Buffer.alloc(1_000, 0x41)));
    expect(texts(await peer.waitForFrames(1))).toEqual(['1000']);
  });

  test('an idle connection is closed after idleTimeoutMs', async () => {
    const { server, events } = await echoServer({ idleTimeoutMs: 400 });
    const idle = await connect(server);
    const started = Date.now();
    await idle.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(await events.waitFor((e) => e.type === 'connection-closed')).toMatchObject({ reason: 'idle-timeout' });
    expect(idle.bytesReceived).toBe(0);
  });

  test('idle timeout does not close a connection whose handler is still running', async () => {
    const started = deferred<void>();
    const gate = deferred<void>();
    const { server } = await echoServer({
      idleTimeoutMs: 200,
      onMessage: async (payload) => {
        started.resolve();
        await gate.promise;
        return Buffer.from(`ACK:${payload.toString()}`);
      },
    });
    const peer = await connect(server);
    await peer.write(frame('slow'));
    await started.promise;
    await quietWindow(800); // four idle periods without traffic, but an ACK is owed
    expect(peer.remoteEnded).toBe(false);
    gate.resolve();
    expect(texts(await peer.waitForFrames(1))).toEqual(['ACK:slow']);
    await peer.closed; // once acked, the connection is idle again and gets closed
  });

  test('50 concurrent connections x 20 pipelined frames: every ACK arrives, in order per connection', async () => {
    const { server } = await echoServer({
      // a random small delay so that connections interleave on the server
      onMessage: async (payload) => {
        await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 3)));
        return Buffer.from(`ACK:${payload.toString()}`);
      },
    });
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, c) => {
        const peer = await connect(server);
        const stream = Buffer.concat(Array.from({ length: 20 }, (_, i) => frame(`c${c}-m${i}`)));
        // write in irregular chunks so that frames straddle TCP segments
        for (let at = 0; at < stream.length; ) {
          const size = 1 + Math.floor(Math.random() * 40);
          await peer.write(stream.subarray(at, at + size));
          at += size;
        }
        return { c, acks: texts(await peer.waitForFrames(20, 60_000)) };
      }),
    );
    for (const { c, acks } of results) expect(acks).toEqual(Array.from({ length: 20 }, (_, i) => `ACK:c${c}-m${i}`));
    expect(server.stats()).toMatchObject({ connectionsAccepted: 50, framesReceived: 1_000, framesAcked: 1_000 });
  }, 120_000);

  test('maxConnections: connections beyond the limit are dropped, existing ones keep working', async () => {
    const { server, events } = await echoServer({ maxConnections: 2 });
    const a = await connect(server);
    const b = await connect(server);
    await events.waitFor((e) => e.type === 'connection-open' && e.remotePort === b.socket.localPort);
    await events.waitFor((e) => e.type === 'connection-open' && e.remotePort === a.socket.localPort);
    const c = await connect(server);
    await c.closed;
    expect(c.bytesReceived).toBe(0);
    expect(await events.waitFor((e) => e.type === 'connection-dropped')).toBeDefined();
    expect(server.stats()).toMatchObject({ connectionsDropped: 1, connectionsOpen: 2 });
    await a.write(frame('still-served'));
    expect(texts(await a.waitForFrames(1))).toEqual(['ACK:still-served']);
  });

  test('tolerates FS without CR by default', async () => {
    const { server, events } = await echoServer();
    const peer = await connect(server);
    await peer.write(Buffer.from([0x0b, 0x41, 0x1c]));
    expect(texts(await peer.waitForFrames(1))).toEqual(['ACK:A']);
    await peer.write(frame('B'));
    expect(texts(await peer.waitForFrames(2))).toEqual(['ACK:A', 'ACK:B']);
    expect(events.events).toContainEqual(expect.objectContaining({
      type: 'frame-issue', issue: expect.objectContaining({ code: 'MLLP_MISSING_CR', severity: 'warning' }) }));
  });
});
