import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineDestination, defineMapping, defineParser } from '../engine/define.js';
import type { CompiledChannel } from '../engine/pipeline.js';
import type { ChannelConfig } from '../engine/channel-schema.js';
import type { MessageStore } from '../store/message-store.js';
import { messageIdsOf, type QueueSet } from './queues.js';
import { processMessage } from './process.worker.js';
import { openTestWorkerDeps, type TestWorkerDeps } from '../../test/worker-deps.js';

/**
 * A large split file: its parts are processed where they are split, chunk by chunk (`queue.batchSize` parts, up to
 * `queue.concurrency` chunks at once), each chunk stored once with its outcomes in one statement, in part order, then
 * carried by one delivery job. A crash mid-split runs again only the parts not stored. Real PGlite and Redis.
 */
describe('splitting a large batch', () => {
  let store: MessageStore;
  let queues: QueueSet;
  let deps: TestWorkerDeps;
  const mapped: string[] = [];
  const channel = {
    config: {
      id: 'split-int',
      parse: { format: 'lines' },
      route: [{ id: 'out', type: 'test-out' }],
      queue: { concurrency: 3, batchSize: 400, ordering: { key: 'patient', partitions: 4 } },
      retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 100, maxAgeMs: 60_000 },
    } as unknown as ChannelConfig,
    baseDir: '.',
    parser: defineParser({
      format: 'lines',
      description: '',
      options: z.object({}),
      split: (raw) => ({ parts: raw.toString().split('\n').map((l, i) => ({ content: Buffer.from(l), ref: `line ${i + 1}` })), issues: [] }),
      parse: (raw) => ({ value: raw.toString(), issues: [] }),
    }),
    mapping: defineMapping<string>({
      name: 'upper',
      description: '',
      input: 'lines',
      map: (line) => (mapped.push(line), { output: { content: line.toUpperCase(), contentType: 'text/plain' }, keys: { patient: [line] }, issues: [] }),
    }),
    validators: [],
    destinations: [
      {
        config: { id: 'out', type: 'test-out' },
        def: defineDestination({
          type: 'test-out',
          description: '',
          options: z.object({}),
          encode: (m) => ({ encoded: { content: Buffer.from(String(m.content)), contentType: 'text/plain' }, issues: [] }),
          createSender: async () => ({ send: async () => ({ detail: 'ok' }), close: async () => undefined }),
        }),
      },
    ],
  } as unknown as CompiledChannel;

  beforeAll(async () => {
    deps = await openTestWorkerDeps('split');
    ({ store, queues } = deps);
  });
  afterAll(() => deps?.close());

  const deliveryJobSizes = async () => (await queues.deliver('split-int', 'out').getJobs(['waiting'])).map((j) => messageIdsOf(j.data).length).sort((a, b) => b - a);

  it('processes 2,500 parts in chunks of 400: one statement and one delivery job per chunk, parts in part order with every stage', async () => {
    const lines = Array.from({ length: 2500 }, (_, i) => `row ${i + 1}`);
    const { id } = await store.receive('split-int', { content: Buffer.from(lines.join('\n')), contentType: 'text/plain' });
    const query = store.db.query.bind(store.db);
    let partStatements = 0;
    store.db.query = ((sql: string, params?: unknown[]) => (sql.includes('insert into relais_message (id, channel_id, parent_id') && partStatements++, query(sql, params))) as typeof query;
    await processMessage(channel, id, deps);
    store.db.query = query;
    expect(partStatements).toBe(7);
    expect((await store.get(id))?.status).toBe('split');
    const children = await store.children(id);
    expect(children.map((c) => c.part_index)).toEqual(lines.map((_, i) => i + 1));
    expect(children.every((c) => c.status === 'routed')).toBe(true);
    expect(children.every((c, i) => i === 0 || Number(c.seq) > Number(children[i - 1]!.seq))).toBe(true); // receive order = part order
    const last = children[2499]!.id;
    expect((await store.snapshot(last, 'raw'))?.content.toString()).toBe('row 2500');
    expect((await store.snapshot(last, 'mapped'))?.content.toString()).toBe('ROW 2500');
    expect((await store.snapshot(last, 'encoded', 'out'))?.content.toString()).toBe('ROW 2500');
    expect((await store.events(last)).map((e) => e.status)).toEqual(['received', 'routed']);
    expect((await store.deliveries(last)).map((d) => d.status)).toEqual(['pending']);
    expect(await deliveryJobSizes()).toEqual([400, 400, 400, 400, 400, 400, 100]);
    expect(await queues.process('split-int').getJobs(['waiting'])).toEqual([]); // the parts need no processing job
  });

  it('after a crash mid-split, splitting again runs and stores only the parts not stored, and re-adds the delivery jobs of those stored', async () => {
    await queues.deliver('split-int', 'out').obliterate({ force: true });
    mapped.length = 0;
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`);
    const earlier = await store.receive('split-int', { content: Buffer.from('another file'), contentType: 'text/plain' });
    const { id } = await store.receive('split-int', { content: Buffer.from(lines.join('\n')), contentType: 'text/plain' });
    // the engine dies writing the second chunk
    const query = store.db.query.bind(store.db);
    let partStatements = 0;
    store.db.query = ((sql: string, params?: unknown[]) =>
      sql.includes('insert into relais_message (id, channel_id, parent_id') && ++partStatements === 2 ? Promise.reject(new Error('connection lost')) : query(sql, params)) as typeof query;
    await expect(processMessage(channel, id, deps)).rejects.toThrow('connection lost');
    store.db.query = query;
    expect((await store.get(id))?.status).toBe('received');
    const stored = await store.children(id);
    expect(stored.length).toBe(400);
    // ordered delivery: a part waits for an earlier file still to process, not for the file it comes from
    expect((await store.deliveryInput(stored[0]!.id, 'out', true))?.blocker).toBe(earlier.id);
    await store.setStatus(earlier.id, 'filtered');
    expect((await store.deliveryInput(stored[0]!.id, 'out', true))?.blocker).toBeUndefined();
    // its delivery job was lost with the engine (Redis flushed, say)
    await queues.deliver('split-int', 'out').obliterate({ force: true });
    mapped.length = 0;
    await processMessage(channel, id, deps);
    expect(mapped.length).toBe(600);
    expect(mapped[0]).toBe('line 401');
    const children = await store.children(id);
    expect(children.map((c) => c.part_index)).toEqual(lines.map((_, i) => i + 1));
    expect(new Set(children.map((c) => c.status))).toEqual(new Set(['routed']));
    expect((await store.get(id))?.status).toBe('split');
    expect(await deliveryJobSizes()).toEqual([400, 400, 200]);
  });

  it('ordered delivery follows the order the batches were received in, whichever is split first', async () => {
    const a = await store.receive('split-int', { content: Buffer.from('x\nfrom a'), contentType: 'text/plain' });
    const b = await store.receive('split-int', { content: Buffer.from('x\nfrom b'), contentType: 'text/plain' });
    await processMessage(channel, b.id, deps);
    const [bx] = await store.children(b.id);
    expect((await store.deliveryInput(bx!.id, 'out', true))?.blocker).toBe(a.id); // a's keys are not known yet
    await processMessage(channel, a.id, deps);
    const [ax] = await store.children(a.id);
    expect(Number(ax!.seq)).toBeGreaterThan(Number(bx!.seq)); // stored after b's part, received before it
    expect((await store.deliveryInput(bx!.id, 'out', true))?.blocker).toBe(ax!.id);
    expect((await store.deliveryInput(ax!.id, 'out', true))?.blocker).toBeUndefined();
    expect((await store.deliveryInputs([bx!.id, ax!.id], 'out', true)).map((d) => d.messageId)).toEqual([ax!.id, bx!.id]);
  });

  it('parts an earlier version stored unprocessed get their processing jobs back', async () => {
    const { id } = await store.receive('split-int', { content: Buffer.from('a\nb\nc'), contentType: 'text/plain' });
    const first = await store.receive('split-int', { content: Buffer.from('a'), contentType: 'text/plain' }, { parentId: id, partIndex: 1 });
    mapped.length = 0;
    await processMessage(channel, id, deps);
    expect(mapped).toEqual(['b', 'c']);
    expect((await store.children(id)).map((c) => [c.part_index, c.status])).toEqual([[1, 'received'], [2, 'routed'], [3, 'routed']]);
    const jobs = await queues.process('split-int').getJobs(['waiting']);
    expect(jobs.map((j) => messageIdsOf(j.data))).toEqual([[first.id]]);
  });
});
