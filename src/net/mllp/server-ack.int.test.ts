import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { encodeFrame } from './frame-encoder.js';
import { startMllpServer, type MllpServer } from './server.js';
import type { MllpMessageContext, MllpServerEvent, MllpServerOptions } from './server-options.js';
import { EventRecorder } from './test-events.js';
import { deferred, quietWindow, RawMllpPeer, type Deferred } from './test-raw-client.js';

const frame = (s: string): Buffer => encodeFrame(Buffer.from(s));
const texts = (frames: Buffer[]): string[] => frames.map((f) => f.toString());

const servers: MllpServer[] = [];
const peers: RawMllpPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close({ deadlineMs: 1_000 })));
});

async function start(options: Partial<MllpServerOptions> & Pick<MllpServerOptions, 'onMessage'>) {
  const events = new EventRecorder<MllpServerEvent>();
  const server = await startMllpServer({ port: 0, tls: false, onEvent: events.listener, ...options });
  servers.push(server);
  return { server, events };
}

async function connect(server: MllpServer): Promise<RawMllpPeer> {
  const peer = await RawMllpPeer.connect(server.port);
  peers.push(peer);
  return peer;
}

/** A handler whose calls are recorded and each completed by the test through its own deferred. */
function controlledHandler() {
  const calls: Array<{ payload: string; ctx: MllpMessageContext; done: Deferred<Buffer> }> = [];
  const called: Array<Deferred<void>> = Array.from({ length: 100 }, () => deferred<void>());
  const onMessage = (payload: Buffer, ctx: MllpMessageContext): Promise<Buffer> => {
    const done = deferred<Buffer>();
    calls.push({ payload: payload.toString(), ctx, done });
    called[calls.length - 1]?.resolve();
    return done.promise;
  };
  /** Resolves when the handler has been called for the n-th time (1-based). */
  const nthCall = async (n: number) => {
    await called[n - 1]?.promise;
    return calls[n - 1] as (typeof calls)[number];
  };
  return { onMessage, calls, nthCall };
}

describe('MLLP server acknowledgement contract', () => {
  test('a handler resolving null sends no ACK for that frame and the next frame is handled', async () => {
    const { server } = await start({ onMessage: async (p) => (p.toString() === 'quiet' ? null : Buffer.from(`ACK-${p.toString()}`)) });
    const peer = await connect(server);
    await peer.write(Buffer.concat([frame('quiet'), frame('loud')]));
    expect(texts(await peer.waitForFrames(1))).toEqual(['ACK-loud']);
    await quietWindow(100);
    expect(texts(peer.frames)).toEqual(['ACK-loud']);
    expect(server.stats()).toMatchObject({ framesReceived: 2, framesAcked: 1, framesUnacknowledged: 1 });
    expect(peer.remoteEnded).toBe(false);
  });

  test('the ACK is written only after onMessage resolves', async () => {
    const h = controlledHandler();
    const { server } = await start({ onMessage: h.onMessage });
    const peer = await connect(server);
    await peer.write(frame('store-me'));
    const call = await h.nthCall(1);

    // Prove the server is otherwise responsive (a full exchange on another connection), then observe a quiet window.
    const other = await connect(server);
    await other.write(frame('other'));
    (await h.nthCall(2)).done.resolve(Buffer.from('ACK-other'));
    expect(texts(await other.waitForFrames(1))).toEqual(['ACK-other']);
    await quietWindow(200);
    expect(peer.bytesReceived).toBe(0);
    expect(server.stats().framesAcked).toBe(1);

    call.done.resolve(Buffer.from('ACK-store-me'));
    expect(texts(await peer.waitForFrames(1))).toEqual(['ACK-store-me']);
  });

  test('pipelined frames are queued and handled strictly one at a time, each after the previous ACK was written', async () => {
    let active = 0;
    let maxActive = 0;
    const ackedAtStart: number[] = [];
    const serverRef: { current?: MllpServer } = {};
    const { server } = await start({
      onMessage: async (payload, ctx) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        ackedAtStart.push(serverRef.current?.stats().framesAcked ?? -1);
        await new Promise((r) => setTimeout(r, 5 + Math.floor(Math.random() * 5)));
        active -= 1;
        return Buffer.from(`${ctx.frameIndex}:${payload.toString()}`);
      },
    });
    serverRef.current = server;
    const peer = await connect(server);
    await peer.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => frame(`m${i}`))));
    expect(texts(await peer.waitForFrames(10))).toEqual(Array.from({ length: 10 }, (_, i) => `${i}:m${i}`));
    expect(maxActive).toBe(1);
    expect(ackedAtStart).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  test('a slow first frame holds back the pipelined ones (no handler starts early)', async () => {
    const h = controlledHandler();
    const { server } = await start({ onMessage: h.onMessage });
    const peer = await connect(server);
    await peer.write(Buffer.concat([frame('a'), frame('b'), frame('c')]));
    const first = await h.nthCall(1);
    await quietWindow(150);
    expect(h.calls).toHaveLength(1);
    first.done.resolve(Buffer.from('A'));
    (await h.nthCall(2)).done.resolve(Buffer.from('B'));
    (await h.nthCall(3)).done.resolve(Buffer.from('C'));
    expect(texts(await peer.waitForFrames(3))).toEqual(['A', 'B', 'C']);
  });

  test('a rejecting handler: no ACK for that frame, connection closed, later frames never handled', async () => {
    const h = controlledHandler();
    const { server, events } = await start({ onMessage: h.onMessage });
    const peer = await connect(server);
    await peer.write(Buffer.concat([frame('ok'), frame('fails'), frame('never')]));
    (await h.nthCall(1)).done.resolve(Buffer.from('ACK-ok'));
    (await h.nthCall(2)).done.reject(new Error('database down'));
    await peer.closed;
    expect(texts(peer.frames)).toEqual(['ACK-ok']);
    expect(h.calls.map((c) => c.payload)).toEqual(['ok', 'fails']);
    expect(await events.waitFor((e) => e.type === 'handler-error')).toMatchObject({ frameIndex: 1, error: new Error('database down') });
    expect(await events.waitFor((e) => e.type === 'connection-closed')).toMatchObject({ reason: 'handler-error', framesAcked: 1 });
    expect(server.stats()).toMatchObject({ framesAcked: 1, framesRejected: 1, framesAbandoned: 1 });
  });

  test('a handler that throws synchronously or resolves to an unframeable ACK is treated as a rejection', async () => {
    for (const onMessage of [
      (): Promise<Buffer> => {
        throw new Error('sync');
      },
      async (): Promise<Buffer> => Buffer.from([0x41, 0x1c, 0x42]),
      async (): Promise<Buffer> => 'not a buffer' as unknown as Buffer,
    ]) {
      const { server, events } = await start({ onMessage });
      const peer = await connect(server);
      await peer.write(frame('x'));
      await peer.closed;
      expect(peer.bytesReceived).toBe(0);
      expect(await events.waitFor((e) => e.type === 'connection-closed')).toMatchObject({ reason: 'handler-error' });
    }
  });

  test('the handler gets the connection context; connectionId is stable per connection', async () => {
    const contexts: MllpMessageContext[] = [];
    const { server } = await start({ onMessage: async (_p, ctx) => (contexts.push(ctx), Buffer.from('ok')) });
    const a = await connect(server);
    await a.write(Buffer.concat([frame('1'), frame('2')]));
    await a.waitForFrames(2);
    const b = await connect(server);
    await b.write(frame('3'));
    await b.waitForFrames(1);
    expect(contexts.map((c) => [c.remoteAddress, c.remotePort, c.frameIndex, c.transport, c.peerCertificate])).toEqual([
      ['127.0.0.1', a.socket.localPort, 0, 'tcp', undefined],
      ['127.0.0.1', a.socket.localPort, 1, 'tcp', undefined],
      ['127.0.0.1', b.socket.localPort, 0, 'tcp', undefined],
    ]);
    expect(contexts[0]?.connectionId).toBe(contexts[1]?.connectionId);
    expect(contexts[2]?.connectionId).not.toBe(contexts[0]?.connectionId);
  });

  test('a sender that disconnects before its ACK: the ACK is counted as lost', async () => {
    const h = controlledHandler();
    const { server, events } = await start({ onMessage: h.onMessage });
    const peer = await connect(server);
    await peer.write(frame('x'));
    const call = await h.nthCall(1);
    peer.destroy();
    await events.waitFor((e) => e.type === 'connection-closed');
    call.done.resolve(Buffer.from('late'));
    await events.waitFor((e) => e.type === 'ack-lost');
    expect(server.stats()).toMatchObject({ acksLost: 1, framesAcked: 0, connectionsOpen: 0 });
  });
});

