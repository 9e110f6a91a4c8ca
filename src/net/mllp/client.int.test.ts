import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { freePort } from '../../infra/free-port.js';
import { createMllpClient, type MllpClient, type MllpClientOptions } from './client.js';
import type { MllpClientEvent } from './client-connection.js';
import { MllpConnectionError, MllpError, MllpTimeoutError } from './errors.js';
import { encodeFrame } from './frame-encoder.js';
import { startMllpServer, type MllpServer } from './server.js';
import type { MllpMessageHandler, MllpServerEvent } from './server-options.js';
import { EventRecorder } from './test-events.js';
import { deferred, quietWindow } from './test-raw-client.js';

const servers: MllpServer[] = [];
const clients: MllpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close({ deadlineMs: 1_000 })));
});

type MllpHandler = MllpMessageHandler;
const echo: MllpHandler = async (payload) => Buffer.from(`ACK:${payload.toString()}`);

async function start(onMessage: MllpHandler = echo, port = 0) {
  const events = new EventRecorder<MllpServerEvent>();
  const server = await startMllpServer({ port, tls: false, onMessage, onEvent: events.listener });
  servers.push(server);
  return { server, events };
}

function client(port: number, options: Partial<MllpClientOptions> = {}) {
  const events = new EventRecorder<MllpClientEvent>();
  const c = createMllpClient({ host: '127.0.0.1', port, tls: false, onEvent: events.listener, ...options });
  clients.push(c);
  return { client: c, events };
}

const send = async (c: MllpClient, text: string, timeoutMs?: number): Promise<string> =>
  (await c.send(Buffer.from(text), timeoutMs === undefined ? {} : { timeoutMs })).toString();

