import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineDestination, defineMapping, defineParser, type Mapped } from '../engine/define.js';
import { hold } from '../engine/issues.js';
import type { CompiledChannel } from '../engine/pipeline.js';
import type { ChannelConfig } from '../engine/channel-schema.js';
import type { MessageStore } from '../store/message-store.js';
import { replayMessage } from '../runtime/replay.js';
import type { QueueSet } from './queues.js';
import { processMessage } from './process.worker.js';
import { openTestWorkerDeps, type TestWorkerDeps } from '../../test/worker-deps.js';

/**
 * A message stopped by a hold issue is stored `held` (with its issues, parsed and mapped snapshots, no delivery),
 * is found by status, counted, and goes through once replayed after the cause is fixed. Real PGlite and Redis.
 */
describe('processing hold', () => {
  let store: MessageStore;
  let queues: QueueSet;
  let deps: TestWorkerDeps;
  /** The "world": which names the validator knows. */
  const known = new Set<string>();

  const channel = (): CompiledChannel => {
    const config = { id: 'hold-int', parse: { format: 'text' }, route: [{ id: 'out', type: 'out' }], queue: { concurrency: 1 }, retry: { attempts: 1, initialDelayMs: 10, maxDelayMs: 10, maxAgeMs: 1000 } } as unknown as ChannelConfig;
    return {
      config,
      baseDir: '.',
      parser: defineParser({ format: 'text', description: '', options: z.object({}), parse: (raw) => ({ value: raw.toString('utf8'), issues: [] }) }),
      mapping: defineMapping<string>({ name: 'echo', description: '', input: 'text', map: (t) => ({ output: { content: { name: t }, contentType: 'application/json' }, issues: [], keys: { patient: [`urn:test|${t}`] } }) }),
      validators: [async (m: Mapped) => (known.has((m.content as { name: string }).name) ? [] : [hold('PATIENT_NOT_FOUND', 'no patient matches')])],
      destinations: [
        {
          config: config.route[0]!,
          def: defineDestination({ type: 'out', description: '', options: z.object({}), encode: (m) => ({ encoded: { content: Buffer.from(JSON.stringify(m.content)), contentType: m.contentType }, issues: [] }), createSender: () => Promise.reject(new Error('unused')) }),
        },
      ],
    } as unknown as CompiledChannel;
  };

  beforeAll(async () => {
    deps = await openTestWorkerDeps('hold');
    ({ store, queues } = deps);
  });
  afterAll(() => deps?.close());

  it('stores the message held with its issues and snapshots, no delivery; replay after the fix routes it', async () => {
    const ch = channel();
    const { id } = await store.receive('hold-int', { content: Buffer.from('DUPONT') });
    await processMessage(ch, id, deps);

    const held = await store.get(id);
    expect(held?.status).toBe('held');
    expect(held?.issues).toEqual([expect.objectContaining({ code: 'PATIENT_NOT_FOUND', hold: true, severity: 'error' })]);
    expect(await store.deliveries(id)).toEqual([]);
    expect((await store.snapshots(id)).map((s) => s.stage).sort()).toEqual(['mapped', 'parsed', 'raw']);
    expect((await store.find({ status: 'held', channelId: 'hold-int' })).map((m) => m.id)).toEqual([id]);
    expect((await store.find({ key: 'patient:urn:test|DUPONT' })).map((m) => m.id)).toEqual([id]);
    expect(await store.countByStatus()).toContainEqual({ channel_id: 'hold-int', status: 'held', n: 1 });
    expect(await deps.metrics.registry.getSingleMetricAsString('relais_messages_processed_total')).toContain('relais_messages_processed_total{channel="hold-int",status="held"} 1');
    // processing a held message again without a replay does nothing
    await processMessage(ch, id, deps);
    expect((await store.events(id)).map((e) => e.status)).toEqual(['received', 'held']);

    known.add('DUPONT'); // the operator fixed the identity
    await replayMessage(store, id, {});
    expect((await store.get(id))?.status).toBe('received');
    await processMessage(ch, id, deps);
    expect((await store.get(id))?.status).toBe('routed');
    expect((await store.get(id))?.issues).toEqual([]);
    expect((await store.deliveries(id)).map((d) => [d.destination_id, d.status])).toEqual([['out', 'pending']]);
    expect((await store.events(id)).map((e) => e.status)).toEqual(['received', 'held', 'received', 'routed']);
    expect(await queues.deliver('hold-int', 'out').getJob(`d-${id}-out`)).toBeTruthy();
  });

  it('held messages are kept by retention', async () => {
    const { id } = await store.receive('hold-int', { content: Buffer.from('MARTIN') });
    await processMessage(channel(), id, deps);
    await store.db.query(`update relais_message set received_at = now() - interval '400 days' where id = $1`, [id]);
    await store.purge('hold-int', 1);
    expect((await store.get(id))?.status).toBe('held');
  });
});
