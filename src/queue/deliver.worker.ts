import { DelayedError, Worker, type Job } from 'bullmq';
import { DeliveryError, type Sender } from '../engine/define.js';
import type { CompiledChannel } from '../engine/pipeline.js';
import { backoffDelay, deliverQueueName, WORKER_LOCKS, type DeliverJob } from './queues.js';
import { retryPolicyOf } from './process.worker.js';
import type { WorkerDeps } from './deps.js';

/** A message waiting behind an earlier one of its key is looked at again after 50 ms, doubling up to 2 s. */
const blockedDelay = (times: number) => Math.min(2_000, 50 * 2 ** Math.min(times, 6));

interface Outcome {
  outcome: 'sent' | 'retry' | 'held' | 'blocked' | 'skip';
  delayMs?: number;
  error?: unknown;
}

/**
 * Delivers one message to one destination. The store's attempt count is the truth: after `attempts` tries, after
 * `maxAgeMs`, or on a permanent refusal the delivery is held (dead letter) and the job ends without error.
 */
export async function deliverMessage(ch: CompiledChannel, sender: Sender, job: Pick<DeliverJob, 'messageId' | 'destinationId'>, blockedTimes: number, deps: WorkerDeps): Promise<Outcome> {
  const { store, metrics } = deps;
  const { messageId, destinationId } = job;
  const channel = ch.config.id;
  const ordered = Boolean(ch.config.queue.ordering);
  // one read: the delivery, its message, what blocks it (ordered channels) and the encoded output
  const input = await store.deliveryInput(messageId, destinationId, ordered);
  if (!input || input.delivery.status !== 'pending') return { outcome: 'skip' };
  const { delivery, message: msg } = input;
  const policy = retryPolicyOf(ch, destinationId);
  const age = Date.now() - new Date(msg.received_at).getTime();
  const hold = async (reason: string) => {
    await store.recordDelivery(messageId, destinationId, { status: 'held', attempts: delivery.attempts, error: reason });
    metrics.deliveries.inc({ channel, destination: destinationId, outcome: 'held' });
    deps.logger.warn({ channel, messageId, destination: destinationId }, `delivery held: ${reason}`);
    return { outcome: 'held' } as const;
  };
  if (ordered && msg.ordering_key) {
    const blocker = input.blocker;
    if (blocker) {
      if (age > policy.maxAgeMs) return hold(`older than ${policy.maxAgeMs} ms while waiting behind message ${blocker}`);
      metrics.deliveries.inc({ channel, destination: destinationId, outcome: 'blocked' });
      return { outcome: 'blocked', delayMs: blockedDelay(blockedTimes) };
    }
  }
  if (age > policy.maxAgeMs) return hold(`older than the maximum age of ${policy.maxAgeMs} ms`);
  const encoded = input.encoded;
  if (!encoded) return hold('no encoded output stored for this destination');
  const attempts = delivery.attempts + 1;
  try {
    const receipt = await sender.send(encoded, { messageId, destinationId });
    await store.recordDelivery(messageId, destinationId, { status: 'sent', attempts, detail: receipt.detail });
    metrics.deliveries.inc({ channel, destination: destinationId, outcome: 'sent' });
    metrics.endToEndSeconds.observe({ channel, destination: destinationId }, (Date.now() - new Date(msg.received_at).getTime()) / 1000);
    return { outcome: 'sent' };
  } catch (e) {
    const reason = (e as Error).message;
    const permanent = e instanceof DeliveryError && e.permanent;
    if (permanent || attempts >= policy.attempts) {
      await store.recordDelivery(messageId, destinationId, { status: 'held', attempts, error: permanent ? `refused: ${reason}` : `gave up after ${attempts} attempts: ${reason}` });
      metrics.deliveries.inc({ channel, destination: destinationId, outcome: 'held' });
      return { outcome: 'held' };
    }
    await store.recordDelivery(messageId, destinationId, { status: 'pending', attempts, error: reason });
    metrics.deliveries.inc({ channel, destination: destinationId, outcome: 'retry' });
    return { outcome: 'retry', error: e, delayMs: backoffDelay(attempts, policy) };
  }
}

/** deliver-<channel>-<destination>: one queue per destination, so one destination down never blocks another. */
export function startDeliverWorker(ch: CompiledChannel, destinationId: string, sender: Sender, deps: WorkerDeps): Worker<DeliverJob & { blocked?: number }> {
  const processor = async (job: Job<DeliverJob & { blocked?: number }>, token?: string) => {
    const r = await deliverMessage(ch, sender, job.data, job.data.blocked ?? 0, deps);
    if (r.outcome === 'blocked') {
      await job.updateData({ ...job.data, blocked: (job.data.blocked ?? 0) + 1 });
      await job.moveToDelayed(Date.now() + (r.delayMs ?? 1000), token);
      throw new DelayedError();
    }
    if (r.outcome === 'retry') {
      // the store already counted the attempt; moving to delayed keeps BullMQ's own attempt counter out of the way
      await job.moveToDelayed(Date.now() + (r.delayMs ?? 1000), token);
      throw new DelayedError();
    }
  };
  const w = new Worker<DeliverJob & { blocked?: number }>(deliverQueueName(ch.config.id, destinationId), processor, {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: ch.config.queue.concurrency,
    ...WORKER_LOCKS,
  });
  w.on('error', (err) => deps.logger.error({ channel: ch.config.id, destination: destinationId, err: err.message }, 'deliver worker error'));
  w.on('failed', (job, err) => deps.logger.error({ channel: ch.config.id, destination: destinationId, messageId: job?.data.messageId, err: err.message }, 'delivery job failed; swept again later'));
  return w;
}
