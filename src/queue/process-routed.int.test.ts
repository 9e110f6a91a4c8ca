import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledChannel } from '../engine/pipeline.js';
import type { ChannelConfig } from '../engine/channel-schema.js';
import { inThreadRunner } from '../engine/pipeline-runner.js';
import type { MessageStore } from '../store/message-store.js';
import type { QueueSet } from './queues.js';
import { processMessages } from './process.worker.js';
import { openTestWorkerDeps, type TestWorkerDeps } from '../../test/worker-deps.js';

/**
 * The engine died after recording a batch's outcome and before adding its delivery jobs: the processing job runs
 * again, finds the messages routed, and adds the jobs the store names for their pending deliveries (nothing for a
 * delivery already sent, nothing processed twice). Real PGlite and Redis.
 */
describe('processing messages routed before a crash', () => {
  let store: MessageStore;
  let queues: QueueSet;
  let deps: TestWorkerDeps;
  const retry = { attempts: 3, initialDelayMs: 10, maxDelayMs: 100, maxAgeMs: 60_000 };
  const channel = {
    config: { id: 'routed-int', route: [{ id: 'out' }, { id: 'other' }], retry, queue: { concurrency: 1, batchSize: 100 } } as unknown as ChannelConfig,
    destinations: [],
  } as unknown as CompiledChannel;
  const refuse = { ...inThreadRunner, run: async (_ch: CompiledChannel, items: unknown[]) => (items.length ? Promise.reject(new Error('processed twice')) : []) };

  beforeAll(async () => {
    deps = await openTestWorkerDeps('routed', refuse);
    ({ store, queues } = deps);
  });
  afterAll(() => deps?.close());

  it('adds the delivery jobs the store names, for pending deliveries only', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await store.receive('routed-int', { content: Buffer.from(`m${n}`) })).id);
    const [m1, m2, m3] = ids as [string, string, string];
    const routed = { status: 'routed' as const, issues: [], snapshots: [] };
    await store.recordProcessingMany([
      { id: m1, ...routed, deliveries: ['out'], deliveryJobs: { out: `db-${m1}-out` } },
      { id: m2, ...routed, deliveries: ['out'], deliveryJobs: { out: `db-${m1}-out` } },
    ]);
    await store.recordProcessing(m3, { ...routed, deliveries: ['out', 'other'] });
    await store.recordDeliveries('other', [{ id: m3, status: 'sent', attempts: 1 }]);

    await processMessages(channel, ids, deps);

    const jobs = async (dest: string) => (await queues.deliver('routed-int', dest).getJobs(['waiting'])).map((j) => [j.id, j.data.messageIds]).sort();
    expect(await jobs('out')).toEqual([[`d-${m3}-out`, [m3]], [`db-${m1}-out`, [m1, m2]]].sort());
    expect(await jobs('other')).toEqual([]);
  });
});
