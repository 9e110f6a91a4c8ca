import net from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { RedisLocks } from './redis-lock.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A TCP relay to the test Redis that can stop forwarding, so that one client sees Redis hang while others do not. */
async function freezableProxy(target: URL) {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (d) => (frozen ? undefined : upstream.write(d)));
    upstream.on('data', (d) => (frozen ? undefined : client.write(d)));
    const close = () => (client.destroy(), upstream.destroy());
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    freeze: () => (frozen = true),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('RedisLocks (real Redis)', () => {
  let a: Redis;
  let b: Redis;
  const prefix = `locktest${process.pid}:lock`;
  beforeAll(() => {
    a = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    b = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await a.quit();
    await b.quit();
  });

  it('one holder at a time; a released lock can be taken again', async () => {
    const one = new RedisLocks(a, prefix);
    const two = new RedisLocks(b, prefix);
    const h = await one.acquire('dir-1', 5000);
    expect(h?.held).toBe(true);
    expect(await two.acquire('dir-1', 5000)).toBeUndefined();
    expect(await two.acquire('dir-2', 5000)).toBeDefined(); // another name is another lock
    await h!.release();
    expect(h!.held).toBe(false);
    expect(h!.lost.aborted).toBe(true);
    const h2 = await two.acquire('dir-1', 5000);
    expect(h2?.held).toBe(true);
    await h2!.release();
  });

  it('renews in the background: held well past its time to live', async () => {
    const h = await new RedisLocks(a, prefix).acquire('renewed', 300);
    await sleep(1200);
    expect(h?.held).toBe(true);
    expect(await new RedisLocks(b, prefix).acquire('renewed', 300)).toBeUndefined();
    expect(Number(await b.pttl(`${prefix}:renewed`))).toBeGreaterThan(0);
    await h!.release();
    expect(await b.exists(`${prefix}:renewed`)).toBe(0);
  });

  it('a holder whose lock was taken over notices it, and its release leaves the new holder’s lock alone', async () => {
    const first = (await new RedisLocks(a, prefix).acquire('taken-over', 300))!;
    // as if the first holder had paused past the expiry and another instance had taken the lock
    await b.del(`${prefix}:taken-over`);
    const second = (await new RedisLocks(b, prefix).acquire('taken-over', 5000))!;
    await new Promise<void>((resolve) => first.lost.addEventListener('abort', () => resolve(), { once: true }));
    expect(first.held).toBe(false);
    await first.release();
    expect(second.held).toBe(true);
    expect(await b.get(`${prefix}:taken-over`)).not.toBeNull();
    await second.release();
  });

  it('a holder cut off from Redis considers the lock lost after its time to live, before another may take it', async () => {
    const proxy = await freezableProxy(new URL(inject('redisUrl')));
    const viaProxy = new Redis(proxy.url, { maxRetriesPerRequest: null });
    try {
      const h = (await new RedisLocks(viaProxy, prefix).acquire('cut-off', 400))!;
      proxy.freeze();
      // another instance takes the lock as soon as Redis lets it: by then the cut-off holder must know it is not ours
      const other = await (async () => {
        for (;;) {
          const got = await new RedisLocks(b, prefix).acquire('cut-off', 5000);
          if (got) return got;
          await sleep(10);
        }
      })();
      expect(h.held).toBe(false);
      expect(h.lost.aborted).toBe(true);
      expect(String(h.lost.reason)).toMatch(/not renewed within 400 ms/);
      await other.release();
      // taking a lock through the frozen link answers "not taken" after a bounded wait instead of hanging
      const started = Date.now();
      expect(await new RedisLocks(viaProxy, prefix).acquire('unreachable', 300)).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      viaProxy.disconnect();
      await proxy.close();
    }
  });

  it('refuses a nonsensical time to live', async () => {
    await expect(new RedisLocks(a, prefix).acquire('x', 5)).rejects.toThrow(/at least 100 ms/);
  });
});