describe('MLLP client', () => {
  test('a send made as soon as the previous one resolved is not stranded in the queue', async () => {
    const { server } = await start();
    const { client: c } = client(server.port);
    for (const text of ['a', 'b', 'c']) {
      const ack = await c.send(Buffer.from(text)); // the next send starts in the very microtask that resolved this one
      expect(ack.toString()).toBe(`ACK:${text}`);
    }
  }, 5_000);

  test('checkAck: a mismatching ACK destroys the connection before the next message and aborts the queue', async () => {
    const received: string[] = [];
    const { server } = await start(async (payload) => {
      received.push(payload.toString());
      return Buffer.from(payload.toString() === 'two' ? 'ACK:someone-else' : `ACK:${payload.toString()}`);
    });
    const { client: c } = client(server.port);
    const check = (expected: string) => (ack: Buffer) => (ack.toString() === `ACK:${expected}` ? undefined : `expected ACK:${expected}, got ${ack.toString()}`);
    expect((await c.send(Buffer.from('one'), { checkAck: check('one') })).toString()).toBe('ACK:one');
    const two = c.send(Buffer.from('two'), { checkAck: check('two') });
    const three = c.send(Buffer.from('three'), { checkAck: check('three') });
    await expect(two).rejects.toMatchObject({ code: 'MLLP_ACK_MISMATCH', written: true });
    await expect(three).rejects.toMatchObject({ code: 'MLLP_ABORTED', written: false });
    expect(received).toEqual(['one', 'two']);
    expect(c.connected).toBe(false);
    expect((await c.send(Buffer.from('three'), { checkAck: check('three') })).toString()).toBe('ACK:three');
    expect(server.stats().connectionsAccepted).toBe(2);
  });

  test('connects lazily, then reuses one connection', async () => {
    const { server, events } = await start();
    const { client: c } = client(server.port);
    expect(c.connected).toBe(false);
    await quietWindow(100);
    expect(server.stats().connectionsAccepted).toBe(0);
    expect(await send(c, 'one')).toBe('ACK:one');
    expect(c.connected).toBe(true);
    expect(await send(c, 'two')).toBe('ACK:two');
    expect(server.stats().connectionsAccepted).toBe(1);
    expect(events.events.filter((e) => e.type === 'connection-open')).toHaveLength(1);
  });

  test('concurrent sends go out one at a time, in call order, each resolved with its own ACK', async () => {
    let active = 0;
    let maxActive = 0;
    const received: string[] = [];
    const { server } = await start(async (payload) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      received.push(payload.toString());
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 4)));
      active -= 1;
      return Buffer.from(`ACK:${payload.toString()}`);
    });
    const { client: c } = client(server.port);
    const names = Array.from({ length: 30 }, (_, i) => `m${i}`);
    const acks = await Promise.all(names.map((n) => send(c, n)));
    expect(acks).toEqual(names.map((n) => `ACK:${n}`));
    expect(received).toEqual(names);
    expect(maxActive).toBe(1);
    expect(c.pending).toBe(0);
  });

  test('server restarts mid-stream: the client reconnects and every message is acked once, in order', async () => {
    const port = await freePort();
    const received: string[] = [];
    const twentyHandled = deferred<void>();
    const handler: MllpHandler = async (payload) => {
      received.push(payload.toString());
      if (received.length === 20) twentyHandled.resolve();
      return Buffer.from(`ACK:${payload.toString()}`);
    };
    let server = (await start(handler, port)).server;
    const { client: c, events } = client(port, { backoff: { initialDelayMs: 20, maxDelayMs: 200 }, maxConnectAttempts: 3 });
    const names = Array.from({ length: 60 }, (_, i) => `m${i}`);

    const sender = (async () => {
      const acks: string[] = [];
      let failures = 0;
      for (const name of names) {
        for (;;) {
          try {
            acks.push(await send(c, name));
            break;
          } catch (error) {
            if (!(error instanceof MllpError) || ++failures > 500) throw error;
          }
        }
      }
      return { acks, failures };
    })();

    await twentyHandled.promise;
    await server.close();
    await quietWindow(300); // downtime: the client's attempts are refused meanwhile
    server = (await start(handler, port)).server;

    const { acks, failures } = await sender;
    expect(acks).toEqual(names.map((n) => `ACK:${n}`));
    expect(received).toEqual(names); // nothing lost, nothing duplicated, nothing reordered
    expect(failures).toBeGreaterThan(0);
    expect(events.events.some((e) => e.type === 'connect-failed')).toBe(true);
    expect(events.events.filter((e) => e.type === 'connected').length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  test('ACK timeout: MllpTimeoutError, connection destroyed, the late ACK is never taken for the next message', async () => {
    const gate = deferred<void>();
    const { server, events } = await start(async (payload) => {
      if (payload.toString() === 'slow') await gate.promise;
      return Buffer.from(`ACK:${payload.toString()}`);
    });
    const { client: c } = client(server.port);
    const error = await c.send(Buffer.from('slow'), { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MllpTimeoutError);
    expect(error).toMatchObject({ code: 'MLLP_ACK_TIMEOUT', written: true, timeoutMs: 300 });
    await events.waitFor((e) => e.type === 'connection-closed');
    gate.resolve(); // the server now tries to ACK "slow" on a dead connection
    await events.waitFor((e) => e.type === 'ack-lost');
    expect(await send(c, 'next')).toBe('ACK:next');
    expect(server.stats().connectionsAccepted).toBe(2);
  });

  test('server closes without ACK: send rejects (written), queued sends are aborted unsent, a resend works', async () => {
    const received: string[] = [];
    let failNext = true;
    const { server } = await start(async (payload) => {
      received.push(payload.toString());
      if (payload.toString() === 'bad' && failNext) {
        failNext = false;
        throw new Error('cannot store');
      }
      return Buffer.from(`ACK:${payload.toString()}`);
    });
    const { client: c } = client(server.port);
    const results = await Promise.allSettled([send(c, 'good'), send(c, 'bad'), send(c, 'queued1'), send(c, 'queued2')]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'ACK:good' });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: 'MLLP_CONNECTION_LOST', written: true } });
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(MllpConnectionError);
    for (const r of results.slice(2)) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'MLLP_ABORTED', written: false } });
    expect(received).toEqual(['good', 'bad']);

    expect(await send(c, 'bad')).toBe('ACK:bad');
    expect(await send(c, 'queued1')).toBe('ACK:queued1');
    expect(received).toEqual(['good', 'bad', 'bad', 'queued1']);
  });

  test('nothing listening: bounded attempts with backoff, then MLLP_CONNECT_FAILED (not written)', async () => {
    const port = await freePort();
    const { client: c, events } = client(port, { maxConnectAttempts: 3, backoff: { initialDelayMs: 40, jitter: 0.5 } });
    const started = Date.now();
    const error = await c.send(Buffer.from('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MllpConnectionError);
    expect(error).toMatchObject({ code: 'MLLP_CONNECT_FAILED', written: false });
    expect(events.events.filter((e) => e.type === 'connect-failed')).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(20 + 40 - 5); // two backoff waits, jitter at most halves them
  });

  test('a server answering twice to one message: the extra frame kills the connection, the next send reconnects', async () => {
    const sockets: net.Socket[] = [];
    const rogue = net.createServer((s) => {
      sockets.push(s);
      s.on('error', () => undefined);
      s.once('data', () => s.write(Buffer.concat([encodeFrame(Buffer.from('ACK1')), encodeFrame(Buffer.from('BOGUS'))])));
    });
    await new Promise<void>((r) => rogue.listen(0, '127.0.0.1', () => r()));
    const { client: c, events } = client((rogue.address() as net.AddressInfo).port);
    expect(await send(c, 'first')).toBe('ACK1');
    await events.waitFor((e) => e.type === 'unexpected-frame');
    expect(c.connected).toBe(false);
    expect(await send(c, 'second')).toBe('ACK1'); // from a fresh connection, not the stale BOGUS frame
    expect(sockets).toHaveLength(2);
    for (const s of sockets) s.destroy();
    rogue.close();
  });

  test('close(): the in-flight send completes, queued ones are rejected, later sends are refused', async () => {
    const gate = deferred<void>();
    const handlerStarted = deferred<void>();
    const { server } = await start(async (payload) => {
      handlerStarted.resolve();
      await gate.promise;
      return Buffer.from(`ACK:${payload.toString()}`);
    });
    const { client: c } = client(server.port);
    const first = send(c, 'in-flight');
    const second = send(c, 'queued').catch((e: unknown) => e);
    await handlerStarted.promise;
    const closing = c.close();
    expect(await second).toMatchObject({ code: 'MLLP_CLIENT_CLOSED', written: false });
    gate.resolve();
    expect(await first).toBe('ACK:in-flight');
    await closing;
    expect(c.connected).toBe(false);
    await expect(send(c, 'late')).rejects.toMatchObject({ code: 'MLLP_CLIENT_CLOSED' });
  });

  test('a payload that cannot be framed is refused before anything is sent', async () => {
    const { server } = await start();
    const { client: c } = client(server.port);
    await expect(c.send(Buffer.from([0x41, 0x1c]))).rejects.toThrow(RangeError);
    expect(server.stats().connectionsAccepted).toBe(0);
  });

  test('tls must be given explicitly', () => {
    expect(() => createMllpClient({ host: '127.0.0.1', port: 1 } as unknown as MllpClientOptions)).toThrow(/tls must be given explicitly/);
  });
});
