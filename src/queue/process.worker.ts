import { Worker } from 'bullmq';
import type { CompiledChannel } from '../engine/pipeline.js';
import { splitInput } from '../engine/pipeline.js';
import { error, hasErrors } from '../engine/issues.js';
import type { ProcessingInput } from '../store/message-store.js';
import { messageIdsOf, processJobId, processQueueName, WORKER_LOCKS, type ProcessJob } from './queues.js';
import { recordAndRoute, recordsOf, requeueDeliveries } from './outcomes.js';
import { processParts } from './process-parts.js';
import type { WorkerDeps } from './deps.js';

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
  await recordAndRoute(ch, recordsOf(ch, toRun.map((i) => i.message.id), outcomes, deps), deps, (records) => store.recordProcessingMany(records));
  await requeueDeliveries(ch, routedBefore, deps);
}

/** A message without its raw bytes goes to error; a batch is split and its parts processed. True when dealt with here. */
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
  if (!hasErrors(split.issues)) await processParts(ch, msg, raw.contentType, split.parts, deps);
  const status = hasErrors(split.issues) ? 'rejected' : 'split';
  await store.setStatus(msg.id, status, split.issues);
  metrics.processed.inc({ channel, status });
  return true;
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
