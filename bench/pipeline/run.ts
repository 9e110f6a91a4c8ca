/**
 * bench/pipeline: end-to-end throughput and latency of the identity channel (parse → map → FR Core validation →
 * route, two queue hops, every stage stored in PostgreSQL) against a bare BullMQ two-hop baseline (no-op jobs) on the
 * same Redis in the same run, rounds interleaved. The folder source is replaced by direct calls to Engine.receive (the
 * path every source takes); the FHIR destination is replaced by the file destination so that the DCC server's own
 * cost is not counted.
 *
 * Identity rows arrive as files of --rows-per-file rows (what hospitals drop: the file is stored, split into one message
 * per row, carried in batches) and, unless --one-row-files 0, as one-row files (the worst case: one job per message).
 * Each engine run sits between two baseline runs; its ratio is against their mean.
 *
 *   npx tsx bench/pipeline/run.ts [--messages 1000] [--rounds 2] [--warmup 1] [--rows-per-file 100]
 *     [--one-row-files 0] [--pipeline-threads N] [--pg-stats] [--stall-seconds 45]
 * Uses REDIS_URL / BENCH_DATABASE_URL when set, otherwise starts redis-server and a PostgreSQL 15 cluster itself.
 * BENCH_OUTBOX_ROOT puts the file destination's folder elsewhere (e.g. /dev/shm, to take the disk's journal out).
 *
 * Each round's figures are printed as soon as it ends. A round that makes no progress for --stall-seconds fails with
 * a dump of the store and queue state instead of waiting forever, and every teardown step is bounded, so the bench
 * always ends with a result or a diagnosis.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Engine } from '../../src/runtime/engine.js';
import { engineConfigFromEnv } from '../../src/runtime/config.js';
import { createLogger } from '../../src/monitor/logger.js';
import { startEmbeddedRedis } from '../../src/infra/embedded-redis.js';
import type { Db, Queryable } from '../../src/store/db.js';
import { startTestPostgres } from '../../test/postgres-server.js';
import { identityCsv } from '../../test/helpers.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('messages', 1000);
const ROUNDS = arg('rounds', 2);
/** Rows per identity file in the main engine run; every run also measures one-row files (the worst case). */
const ROWS_PER_FILE = arg('rows-per-file', 100);
/** Unmeasured rounds first, so that both sides run JIT-compiled code. */
const WARMUP = arg('warmup', 1);
/** --one-row-files 0 leaves out the one-row-file runs (e.g. to profile the main run alone). */
const ONE_ROW_FILES = arg('one-row-files', 1) !== 0;
/** --pg-stats: PostgreSQL's own time per statement (pg_stat_statements), top statements after each engine run. */
const PG_STATS = process.argv.includes('--pg-stats');
/** Pipeline worker threads of the engine (RELAIS_PIPELINE_THREADS); default: the engine's own default. */
const PIPELINE_THREADS = process.argv.includes('--pipeline-threads') ? arg('pipeline-threads', 1) : undefined;
const STALL_MS = arg('stall-seconds', 45) * 1000;
const CONCURRENCY = 4;
const root = path.resolve(import.meta.dirname, '../..');

interface Result {
  name: string;
  round: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Store round trips (statements, begin and commit included) per message; engine only. */
  sqlPerMessage?: number;
  /** Redis commands per message (all clients on the server). */
  redisPerMessage: number;
  /** CPU milliseconds per message: this Node process, the PostgreSQL server (when started here), redis-server. */
  cpu: { node: number; nodeSystem: number; postgres?: number; redis: number };
  /** Ordered delivery: attempts that found an earlier message in the way, per message (engine only). */
  blockedPerMessage?: number;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const log = (...a: unknown[]) => console.error(new Date().toISOString().slice(11, 23), ...a);

/** A Redis client that reports errors once instead of letting ioredis print "Unhandled error event" forever. */
function redisClient(url: string, label: string): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: null });
  let reported = false;
  r.on('error', (e: Error) => {
    if (!reported) log(`redis client ${label}: ${e.message}`);
    reported = true;
  });
  return r;
}

/** Closes a client we created ourselves: BullMQ never closes a connection it was given as an instance. */
async function closeRedis(r: Redis): Promise<void> {
  await r.quit().catch(() => r.disconnect());
}

async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      log(`WARNING: ${what} did not finish within ${ms} ms; going on`);
      resolve(undefined);
    }, ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** CPU seconds (user + system, reaped children included) of this process's PostgreSQL descendants; Linux only. */
