import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, waitForPort } from './free-port.js';

export const REDIS_INSTALL_HINT =
  'redis-server was not found on PATH. Install it (Debian/Ubuntu: `sudo apt-get install redis-server`; ' +
  'macOS: `brew install redis`) or set REDIS_URL to an existing Redis 6.2+ with `maxmemory-policy noeviction`.';

export interface EmbeddedRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * An engine killed with SIGKILL cannot stop its redis-server child, which then keeps the data directory. Before
 * starting, stop such an orphan (SIGTERM makes it flush its AOF), identified by the pid file and its command line.
 */
async function stopOrphan(pidFile: string): Promise<void> {
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  const cmdline = (() => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  })();
  if (pid > 0 && alive(pid) && cmdline.includes('redis-server')) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  fs.rmSync(pidFile, { force: true });
}

/** Looks for an executable `redis-server` on the search path (PATH plus the Debian locations). */
export function findRedisServer(searchPath = `${process.env.PATH ?? ''}:/usr/bin:/usr/sbin:/usr/local/bin`): string | undefined {
  for (const dir of searchPath.split(':').filter(Boolean)) {
    const candidate = path.join(dir, 'redis-server');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/**
 * Starts a supervised local redis-server child bound to loopback, with AOF (fsync every second) and `noeviction`
 * (BullMQ must never lose keys to eviction), data kept in `dataDir`. Stopped with SHUTDOWN semantics (SIGTERM
 * makes redis flush the AOF) when `stop()` is called or the parent exits.
 */
export async function startEmbeddedRedis(dataDir: string, opts: { port?: number; searchPath?: string } = {}): Promise<EmbeddedRedis> {
  const bin = findRedisServer(opts.searchPath);
  if (!bin) throw new Error(REDIS_INSTALL_HINT);
  fs.mkdirSync(dataDir, { recursive: true });
  const pidFile = path.join(path.resolve(dataDir), 'redis.pid');
  await stopOrphan(pidFile);
  const port = opts.port ?? (await freePort());
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', path.resolve(dataDir),
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--maxmemory-policy', 'noeviction',
    '--save', '',
    '--daemonize', 'no',
    '--pidfile', pidFile,
    '--protected-mode', 'yes',
  ];
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  try {
    await Promise.race([
      waitForPort(port),
      exited.then(() => {
        throw new Error(`redis-server exited at start: ${stderr.trim()}`);
      }),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
