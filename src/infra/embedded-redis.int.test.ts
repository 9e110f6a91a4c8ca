import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { findRedisServer, REDIS_INSTALL_HINT, startEmbeddedRedis } from './embedded-redis.js';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'relais-redis-t-'));

it('says how to install redis-server when it is missing', async () => {
  expect(findRedisServer('/nonexistent')).toBeUndefined();
  await expect(startEmbeddedRedis(dir(), { searchPath: '/nonexistent' })).rejects.toThrow(REDIS_INSTALL_HINT);
  expect(REDIS_INSTALL_HINT).toContain('apt-get install redis-server');
});

it('runs with AOF and noeviction, persists across restarts, and stops an orphan of a killed engine', async () => {
  const data = dir();
  const a = await startEmbeddedRedis(data);
  const r = new Redis(a.url);
  expect(await r.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
  expect(await r.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
  await r.set('k', 'v');
  r.disconnect();
  // a second start on the same data dir (as after a SIGKILLed engine) stops the first server, then reads its AOF
  const pid = Number(fs.readFileSync(path.join(data, 'redis.pid'), 'utf8'));
  const b = await startEmbeddedRedis(data);
  expect(() => process.kill(pid, 0)).toThrow();
  const r2 = new Redis(b.url);
  expect(await r2.get('k')).toBe('v');
  r2.disconnect();
  await b.stop();
  await a.stop();
});