function postgresCpuSeconds(): number | undefined {
  try {
    const tick = 100; // USER_HZ
    const stats = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((pid) => {
      try {
        const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
        const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
        return [{ pid: Number(pid), comm, ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / tick }];
      } catch {
        return [];
      }
    });
    const children = new Map<number, typeof stats>();
    for (const st of stats) children.set(st.ppid, [...(children.get(st.ppid) ?? []), st]);
    let total = 0;
    const walk = (pid: number) => {
      for (const c of children.get(pid) ?? []) {
        if (c.comm === 'postgres') total += c.cpu; // the postmaster's cutime/cstime holds its backends that exited
        walk(c.pid);
      }
    };
    walk(process.pid);
    return total;
  } catch {
    return undefined;
  }
}

async function redisCpuSeconds(r: Redis): Promise<number> {
  const info = await r.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
}

interface Cpu {
  node: number;
  nodeSystem: number;
  postgres?: number;
  redis: number;
}
async function cpuNow(r: Redis): Promise<Cpu> {
  const u = process.cpuUsage();
  return { node: (u.user + u.system) / 1e6, nodeSystem: u.system / 1e6, postgres: postgresCpuSeconds(), redis: await redisCpuSeconds(r) };
}
/** CPU milliseconds per message since `a`, per process. */
async function cpuPerMessage(a: Cpu, r: Redis): Promise<Result['cpu']> {
  const b = await cpuNow(r);
  return {
    node: ((b.node - a.node) * 1000) / N,
    nodeSystem: ((b.nodeSystem - a.nodeSystem) * 1000) / N,
    postgres: b.postgres !== undefined && a.postgres !== undefined ? ((b.postgres - a.postgres) * 1000) / N : undefined,
    redis: ((b.redis - a.redis) * 1000) / N,
  };
}

async function redisCommands(r: Redis): Promise<number> {
  const info = await r.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

/**
 * Waits until `count()` reaches N; fails with `diagnose()` when it has not moved for STALL_MS.
 * The completion promise is resolved by the caller's event listener.
 */
async function waitForAll(all: Promise<void>, count: () => number, what: string, diagnose: () => Promise<string>): Promise<void> {
  let last = -1;
  let lastMove = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const c = count();
      if (c !== last) {
        last = c;
        lastMove = Date.now();
        return;
      }
      if (Date.now() - lastMove < STALL_MS) return;
      clearInterval(timer);
      void diagnose().then(
        (d) => reject(new Error(`${what}: no progress for ${STALL_MS / 1000} s at ${c}/${N}\n${d}`)),
        (e: Error) => reject(new Error(`${what}: no progress for ${STALL_MS / 1000} s at ${c}/${N} (diagnosis failed: ${e.message})`)),
      );
    }, 1000);
  });
  try {
    await Promise.race([all, stalled]);
  } finally {
    clearInterval(timer);
  }
}

async function baseline(redisUrl: string, round: number): Promise<Result> {
  const connection = redisClient(redisUrl, 'baseline');
  const eventsConnection = redisClient(redisUrl, 'baseline-events');
  const prefix = `bench-base-${round}-${process.pid}`;
  const q1 = new Queue('hop1', { connection, prefix });
  const q2 = new Queue('hop2', { connection, prefix });
  const sent = new Map<string, number>();
  const seen = new Set<string>();
  const lat: number[] = [];
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const w1 = new Worker('hop1', async (job) => void (await q2.add('b', job.data, { removeOnComplete: true })), { connection, prefix, concurrency: CONCURRENCY });
  const events = new QueueEvents('hop2', { connection: eventsConnection, prefix });
  await events.waitUntilReady();
  const w2 = new Worker('hop2', async (job) => job.data.id as string, { connection, prefix, concurrency: CONCURRENCY });
  events.on('completed', ({ returnvalue }) => {
    const id = String(returnvalue);
    const t = sent.get(id);
    if (t === undefined || seen.has(id)) return;
    seen.add(id);
    lat.push(performance.now() - t);
    if (seen.size === N) resolveAll();
  });
  const cmd0 = await redisCommands(connection);
  const cpu0 = await cpuNow(connection);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const id = `m${i}`;
    sent.set(id, performance.now());
    await q1.add('a', { id }, { removeOnComplete: true });
  }
  await waitForAll(all, () => seen.size, `baseline round ${round}`, async () => JSON.stringify({ hop1: await q1.getJobCounts(), hop2: await q2.getJobCounts() }));
  const seconds = (performance.now() - t0) / 1000;
  const commands = (await redisCommands(connection)) - cmd0;
  const cpu = await cpuPerMessage(cpu0, connection);
  await Promise.all([w1.close(), w2.close()]);
  await Promise.all([q1.obliterate({ force: true }), q2.obliterate({ force: true })]);
  await Promise.all([q1.close(), q2.close(), events.close()]);
  await Promise.all([closeRedis(connection), closeRedis(eventsConnection)]);
  return { name: 'bare BullMQ two-hop (no-op jobs)', round, perSecond: N / seconds, p50: pct(lat, 50), p99: pct(lat, 99), redisPerMessage: commands / N, cpu };
}

