import { inject, test, expect } from 'vitest';
import { Redis } from 'ioredis';
import pg from 'pg';

test('real Redis and PostgreSQL are reachable from tests', async () => {
  const r = new Redis(inject('redisUrl'));
  expect(await r.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
  expect(await r.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
  await r.quit();
  const c = new pg.Client(inject('postgresUrl'));
  await c.connect();
  const { rows } = await c.query('select version()');
  expect(rows[0].version).toMatch(/PostgreSQL 15/);
  await c.end();
});
