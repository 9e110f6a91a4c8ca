import { Worker } from 'bullmq';
import type { CompiledChannel } from '../engine/pipeline.js';
import { splitInput } from '../engine/pipeline.js';
import { error, hasErrors } from '../engine/issues.js';
import type { ProcessingInput, ProcessingRecord } from '../store/message-store.js';
import { newMessageId } from '../store/ids.js';
import { byJob, deliverBatchJobId, groupBy, messageIdsOf, processBatchJobId, processJobId, processQueueName, WORKER_LOCKS, type ProcessJob } from './queues.js';
import { enqueueDelivery, enqueuePendingDeliveries, enqueueProcess } from './enqueue.js';
import type { WorkerDeps } from './deps.js';

export const retryPolicyOf = (ch: CompiledChannel, destinationId: string) =>
  ch.config.route.find((d) => d.id === destinationId)?.retry ?? ch.config.retry;

/** Processes one message, outside any job (tests, tools). */
export function processMessage(ch: CompiledChannel, messageId: string, deps: WorkerDeps): Promise<void> {
  return processMessages(ch, [messageId], deps);
}

/**
 * process-<channel>: re-reads the job's messages from the store (one read), splits batches into child messages or
 * runs parse → map → validate → route for each, records every outcome with its stages in one write, then enqueues one
 * delivery job per destination for the messages routed. A pipeline failure is final for that message (status
 * rejected or error, with its issues); it is not retried. `jobId`: the job running this; a message the store says
 * another job carries now (a replay) is left to that job.
 */
export async function processMessages(ch: CompiledChannel, messageIds: string[], deps: WorkerDeps, jobId?: string): Promise<void> {
  const { store, metrics } = deps;
  const channel = ch.config.id;
  const toRun: (ProcessingInput & { raw: NonNullable<ProcessingInput['raw']> })[] = [];
  const routedBefore: string[] = [];
  for (const input of await store.processingInputs(messageIds)) {
    const msg = input.message;
    if (jobId !== undefined && (msg.job_id ?? processJobId(msg.id)) !== jobId) continue;
    if (msg.status === 'routed') routedBefore.push(msg.id); // the engine died between recording and enqueueing
    if (msg.status !== 'received') continue;
    if (await splitOrFail(ch, input, deps)) continue;
    toRun.push(input as (typeof toRun)[number]);
  }
  // the whole batch in one call (a pipeline thread, usually)
  const outcomes = await deps.pipelines.run(ch, toRun.map((i) => ({ raw: i.raw.content, ctx: { channelId: channel, messageId: i.message.id, receivedAt: new Date(i.message.received_at) } })));
  const records: ProcessingRecord[] = [];
  for (const [k, input] of toRun.entries()) {
    const o = outcomes[k]!;
    const id = input.message.id;
    if ('threw' in o) {
      // a bug in a mapping or validator: keep the message, visible and replayable once fixed
      await store.setStatus(id, 'error', [error('INTERNAL', o.threw)]);
      metrics.processed.inc({ channel, status: 'error' });
      deps.logger.error({ channel, messageId: id, err: o.threw }, 'pipeline threw');
      continue;
    }
    for (const [stage, seconds] of Object.entries(o.timings)) metrics.stageSeconds.observe({ channel, stage }, seconds);
    records.push({ id, status: o.status, issues: o.issues, snapshots: o.snapshots, keys: o.keys, orderingKey: o.orderingKey, deliveries: o.deliveries });
  }
  await recordAndRoute(ch, records, deps);
  await requeueDeliveries(ch, routedBefore, deps);
}

/** A message without its raw bytes goes to error; a batch is split into child messages. True when dealt with here. */
async function splitOrFail(ch: CompiledChannel, input: ProcessingInput, deps: WorkerDeps): Promise<boolean> {
  const { store, metrics } = deps;
  const channel = ch.config.id;
  const msg = input.message;
  const raw = input.raw;
  if (!raw) {
    await store.setStatus(msg.id, 'error', [error('INTERNAL', 'the raw snapshot of this message is missing from the store')]);
    metrics.processed.inc({ channel, status: 'error' });
    return true;
  }
  const split = msg.parent_id === null ? splitInput(ch, raw.content) : undefined;
  // a batch of one part (a one-row file) is processed as itself, without a child message
  if (!split || (!hasErrors(split.issues) && split.parts.length === 1)) return false;
  if (!hasErrors(split.issues)) await storeParts(ch, msg.id, msg.source_ref, raw.contentType, split.parts, deps);
  const status = hasErrors(split.issues) ? 'rejected' : 'split';
  await store.setStatus(msg.id, status, split.issues);
  metrics.processed.inc({ channel, status });
  return true;
}

