import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineMapping, defineParser } from '../engine/define.js';
import type { CompiledChannel } from '../engine/pipeline.js';
import type { ChannelConfig } from '../engine/channel-schema.js';
import type { MessageStore } from '../store/message-store.js';
import { messageIdsOf, type QueueSet } from './queues.js';
import { processMessage } from './process.worker.js';
import { openTestWorkerDeps, type TestWorkerDeps } from '../../test/worker-deps.js';

/**
 * A large split file: its parts are stored in statements of about a thousand, in part order, once, and carried by
 * jobs of `queue.batchSize` parts. Real PGlite and Redis.
 */
describe('splitting a large batch', () => {
  let store: MessageStore;
  let queues: QueueSet;
  let deps: TestWorkerDeps;
  const channel = {
    config: { id: 'split-int', parse: { format: 'lines' }, route: [], queue: { concurrency: 1, batchSize: 400 }, retry: {} } as unknown as ChannelConfig,
    baseDir: '.',
    parser: defineParser({
      format: 'lines',
      description: '',
      options: z.object({}),
      split: (raw) => ({ parts: raw.toString().split('\n').map((l, i) => ({ content: Buffer.from(l), ref: `line ${i + 1}` })), issues: [] }),
      parse: (raw) => ({ value: raw.toString(), issues: [] }),
    }),
    mapping: defineMapping<string>({ name: 'none', description: '', input: 'lines', map: () => ({ issues: [] }) }),
    validators: [],
    destinations: [],
  } as unknown as CompiledChannel;

  beforeAll(async () => {
    deps = await openTestWorkerDeps('split');
    ({ store, queues } = deps);
  });
  afterAll(() => deps?.close());

  it('stores 2,500 parts in statements of whole jobs (800 parts: 4 statements), enqueues jobs of 400, and nothing twice when split again', async () => {
    const lines = Array.from({ length: 2500 }, (_, i) => `row ${i + 1}`);
    const { id } = await store.receive('split-int', { content: Buffer.from(lines.join('\n')) });
    const query = store.db.query.bind(store.db);
    let partStatements = 0;
    store.db.query = ((sql: string, params?: unknown[]) => (sql.includes('insert into relais_message (id, channel_id, parent_id') && partStatements++, query(sql, params))) as typeof query;
    await processMessage(channel, id, deps);
    store.db.query = query;
    expect(partStatements).toBe(4);
    expect((await store.get(id))?.status).toBe('split');
    const children = await store.children(id);
    expect(children.map((c) => c.part_index)).toEqual(lines.map((_, i) => i + 1));
    expect(children.every((c, i) => i === 0 || Number(c.seq) > Number(children[i - 1]!.seq))).toBe(true); // receive order = part order
    expect((await store.snapshot(children[2499]!.id, 'raw'))?.content.toString()).toBe('row 2500');
    const jobs = await queues.process('split-int').getJobs(['waiting']);
    const sizes = jobs.map((j) => messageIdsOf(j.data).length).sort((a, b) => b - a);
    expect(sizes).toEqual([400, 400, 400, 400, 400, 400, 100]);
    expect(new Set(children.map((c) => c.job_id)).size).toBe(7);
    // the engine died before marking the parent split: splitting again stores nothing twice and queues nothing twice
    await store.setStatus(id, 'received');
    await processMessage(channel, id, deps);
    expect((await store.children(id)).length).toBe(2500);
    expect((await queues.process('split-int').getJobs(['waiting'])).length).toBe(7);
  });
});
