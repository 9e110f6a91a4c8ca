/**
 * bench/pipeline: end-to-end throughput and latency of the identity channel (parse → map → FR Core validation →
 * route, two queue hops, every stage stored in PostgreSQL) against a bare BullMQ two-hop baseline (no-op jobs) on the
 * same Redis in the same run. The folder source is replaced by direct calls to Engine.receive (the path every source
 * takes); the FHIR destination is replaced by the file destination so that the DCC server's own cost is not counted.
 *
 *   npx tsx bench/pipeline/run.ts [--messages 2000] [--rounds 2]
 * Uses REDIS_URL / BENCH_DATABASE_URL when set, otherwise starts redis-server and a PostgreSQL 15 cluster itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Engine } from '../../src/runtime/engine.js';
import { engineConfigFromEnv } from '../../src/runtime/config.js';
import { createLogger } from '../../src/monitor/logger.js';
import { startEmbeddedRedis } from '../../src/infra/embedded-redis.js';
import { startTestPostgres } from '../../test/postgres-server.js';
import { identityCsv } from '../../test/helpers.js';
import { deliverQueueName } from '../../src/queue/queues.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('messages', 2000);
const ROUNDS = arg('rounds', 2);
const CONCURRENCY = 4;
const root = path.resolve(import.meta.dirname, '../..');

interface Result {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
}
const pct = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function baseline(redisUrl: string, round: number): Promise<Result> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = `bench-base-${round}-${process.pid}`;
  const q1 = new Queue('hop1', { connection, prefix });
  const q2 = new Queue('hop2', { connection, prefix });
  const sent = new Map<string, number>();
  const lat: number[] = [];
  let done = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const w1 = new Worker('hop1', async (job) => void (await q2.add('b', job.data, { removeOnComplete: true })), { connection, prefix, concurrency: CONCURRENCY });
  const events = new QueueEvents('hop2', { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix });
  await events.waitUntilReady();
  const w2 = new Worker('hop2', async (job) => job.data.id as string, { connection, prefix, concurrency: CONCURRENCY });
  events.on('completed', ({ returnvalue }) => {
    lat.push(performance.now() - sent.get(String(returnvalue))!);
    if (++done === N) resolveAll();
  });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const id = `m${i}`;
    sent.set(id, performance.now());
    await q1.add('a', { id }, { removeOnComplete: true });
  }
  await all;
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all([w1.close(), w2.close()]);
  await Promise.all([q1.obliterate({ force: true }), q2.obliterate({ force: true })]);
  await Promise.all([q1.close(), q2.close(), events.close()]);
  await connection.quit();
  return { name: 'bare BullMQ two-hop (no-op jobs)', perSecond: N / seconds, p50: pct(lat, 50), p99: pct(lat, 99) };
}

function benchChannelsDir(outbox: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-bench-ch-'));
  const text = fs.readFileSync(path.join(root, 'channels/identity-csv.yaml'), 'utf8')
    .replace(/route:\n(?:  .*\n|    .*\n)+?(?=queue:)/, `route:\n  - id: out\n    type: file\n    path: ${outbox}\n`)
    .replace('${FR_CORE_DIR:-../../shared/fhir/fr-core-2.0.0}', path.resolve(root, '../shared/fhir/fr-core-2.0.0'))
    .replace('${RELAIS_INBOX:-../.relais/inbox}', path.join(dir, 'inbox'));
  fs.writeFileSync(path.join(dir, 'identity-csv.yaml'), text);
  return dir;
}

async function engineRun(redisUrl: string, databaseUrl: string, round: number): Promise<Result> {
  const outbox = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-bench-out-'));
  const engine = await Engine.start(
    engineConfigFromEnv({}, { channelsDir: benchChannelsDir(outbox), dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'relais-bench-data-')), redisUrl, databaseUrl, httpPort: 0, queuePrefix: `bench-eng-${round}-${process.pid}` }),
    { logger: createLogger('error') },
  );
  const rows = identityCsv(N, round * N).trimEnd().split('\n');
  const header = rows.shift()!;
  const sent = new Map<string, number>();
  const lat: number[] = [];
  let done = 0;
  let resolveAll!: () => void;
  const all = new Promise<void>((r) => (resolveAll = r));
  const events = new QueueEvents(deliverQueueName('identity-csv', 'out'), { connection: new Redis(redisUrl, { maxRetriesPerRequest: null }), prefix: engine.config.queuePrefix });
  await events.waitUntilReady();
  events.on('completed', ({ jobId }) => {
    const id = jobId.slice(2, jobId.lastIndexOf('-'));
    const t = sent.get(id);
    if (t === undefined) return;
    lat.push(performance.now() - t);
    if (++done === N) resolveAll();
  });
  const t0 = performance.now();
  for (const row of rows) {
    const t = performance.now();
    const r = await engine.receive('identity-csv', { content: Buffer.from(`${header}\n${row}\n`), contentType: 'text/csv', sourceRef: 'bench' });
    sent.set(r.messageId, t);
  }
  await all;
  const seconds = (performance.now() - t0) / 1000;
  const delivered = (await engine.store.find({ channelId: 'identity-csv', status: 'delivered', limit: N + 10 })).length;
  if (delivered !== N) throw new Error(`expected ${N} delivered, store has ${delivered}`);
  await events.close();
  await engine.stop();
  return { name: `identity channel, store on PostgreSQL (${engine.store.db.kind})`, perSecond: N / seconds, p50: pct(lat, 50), p99: pct(lat, 99) };
}

const redis = process.env.REDIS_URL ? undefined : await startEmbeddedRedis(fs.mkdtempSync(path.join(os.tmpdir(), 'relais-bench-redis-')));
const pg = process.env.BENCH_DATABASE_URL ? undefined : await startTestPostgres();
const redisUrl = process.env.REDIS_URL ?? redis!.url;
const results: Result[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    results.push(await baseline(redisUrl, round));
    // a fresh database per round, so that every engine round starts from the same empty store
    const admin = new (await import('pg')).default.Client(process.env.BENCH_DATABASE_URL ?? pg!.url);
    await admin.connect();
    await admin.query(`create database bench_${round}`);
    await admin.end();
    const u = new URL(process.env.BENCH_DATABASE_URL ?? pg!.url);
    u.pathname = `/bench_${round}`;
    results.push(await engineRun(redisUrl, u.toString(), round));
  }
} finally {
  await redis?.stop();
  await pg?.stop();
}
const fmt = (r: Result) => `| ${r.name} | ${r.perSecond.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`;
console.log(`\n${N} messages per run, ${ROUNDS} rounds interleaved, concurrency ${CONCURRENCY} per queue, ${os.cpus().length} cores\n`);
console.log('| run | msg/s | p50 ms | p99 ms |\n|---|---|---|---|');
for (const r of results) console.log(fmt(r));
const base = results.filter((r) => r.name.startsWith('bare'));
const eng = results.filter((r) => !r.name.startsWith('bare'));
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ratios = eng.map((e, i) => e.perSecond / base[i]!.perSecond);
console.log(`\nthroughput ratio engine / bare two-hop, per round: ${ratios.map((r) => `${(r * 100).toFixed(0)} %`).join(', ')}; median ${(median(ratios) * 100).toFixed(0)} % (goal ≥ 50 %)`);