/** Stores a batch's parts as child messages in one write, carried by jobs of `queue.batchSize` parts, and enqueues them. */
async function storeParts(ch: CompiledChannel, parentId: string, parentRef: string | null, contentType: string, parts: { content: Buffer; ref: string }[], deps: WorkerDeps): Promise<void> {
  const size = ch.config.queue.batchSize;
  const toStore = parts.map((part, i) => ({ id: newMessageId(), partIndex: i + 1, content: part.content, sourceRef: `${parentRef ?? parentId}#${part.ref}`, jobId: '' }));
  for (let i = 0; i < toStore.length; i += size) {
    const chunk = toStore.slice(i, i + size);
    const jobId = processBatchJobId(chunk.map((p) => p.id));
    for (const p of chunk) p.jobId = jobId;
  }
  // about a thousand parts per statement, whole jobs each: a regional export of 500,000 rows is not one statement
  const perStatement = size * Math.max(1, Math.floor(1000 / size));
  for (let i = 0; i < toStore.length; i += perStatement) {
    const waiting = await deps.store.receiveParts(ch.config.id, parentId, contentType, toStore.slice(i, i + perStatement));
    await enqueueProcess(deps.queues, ch.config.id, byJob(waiting, processJobId));
  }
}

/** One write for the batch's outcomes, then one delivery job per destination for the messages routed. */
async function recordAndRoute(ch: CompiledChannel, records: ProcessingRecord[], deps: WorkerDeps): Promise<void> {
  if (!records.length) return;
  const channel = ch.config.id;
  const routes = records.flatMap((r) => (r.deliveries ?? []).map((d) => ({ d, id: r.id })));
  const byDestination = new Map([...groupBy(routes, (x) => x.d)].map(([d, xs]) => [d, xs.map((x) => x.id)]));
  const deliveryJobs = Object.fromEntries([...byDestination].map(([d, ids]) => [d, deliverBatchJobId(ids, d)]));
  const recorded = await deps.store.recordProcessingMany(records.map((r) => ({ ...r, deliveryJobs })));
  for (const r of records) if (recorded.has(r.id)) deps.metrics.processed.inc({ channel, status: r.status });
  for (const [d, ids] of byDestination) {
    const messageIds = ids.filter((id) => recorded.has(id));
    if (messageIds.length) await enqueueDelivery(deps.queues, channel, d, [{ jobId: deliveryJobs[d]!, messageIds }], retryPolicyOf(ch, d));
  }
}

/** Re-adds the jobs the store names for the pending deliveries of messages already routed (a no-op while they exist). */
async function requeueDeliveries(ch: CompiledChannel, messageIds: string[], deps: WorkerDeps): Promise<void> {
  if (!messageIds.length) return;
  await enqueuePendingDeliveries(deps.queues, ch.config.id, await deps.store.pendingDeliveriesOf(messageIds), (dest) => retryPolicyOf(ch, dest));
}

export function startProcessWorker(ch: CompiledChannel, deps: WorkerDeps): Worker<ProcessJob> {
  const w = new Worker<ProcessJob>(processQueueName(ch.config.id), (job) => processMessages(ch, messageIdsOf(job.data), deps, job.id), {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: ch.config.queue.concurrency,
    ...WORKER_LOCKS,
  });
  w.on('failed', (job, err) => deps.logger.error({ channel: ch.config.id, messageIds: job ? messageIdsOf(job.data) : undefined, err: err.message }, 'processing failed; the messages stay received and are swept again'));
  w.on('error', (err) => deps.logger.error({ channel: ch.config.id, err: err.message }, 'process worker error'));
  return w;
}