/**
 * Folders made by the runs, removed when the bench ends, not between runs: on a file system mounted with `discard`
 * (as here), the blocks freed by deleting a run's 3000 files are trimmed at the next journal commits, which are the
 * next run's durable writes (measured: 0.5–0.65 ms of kernel time per file written after a deletion, 0.1 without).
 * The engine deletes nothing; the bench's clean-up is not its cost.
 */
const leftovers: string[] = [];
const leftover = (dir: string) => (leftovers.push(dir), dir);

function benchChannelsDir(outbox: string): string {
  const dir = leftover(fs.mkdtempSync(path.join(os.tmpdir(), 'relais-bench-ch-')));
  const text = fs.readFileSync(path.join(root, 'channels/identity-csv.yaml'), 'utf8')
    .replace(/route:\n(?:  .*\n|    .*\n)+?(?=queue:)/, `route:\n  - id: out\n    type: file\n    path: ${outbox}\n`)
    .replace('${FR_CORE_DIR:-../../shared/fhir/fr-core-2.0.0}', path.resolve(root, '../shared/fhir/fr-core-2.0.0'))
    .replace('${RELAIS_INBOX:-../.relais/inbox}', path.join(dir, 'inbox'));
  if (!text.includes('id: out')) throw new Error('could not swap the routes of channels/identity-csv.yaml for the file destination');
  fs.writeFileSync(path.join(dir, 'identity-csv.yaml'), text);
  return dir;
}

/** Counts the store's round trips to the database (each statement, begin and commit included). */
function countRoundTrips(db: Db): { count: () => number } {
  let n = 0;
  const query = db.query.bind(db);
  const tx = db.tx.bind(db);
  db.query = ((sql: string, params?: unknown[]) => (n++, query(sql, params))) as Db['query'];
  db.tx = (<T>(fn: (q: Queryable) => Promise<T>) => {
    n += 2; // begin, commit
    return tx((q) => fn({ query: ((sql: string, params?: unknown[]) => (n++, q.query(sql, params))) as Queryable['query'] }));
  }) as Db['tx'];
  return { count: () => n };
}

/**
 * The identity channel on `N` rows, sent as files of `rowsPerFile` rows through Engine.receive (what the folder source
 * does with each file it claims). A row counts once its delivery is recorded (the engine's `sent` counter, read in
 * process every 5 ms); latency is read from the store afterwards: delivery recorded − file received.
 */
