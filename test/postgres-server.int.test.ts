import fs from 'node:fs';
import { expect, it } from 'vitest';
import pg from 'pg';
import { startTestPostgres } from './postgres-server.js';

it('a throw-away PostgreSQL starts on a loopback port and really stops', async () => {
  const server = await startTestPostgres();
  const c = new pg.Client(server.url);
  await c.connect();
  const { rows } = await c.query<{ pid: number; dir: string }>(`select pg_backend_pid() as pid, current_setting('data_directory') as dir`);
  await c.end();
  const dir = rows[0]!.dir;
  const postmaster = Number(fs.readFileSync(`${dir}/postmaster.pid`, 'utf8').split('\n')[0]);
  await server.stop();
  expect(() => process.kill(postmaster, 0)).toThrow();
});
