import fs from 'node:fs';
import { startTestPostgres } from '../test/postgres-server.js';
import { openPostgres } from '../src/store/db.js';
import { MessageStore } from '../src/store/message-store.js';
import { newMessageId } from '../src/store/ids.js';
const pgs = await startTestPostgres(['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all']);
const db = await openPostgres(process.env.GENERIC ? pgs.url + '?options=-c%20plan_cache_mode%3Dforce_generic_plan' : pgs.url);
const store = await MessageStore.open(db);
await db.exec(fs.readFileSync('/tmp/oldfn.sql', 'utf8'));
await db.exec('create extension pg_stat_statements');
const ids: string[] = [];
for (let b = 0; b < 30; b++) {
  const parent = await store.receive('ex', { content: Buffer.from(`p${b}`) });
  const parts = Array.from({ length: 100 }, (_, i) => ({ id: newMessageId(), partIndex: i + 1, content: Buffer.from(`r${i}`), sourceRef: 'x', jobId: 'j' }));
  await store.receiveParts('ex', parent.id, 'text/plain', parts);
  await store.recordProcessingMany(parts.map((p) => ({ id: p.id, status: 'routed', issues: [], snapshots: [], deliveries: ['out'] })));
  ids.push(...parts.map((p) => p.id));
}
await db.query('select pg_stat_statements_reset()');
const half = ids.length / 2;
let t0 = performance.now();
for (const id of ids.slice(0, half)) await store.recordDelivery(id, 'out', { status: 'sent', attempts: 1 });
console.log('new fn per call ms (client wall)', ((performance.now() - t0) / half).toFixed(3));
t0 = performance.now();
for (const id of ids.slice(half)) await db.query('select relais_record_delivery($1, $2, $3, $4, $5, $6, $7, $8::jsonb) as status', [id, 'out', 'sent', 1, null, null, 'sent', '{}']);
console.log('old fn per call ms (client wall)', ((performance.now() - t0) / half).toFixed(3));
const top = await db.query<{ ms: number; calls: number; query: string }>(`select round(total_exec_time::numeric, 1)::float as ms, calls::int, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) as query from pg_stat_statements order by total_exec_time desc limit 10`);
for (const t of top) console.log(String(t.ms).padStart(8), String(t.calls).padStart(6), t.query);
await db.close(); await pgs.stop();