async function engineRun(redisUrl: string, databaseUrl: string, round: number, rowsPerFile: number): Promise<Result> {
  const outbox = leftover(fs.mkdtempSync(path.join(process.env.BENCH_OUTBOX_ROOT ?? os.tmpdir(), 'relais-bench-out-')));
  const engine = await Engine.start(
    engineConfigFromEnv({}, { channelsDir: benchChannelsDir(outbox), dataDir: leftover(fs.mkdtempSync(path.join(os.tmpdir(), 'relais-bench-data-'))), redisUrl, databaseUrl, httpPort: 0, queuePrefix: `bench-eng-${round}-${rowsPerFile}-${process.pid}`, pipelineThreads: PIPELINE_THREADS }),
    { logger: createLogger('error') },
  );
  const probe = redisClient(redisUrl, 'probe');
  try {
    const { concurrency, batchSize } = engine.channels[0]!.config.queue;
    const rows = identityCsv(N, (round + 10) * 10 * N + rowsPerFile).trimEnd().split('\n');
    const header = rows.shift()!;
    const counter = async (outcome: string) => (await engine.metrics.deliveries.get()).values.filter((v) => v.labels.outcome === outcome).reduce((a, v) => a + v.value, 0);
    const trips = countRoundTrips(engine.store.db);
    const cmd0 = await redisCommands(probe);
    const cpu0 = await cpuNow(probe);
    const blocked0 = await counter('blocked');
    const sent0 = await counter('sent');
    let sent = 0;
    let resolveAll!: () => void;
    const all = new Promise<void>((r) => (resolveAll = r));
    const poll = setInterval(() => void counter('sent').then((n) => ((sent = n - sent0) >= N ? resolveAll() : undefined)), 5);
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += rowsPerFile) {
      await engine.receive('identity-csv', { content: Buffer.from(`${header}\n${rows.slice(i, i + rowsPerFile).join('\n')}\n`), contentType: 'text/csv', sourceRef: `bench-${i}.csv` });
    }
    const diagnose = async () => {
      const statuses = await engine.store.countByStatus();
      const deliveries = await engine.store.db.query('select status, count(*)::int as n from relais_delivery group by status');
      const queues = await Promise.all(engine.queues.all().map(async (q) => [q.name, await q.getJobCounts()] as const));
      return JSON.stringify({ sent, statuses, deliveries, queues: Object.fromEntries(queues) });
    };
    try {
      await waitForAll(all, () => sent, `engine round ${round} (${rowsPerFile} rows per file)`, diagnose);
    } finally {
      clearInterval(poll);
    }
    const seconds = (performance.now() - t0) / 1000;
    const sql = trips.count();
    const commands = (await redisCommands(probe)) - cmd0;
    const cpu = await cpuPerMessage(cpu0, probe);
    const blockedPerMessage = ((await counter('blocked')) - blocked0) / N;
    // a row's latency: from its file's receipt to its delivery recorded (one clock: the database's)
    const lat = (await engine.store.db.query<{ ms: number }>(
      `select extract(epoch from (m.updated_at - coalesce(p.received_at, m.received_at))) * 1000 as ms
       from relais_message m left join relais_message p on p.id = m.parent_id where m.channel_id = 'identity-csv' and m.status = 'delivered'`,
    )).map((r) => Number(r.ms));
    if (lat.length !== N) throw new Error(`expected ${N} delivered, store has ${lat.length}: ${await diagnose()}`);
    if (PG_STATS) {
      const top = await engine.store.db.query<{ ms: number; calls: number; query: string }>(
        `select total_exec_time::int as ms, calls::int, regexp_replace(left(query, 90), '\\s+', ' ', 'g') as query from pg_stat_statements
         where dbid = (select oid from pg_database where datname = current_database()) order by total_exec_time desc limit 12`,
      );
      log(`PostgreSQL time per statement (ms per 1000 messages):\n${top.map((t) => `${((t.ms * 1000) / N).toFixed(0).padStart(6)}  ${String(t.calls).padStart(6)} calls  ${t.query}`).join('\n')}`);
    }
    // each stage's mean time per row inside the pipeline thread (the engine's own histogram), to compare with the bench's CPU column
    const stages = (await engine.metrics.stageSeconds.get()).values.filter((v) => v.metricName === 'relais_stage_seconds_sum');
    log(`stage mean ms per row (pipeline thread): ${stages.map((v) => `${v.labels.stage} ${((Number(v.value) * 1000) / N).toFixed(3)}`).join(', ')}`);
    const files = fs.readdirSync(outbox).filter((f) => f.endsWith('.json')).length;
    if (files !== N) throw new Error(`expected ${N} files in the outbox, found ${files}`);
    return {
      name: `identity channel, ${rowsPerFile === 1 ? 'one row per file' : `files of ${rowsPerFile} rows`} (PostgreSQL store, concurrency ${concurrency}, batch ${batchSize}, ${engine.config.pipelineThreads} pipeline threads)`,
      round,
      perSecond: N / seconds,
      p50: pct(lat, 50),
      p99: pct(lat, 99),
      sqlPerMessage: sql / N,
      redisPerMessage: commands / N,
      cpu,
      blockedPerMessage,
    };
  } finally {
    await bounded(engine.stop(), 30_000, 'engine.stop()');
    await closeRedis(probe);
  }
}

const fmt = (r: Result) =>
  `| ${r.round + 1} | ${r.name} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.sqlPerMessage?.toFixed(1) ?? '–'} | ${r.redisPerMessage.toFixed(1)} | ${r.blockedPerMessage?.toFixed(2) ?? '–'} | ${r.cpu.node.toFixed(2)} (kernel ${r.cpu.nodeSystem.toFixed(2)}) / ${r.cpu.postgres?.toFixed(2) ?? '?'} / ${r.cpu.redis.toFixed(2)} |`;

