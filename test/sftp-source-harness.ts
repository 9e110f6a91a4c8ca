import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import type { Issue } from '../src/engine/issues.js';
import type { RawMessage, RunningSource, SourceContext } from '../src/engine/define.js';
import { createLogger } from '../src/monitor/logger.js';
import { openPostgres } from '../src/store/db.js';
import { MessageStore } from '../src/store/message-store.js';
import { RedisLocks } from '../src/queue/redis-lock.js';
import { sftpSource } from '../src/sources/sftp.js';
import { sftpOptions } from '../src/sources/sftp/options.js';
import { freshDatabase, tmpDir } from './helpers.js';
import type { TestSshd } from './sshd-server.js';

export interface LogLine {
  level: number;
  msg: string;
  [k: string]: unknown;
}

/** What one running source did: every receive and reject call (before the store's dedup), and its log lines. */
export interface SourceRun {
  received: RawMessage[];
  rejected: { raw: RawMessage; issues: Issue[] }[];
  logs: LogLine[];
  stop(): Promise<void>;
}

/**
 * Runs the real sftp source against the real sshd with a SourceContext backed by a real message store (PostgreSQL)
 * and real Redis locks, as the engine would, minus the queues. `failReceive` makes the next n receives throw (a store
 * outage), to check that nothing is moved before it is stored.
 */
export async function sftpSourceHarness(opts: { redisUrl: string; postgresUrl: string; name: string; sshd: TestSshd }) {
  const store = await MessageStore.open(await openPostgres(await freshDatabase(opts.postgresUrl, opts.name)));
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
  const locks = new RedisLocks(redis, `${opts.name}${process.pid}:lock`);
  const dataDir = tmpDir(`${opts.name}-data`);
  const runs: SourceRun[] = [];
  let failReceive = 0;
  process.env.RELAIS_TEST_SFTP_KEY = opts.sshd.privateKey;

  const server = () => ({
    host: opts.sshd.host,
    port: opts.sshd.port,
    username: opts.sshd.user,
    privateKey: { env: 'RELAIS_TEST_SFTP_KEY' },
    hostKeyFingerprint: opts.sshd.hostKeyFingerprint,
    keepaliveIntervalMs: 500,
    keepaliveCountMax: 2,
    reconnect: { initialDelayMs: 100, maxDelayMs: 500 },
  });

  /** Starts the source; `server` options are merged over the test server's (host, port, user, key, fingerprint). */
  async function start(channelId: string, options: Record<string, unknown> & { server?: Record<string, unknown> }): Promise<SourceRun> {
    const received: RawMessage[] = [];
    const rejected: { raw: RawMessage; issues: Issue[] }[] = [];
    const logs: LogLine[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
        cb();
      },
    });
    const logger = createLogger('debug', sink).child({ channel: channelId });
    const ctx: SourceContext = {
      channelId,
      logger,
      dataDir,
      baseDir: dataDir,
      async receive(raw) {
        if (failReceive > 0) {
          failReceive--;
          throw new Error('store unavailable (test)');
        }
        received.push(raw);
        const r = await store.receive(channelId, raw);
        return { messageId: r.id, duplicate: r.duplicate };
      },
      async reject(raw, issues) {
        rejected.push({ raw, issues });
        const r = await store.receive(channelId, raw, { status: 'rejected', issues });
        return { messageId: r.id, duplicate: r.duplicate };
      },
      check: async () => [],
      lock: (name, ttlMs) => locks.acquire(name, ttlMs),
    };
    const parsed = sftpOptions.parse({ pollIntervalMs: 150, stableMs: 400, lockTtlMs: 3000, ...options, server: { ...server(), ...options.server } });
    const running: RunningSource = await sftpSource.start(parsed, ctx);
    const run: SourceRun = { received, rejected, logs, stop: () => running.stop() };
    runs.push(run);
    return run;
  }

  /** Writes a file on the server side as a sender would: to a dot file, then renamed (atomic, never half seen). */
  function drop(dir: string, name: string | Buffer, content: string | Buffer): void {
    const folder = path.join(opts.sshd.root, dir);
    fs.mkdirSync(folder, { recursive: true });
    const tmp = path.join(folder, `.upload-${Math.random().toString(36).slice(2)}`);
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, Buffer.isBuffer(name) ? Buffer.concat([Buffer.from(folder + '/'), name]) : path.join(folder, name));
  }

  const local = (...p: string[]) => path.join(opts.sshd.root, ...p);
  const list = (...p: string[]) => (fs.existsSync(local(...p)) ? fs.readdirSync(local(...p)).sort() : []);
  const month = () => {
    const d = new Date();
    return path.join(String(d.getUTCFullYear()), String(d.getUTCMonth() + 1).padStart(2, '0'));
  };

  return {
    store,
    redis,
    start,
    drop,
    local,
    list,
    month,
    failNextReceives: (n: number) => (failReceive = n),
    async close() {
      await Promise.allSettled(runs.map((r) => r.stop()));
      await store.close();
      await redis.quit();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
