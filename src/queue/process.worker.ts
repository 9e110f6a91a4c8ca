import { Worker } from 'bullmq';
import type { CompiledChannel } from '../engine/pipeline.js';
import { runPipeline, splitInput } from '../engine/pipeline.js';
import { error, hasErrors } from '../engine/issues.js';
import type { Snapshot, Stage } from '../store/message-store.js';
import { processQueueName, WORKER_LOCKS, type ProcessJob } from './queues.js';
import { enqueueDelivery, enqueueProcess } from './enqueue.js';
import type { WorkerDeps } from './deps.js';

const JSON_TYPE = 'application/json';

function snapshotOf(value: unknown, contentType?: string): Pick<Snapshot, 'content' | 'contentType'> {
  if (Buffer.isBuffer(value)) return { content: value, contentType: contentType ?? 'application/octet-stream' };
  if (typeof value === 'string') return { content: Buffer.from(value), contentType: contentType ?? 'text/plain' };
  return { content: Buffer.from(JSON.stringify(value)), contentType: contentType ?? JSON_TYPE };
}

export const retryPolicyOf = (ch: CompiledChannel, destinationId: string) =>
  ch.config.route.find((d) => d.id === destinationId)?.retry ?? ch.config.retry;

/**
 * process-<channel>: re-reads the raw message from the store, splits batches into child messages, or runs
 * parse → map → validate → route, stores every stage, then enqueues one delivery job per destination.
 * A pipeline failure is final for the message (status rejected or error, with its issues); it is not retried.
 */
export async function processMessage(ch: CompiledChannel, messageId: string, deps: WorkerDeps): Promise<void> {
  const { store, queues, metrics } = deps;
  const channel = ch.config.id;
  // one read for the message and its raw snapshot
  const input = await store.processingInput(messageId);
  if (!input) return; // purged by retention
  const msg = input.message;
  if (msg.status === 'routed') {
    // the engine died between storing the outcome and enqueueing the deliveries
    for (const d of await store.deliveries(messageId)) if (d.status === 'pending') await enqueueDelivery(queues, channel, messageId, d.destination_id, retryPolicyOf(ch, d.destination_id));
    return;
  }
  if (msg.status !== 'received') return;
  const raw = input.raw;
  if (!raw) throw new Error(`message ${messageId} has no raw snapshot`);

  const split = msg.parent_id === null ? splitInput(ch, raw.content) : undefined;
  // a batch of one part (a one-row file) is processed as itself, without a child message
  if (split && (hasErrors(split.issues) || split.parts.length !== 1)) {
    if (hasErrors(split.issues)) {
      await store.setStatus(messageId, 'rejected', split.issues);
      metrics.processed.inc({ channel, status: 'rejected' });
      return;
    }
    const toEnqueue: string[] = [];
    for (const [i, part] of split.parts.entries()) {
      const child = await store.receive(channel, { content: part.content, contentType: raw.contentType, sourceRef: `${msg.source_ref ?? messageId}#${part.ref}` }, { parentId: messageId, partIndex: i + 1 });
      if (child.status === 'received') toEnqueue.push(child.id);
    }
    await enqueueProcess(queues, channel, toEnqueue);
    await store.setStatus(messageId, 'split', split.issues);
    metrics.processed.inc({ channel, status: 'split' });
    return;
  }

  let result;
  try {
    result = await runPipeline(ch, raw.content, { channelId: channel, messageId, receivedAt: new Date(msg.received_at) });
  } catch (e) {
    // a bug in a mapping or validator: keep the message, visible and replayable once fixed
    await store.setStatus(messageId, 'error', [error('INTERNAL', `${(e as Error).name}: ${(e as Error).message}`)]);
    metrics.processed.inc({ channel, status: 'error' });
    deps.logger.error({ channel, messageId, err: (e as Error).message }, 'pipeline threw');
    return;
  }
  for (const [stage, seconds] of Object.entries(result.timings)) metrics.stageSeconds.observe({ channel, stage }, seconds);
  const snapshots: { stage: Stage; destinationId?: string; content: Buffer; contentType: string }[] = [];
  if (result.parsed !== undefined) snapshots.push({ stage: 'parsed', ...snapshotOf(result.parsed) });
  if (result.mapped) snapshots.push({ stage: 'mapped', ...snapshotOf(result.mapped.content, result.mapped.contentType) });
  for (const o of result.outputs) snapshots.push({ stage: 'encoded', destinationId: o.destinationId, ...o.encoded });
  await store.recordProcessing(messageId, {
    status: result.status,
    issues: result.issues,
    snapshots,
    keys: result.keys,
    orderingKey: result.orderingKey,
    deliveries: result.outputs.map((o) => o.destinationId),
  });
  metrics.processed.inc({ channel, status: result.status });
  for (const o of result.outputs) await enqueueDelivery(queues, channel, messageId, o.destinationId, retryPolicyOf(ch, o.destinationId));
}

export function startProcessWorker(ch: CompiledChannel, deps: WorkerDeps): Worker<ProcessJob> {
  const w = new Worker<ProcessJob>(processQueueName(ch.config.id), (job) => processMessage(ch, job.data.messageId, deps), {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: ch.config.queue.concurrency,
    ...WORKER_LOCKS,
  });
  w.on('failed', (job, err) => deps.logger.error({ channel: ch.config.id, messageId: job?.data.messageId, err: err.message }, 'processing failed; the message stays received and is retried at next start'));
  w.on('error', (err) => deps.logger.error({ channel: ch.config.id, err: err.message }, 'process worker error'));
  return w;
}