const redis = process.env.REDIS_URL ? undefined : await startEmbeddedRedis(fs.mkdtempSync(path.join(os.tmpdir(), 'relais-bench-redis-')));
const pgServer = process.env.BENCH_DATABASE_URL ? undefined : await startTestPostgres(PG_STATS ? ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all'] : []);
const redisUrl = process.env.REDIS_URL ?? redis!.url;
const serverUrl = process.env.BENCH_DATABASE_URL ?? pgServer!.url;
const results: Result[] = [];
const databases: string[] = [];
log(`${N} messages per run, ${ROUNDS} rounds, ${os.cpus().length} cores, node ${process.version}`);
try {
  // a fresh database per engine run, so that every run starts from the same empty store
  const freshDatabase = async (label: string) => {
    const name = `bench_${process.pid}_${label}`;
    const admin = new pg.Client(serverUrl);
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    databases.push(name);
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    if (PG_STATS) {
      const c = new pg.Client({ connectionString: u.toString() });
      await c.connect();
      await c.query('create extension if not exists pg_stat_statements');
      await c.end();
    }
    return u.toString();
  };
  for (let round = -WARMUP; round < ROUNDS; round++) {
    const label = round < 0 ? `w${-round}` : String(round);
    // every engine run between two baseline runs: its reference is their mean (the machine's load drifts)
    const runs = [await baseline(redisUrl, round), await engineRun(redisUrl, await freshDatabase(`${label}_f`), round, ROWS_PER_FILE), await baseline(redisUrl, round)];
    if (ONE_ROW_FILES) runs.push(await engineRun(redisUrl, await freshDatabase(`${label}_s`), round, 1), await baseline(redisUrl, round));
    for (const r of runs) log(`${round < 0 ? '(warm-up) ' : ''}${fmt(r)}`);
    if (round >= 0) results.push(...runs);
  }
} catch (e) {
  process.exitCode = 1;
  log('FAILED:', (e as Error).message);
} finally {
  if (process.env.BENCH_DATABASE_URL && databases.length) {
    const admin = new pg.Client(serverUrl);
    await admin.connect();
    for (const d of databases) await admin.query(`drop database if exists ${d}`).catch(() => undefined);
    await admin.end();
  }
  for (const dir of leftovers) fs.rmSync(dir, { recursive: true, force: true });
  await bounded(redis?.stop() ?? Promise.resolve(), 15_000, 'stopping redis-server');
  await bounded(pgServer?.stop() ?? Promise.resolve(), 20_000, 'stopping PostgreSQL');
}

if (results.length) {
  console.log(`\n${N} messages per run, ${ROUNDS} rounds interleaved, concurrency ${CONCURRENCY} per queue, ${os.cpus().length} cores\n`);
  console.log('| round | run | msg/s | p50 ms | p99 ms | SQL round trips / msg | Redis commands / msg | blocked attempts / msg | CPU ms / msg: node (of which kernel) / postgres / redis |\n|---|---|---|---|---|---|---|---|---|');
  for (const r of results) console.log(fmt(r));
  /** The mean throughput of the baseline runs just before and just after an engine run. */
  const reference = (e: Result) => {
    const i = results.indexOf(e);
    return (results[i - 1]!.perSecond + results[i + 1]!.perSecond) / 2;
  };
  for (const scenario of [`files of ${ROWS_PER_FILE} rows`, 'one row per file']) {
    const eng = results.filter((r) => r.name.includes(scenario));
    const ratios = eng.map((e) => e.perSecond / reference(e));
    if (!ratios.length) continue;
    const m = median(ratios);
    console.log(`\nthroughput ratio engine (${scenario}) / bare two-hop (mean of the runs before and after), per round: ${ratios.map((r) => `${(r * 100).toFixed(0)} %`).join(', ')}; median ${(m * 100).toFixed(0)} %${scenario.startsWith('files') ? ` (goal ≥ 50 %: ${m >= 0.5 ? 'met' : 'not met'})` : ''}`);
  }
}
// everything above is closed; if a handle still keeps the process alive, say which instead of hanging silently
setTimeout(() => {
  log('WARNING: still alive 5 s after teardown; open resources:', process.getActiveResourcesInfo().join(', '));
  process.exit(process.exitCode ?? 1);
}, 5000).unref();
