import type { CompiledChannel } from '../engine/pipeline.js';
import type { PipelineOutcome, PipelineThrew } from '../engine/pipeline-runner.js';
import { error } from '../engine/issues.js';
import type { ProcessingRecord } from '../store/message-store.js';
import { deliverBatchJobId, groupBy } from './queues.js';
import { enqueueDelivery, enqueuePendingDeliveries } from './enqueue.js';
import type { WorkerDeps } from './deps.js';

/** What the process worker does with pipeline outcomes: records them, then queues their deliveries. */

export const retryPolicyOf = (ch: CompiledChannel, destinationId: string) =>
  ch.config.route.find((d) => d.id === destinationId)?.retry ?? ch.config.retry;

/**
 * Pipeline outcomes as the store records them. A run that threw (a bug in a mapping or validator) becomes an `error`
 * record: the message is kept, visible and replayable once the bug is fixed.
 */
export function recordsOf(ch: CompiledChannel, ids: string[], outcomes: (PipelineOutcome | PipelineThrew)[], deps: WorkerDeps): ProcessingRecord[] {
  const channel = ch.config.id;
  return ids.map((id, k) => {
    const o = outcomes[k]!;
    if ('threw' in o) {
      deps.logger.error({ channel, messageId: id, err: o.threw }, 'pipeline threw');
      return { id, status: 'error', issues: [error('INTERNAL', o.threw)], snapshots: [] };
    }
    for (const [stage, seconds] of Object.entries(o.timings)) deps.metrics.stageSeconds.observe({ channel, stage }, seconds);
    return { id, status: o.status, issues: o.issues, snapshots: o.snapshots, keys: o.keys, orderingKey: o.orderingKey, deliveries: o.deliveries };
  });
}

/**
 * One write for a batch's outcomes (`write`: the ids it recorded), then one delivery job per destination for the
 * messages routed.
 */
export async function recordAndRoute(ch: CompiledChannel, records: ProcessingRecord[], deps: WorkerDeps, write: (records: ProcessingRecord[]) => Promise<Set<string>>): Promise<void> {
  if (!records.length) return;
  const channel = ch.config.id;
  const routes = records.flatMap((r) => (r.deliveries ?? []).map((d) => ({ d, id: r.id })));
  const byDestination = new Map([...groupBy(routes, (x) => x.d)].map(([d, xs]) => [d, xs.map((x) => x.id)]));
  const deliveryJobs = Object.fromEntries([...byDestination].map(([d, ids]) => [d, deliverBatchJobId(ids, d)]));
  const recorded = await write(records.map((r) => ({ ...r, deliveryJobs })));
  for (const r of records) if (recorded.has(r.id)) deps.metrics.processed.inc({ channel, status: r.status });
  for (const [d, ids] of byDestination) {
    const messageIds = ids.filter((id) => recorded.has(id));
    if (messageIds.length) await enqueueDelivery(deps.queues, channel, d, [{ jobId: deliveryJobs[d]!, messageIds }], retryPolicyOf(ch, d));
  }
}

/** Re-adds the jobs the store names for the pending deliveries of messages already routed (a no-op while they exist). */
export async function requeueDeliveries(ch: CompiledChannel, messageIds: string[], deps: WorkerDeps): Promise<void> {
  if (!messageIds.length) return;
  await enqueuePendingDeliveries(deps.queues, ch.config.id, await deps.store.pendingDeliveriesOf(messageIds), (dest) => retryPolicyOf(ch, dest));
}
