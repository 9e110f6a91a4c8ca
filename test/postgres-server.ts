import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../src/infra/free-port.js';

/** Finds the PostgreSQL 15 binaries (Debian keeps them out of PATH). */
function pgBin(name: string): string {
  for (const dir of ['/usr/lib/postgresql/15/bin', '/usr/local/bin', '/usr/bin']) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${name} not found: install PostgreSQL 15 (Debian: apt-get install postgresql-15)`);
}

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away PostgreSQL cluster on a loopback port. When running as root, the server runs as the
 * `postgres` system user (PostgreSQL refuses to run as root). `settings`: extra server settings (`name=value`), e.g.
 * `shared_preload_libraries=pg_stat_statements` for a bench.
 */
export async function startTestPostgres(settings: string[] = []): Promise<TestPostgres> {
  const isRoot = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-pg-'));
  const dataDir = path.join(dir, 'data');
  const port = await freePort();
  const asUser = (cmd: string, args: string[]): [string, string[]] =>
    isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  if (isRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const [c1, a1] = asUser(pgBin('initdb'), ['-D', dataDir, '-U', 'relais', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const init = spawnSync(c1, a1, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const [c2, a2] = asUser(pgBin('postgres'), [
    '-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dir,
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
    ...settings.flatMap((x) => ['-c', x]),
  ]);
  const child = spawn(c2, a2, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await Promise.race([
    waitForPort(port, '127.0.0.1', 30_000),
    exited.then(() => {
      throw new Error(`postgres exited at start: ${stderr}`);
    }),
  ]);
  // give it a moment to accept logins after the socket opens
  await new Promise((r) => setTimeout(r, 300));
  return {
    url: `postgres://relais@127.0.0.1:${port}/postgres`,
    async stop() {
      if (child.exitCode === null) {
        // runuser does not forward signals: send the fast-shutdown signal to the postmaster itself
        const pidFile = path.join(dataDir, 'postmaster.pid');
        const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined;
        if (pid) process.kill(pid, 'SIGINT');
        else child.kill('SIGINT');
        const timer = setTimeout(() => (pid ? process.kill(pid, 'SIGKILL') : child.kill('SIGKILL')), 15_000);
        await exited;
        clearTimeout(timer);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