describe('MLLP server graceful close', () => {
  test('stops accepting, lets the running handler write its ACK, drops queued frames, then closes', async () => {
    const h = controlledHandler();
    const { server, events } = await start({ onMessage: h.onMessage });
    const peer = await connect(server);
    const idle = await connect(server);
    await events.waitFor((e) => e.type === 'connection-open' && e.remotePort === idle.socket.localPort);
    await peer.write(Buffer.concat([frame('in-flight'), frame('queued')]));
    const call = await h.nthCall(1);

    let closeDone = false;
    const closing = server.close({ deadlineMs: 20_000 }).then(() => (closeDone = true));
    await idle.closed; // connections with nothing in flight are ended right away
    await expect(RawMllpPeer.connect(server.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(closeDone).toBe(false);

    call.done.resolve(Buffer.from('ACK-in-flight'));
    expect(texts(await peer.waitForFrames(1))).toEqual(['ACK-in-flight']);
    await peer.closed;
    await closing;
    expect(h.calls.map((c) => c.payload)).toEqual(['in-flight']);
    expect(server.stats()).toMatchObject({ framesAcked: 1, framesAbandoned: 1, connectionsOpen: 0 });
  });

  test('sockets still busy at the deadline are destroyed and close() resolves', async () => {
    const h = controlledHandler();
    const { server, events } = await start({ onMessage: h.onMessage });
    const peer = await connect(server);
    await peer.write(frame('stuck'));
    await h.nthCall(1); // never completed
    const started = Date.now();
    await server.close({ deadlineMs: 300 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await peer.closed;
    expect(peer.bytesReceived).toBe(0);
    expect(await events.waitFor((e) => e.type === 'connection-closed')).toMatchObject({ reason: 'close-deadline' });
  });

  test('close() is idempotent', async () => {
    const { server } = await start({ onMessage: async () => Buffer.from('x') });
    const first = server.close();
    expect(server.close()).toBe(first);
    await first;
  });
});

describe('MLLP server options', () => {
  const onMessage = async (): Promise<Buffer> => Buffer.alloc(0);

  test('tls must be given explicitly', async () => {
    await expect(startMllpServer({ port: 0, onMessage } as unknown as MllpServerOptions)).rejects.toThrow(/tls must be given explicitly/);
  });

  test('requestCert without a CA is refused', async () => {
    await expect(startMllpServer({ port: 0, onMessage, tls: { cert: 'c', key: 'k', requestCert: true, rejectUnauthorized: true } }))
      .rejects.toThrow(/requires tls.ca/);
  });

  test('a port already in use rejects', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    await expect(startMllpServer({ port, tls: false, onMessage })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    blocker.close();
  });
});
