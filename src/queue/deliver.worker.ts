import { DelayedError, Worker, type Job } from 'bullmq';
import { DeliveryError, type Sender } from '../engine/define.js';
import type { CompiledChannel } from '../engine/pipeline.js';
import type { DeliveryInput, DeliveryRecord, MessageStatus } from '../store/message-store.js';
import { backoffDelay, deliverJobId, deliverQueueName, messageIdsOf, WORKER_LOCKS, type DeliverJob } from './queues.js';
import { retryPolicyOf } from './outcomes.js';
import { GroupCommit } from './group-commit.js';
import { lanesBy, runLanes } from './lanes.js';
import type { WorkerDeps } from './deps.js';

/** Messages waiting behind earlier ones are looked at again after 50 ms, doubling up to 2 s while nothing moves. */
const blockedDelay = (times: number) => Math.min(2_000, 50 * 2 ** Math.min(times, 6));

/** How long a finished attempt waits for others before its record is written (and the job's end for it). */
const RECORD_LINGER_MS = 50;

export interface DeliveryOutcome {
  messageId: string;
  outcome: 'sent' | 'retry' | 'held' | 'blocked' | 'skip';
  /** retry: epoch ms before which the message is not attempted again (its backoff). */
  notBefore?: number;
}

/** What one run of a delivery job needs besides the messages. */
export interface DeliveryRun {
  /** The job running this; a delivery the store says another job carries now (a replay) is left to that job. */
  jobId?: string;
  /** Backoffs still running, from the job's previous runs. */
  notBefore?: Record<string, number>;
}

/**
 * Delivers messages to one destination. Ordered channels keep each key's messages in receive order (one lane per
 * key, `ordering.partitions` keys at a time; a message not sent stops its key for this run); others send up to
 * `queue.concurrency` messages at a time. Each attempt is recorded in the store, attempts finishing together in one
 * write. The store's attempt count is the truth: after `attempts` tries, after `maxAgeMs`, or on a permanent refusal
 * the delivery is held (dead letter).
 */
export async function deliverMessages(ch: CompiledChannel, sender: Sender, destinationId: string, messageIds: string[], deps: WorkerDeps, run: DeliveryRun = {}): Promise<DeliveryOutcome[]> {
  const { store, metrics } = deps;
  const channel = ch.config.id;
  const ordering = ch.config.queue.ordering;
  const policy = retryPolicyOf(ch, destinationId);
  const outcomes: DeliveryOutcome[] = [];
  const writes: Promise<MessageStatus>[] = [];
  // attempts finishing within a few ms of each other are recorded together (one round trip)
  const recorder = new GroupCommit<DeliveryRecord, MessageStatus>(
    async (records) => {
      const statuses = await store.recordDeliveries(destinationId, records);
      return records.map((r) => statuses.get(r.id)!);
    },
    { lingerMs: RECORD_LINGER_MS, maxItems: messageIds.length },
  );
  const record = (r: DeliveryRecord, outcome: 'sent' | 'retry' | 'held', onStored?: () => void) => {
    const written = recorder.add(r).then((status) => {
      metrics.deliveries.inc({ channel, destination: destinationId, outcome });
      onStored?.();
      return status;
    });
    // a failed write fails the job below, once every lane is done; until then it must not count as unhandled
    written.catch(() => undefined);
    writes.push(written);
  };
  const now = Date.now();

  /** One message; returns whether later messages of its key may go. */
  const deliverOne = async (input: DeliveryInput, keyStopped: boolean): Promise<boolean> => {
    const messageId = input.messageId;
    const { delivery, message: msg } = input;
    const done = (outcome: DeliveryOutcome['outcome'], notBefore?: number) => outcomes.push({ messageId, outcome, ...(notBefore ? { notBefore } : {}) });
    const carriedElsewhere = run.jobId !== undefined && (delivery.job_id ?? deliverJobId(messageId, destinationId)) !== run.jobId;
    if (carriedElsewhere || delivery.status !== 'pending') {
      done('skip');
      return delivery.status === 'sent'; // one still pending or held elsewhere keeps its key waiting
    }
    const age = Date.now() - new Date(msg.received_at).getTime();
    const hold = (reason: string, attempts = delivery.attempts) => {
      record({ id: messageId, status: 'held', attempts, error: reason }, 'held', () => deps.logger.warn({ channel, messageId, destination: destinationId }, `delivery held: ${reason}`));
      done('held');
      return false;
    };
    const blocker = keyStopped ? 'an earlier message of its key in this batch' : input.blocker && `message ${input.blocker}`;
    if (ordering && msg.ordering_key && blocker) {
      if (age > policy.maxAgeMs) return hold(`older than ${policy.maxAgeMs} ms while waiting behind ${blocker}`);
      metrics.deliveries.inc({ channel, destination: destinationId, outcome: 'blocked' });
      done('blocked');
      return false;
    }
    if (age > policy.maxAgeMs) return hold(`older than the maximum age of ${policy.maxAgeMs} ms`);
    const waitUntil = run.notBefore?.[messageId];
    if (waitUntil !== undefined && waitUntil > now) {
      done('retry', waitUntil);
      return false;
    }
    if (!input.encoded) return hold('no encoded output stored for this destination');
    const attempts = delivery.attempts + 1;
    try {
      const receipt = await sender.send(input.encoded, { messageId, destinationId });
      record({ id: messageId, status: 'sent', attempts, detail: receipt.detail }, 'sent', () =>
        metrics.endToEndSeconds.observe({ channel, destination: destinationId }, (Date.now() - new Date(msg.received_at).getTime()) / 1000),
      );
      done('sent');
      return true;
    } catch (e) {
      const reason = (e as Error).message;
      const permanent = e instanceof DeliveryError && e.permanent;
      if (permanent || attempts >= policy.attempts) return hold(permanent ? `refused: ${reason}` : `gave up after ${attempts} attempts: ${reason}`, attempts);
      record({ id: messageId, status: 'pending', attempts, error: reason }, 'retry');
      done('retry', Date.now() + backoffDelay(attempts, policy));
      return false;
    }
  };

  const inputs = await store.deliveryInputs(messageIds, destinationId, Boolean(ordering));
  const lanes = lanesBy(inputs, (i) => (ordering ? i.message.ordering_key ?? undefined : undefined));
  const parallel = ordering ? ordering.partitions : ch.config.queue.concurrency;
  await runLanes(lanes, parallel, async (lane) => {
    let go = true;
    for (const input of lane) go = (await deliverOne(input, !go)) && go;
  });
  await Promise.all(writes);
  return outcomes;
}

/**
 * What is left for a later run of the same job: retries waiting out their backoff and blocked messages. The job
 * waits until the earliest of them is due; blocked ones are looked at again sooner while others move.
 */
export function nextRun(outcomes: DeliveryOutcome[], blockedBefore: number): { messageIds: string[]; notBefore: Record<string, number>; blocked: number; delayMs: number } | undefined {
  const later = outcomes.filter((o) => o.outcome === 'retry' || o.outcome === 'blocked');
  if (!later.length) return undefined;
  const progressed = outcomes.some((o) => o.outcome === 'sent' || o.outcome === 'held');
  const anyBlocked = later.some((o) => o.outcome === 'blocked');
  const blocked = anyBlocked ? (progressed ? 0 : blockedBefore + 1) : 0;
  const now = Date.now();
  const due = [...later.filter((o) => o.notBefore !== undefined).map((o) => o.notBefore! - now), ...(anyBlocked ? [blockedDelay(blocked)] : [])];
  return {
    messageIds: later.map((o) => o.messageId),
    notBefore: Object.fromEntries(later.filter((o) => o.notBefore !== undefined).map((o) => [o.messageId, o.notBefore!])),
    blocked,
    delayMs: Math.max(0, Math.min(...due)),
  };
}

/** deliver-<channel>-<destination>: one queue per destination, so one destination down never blocks another. */
export function startDeliverWorker(ch: CompiledChannel, destinationId: string, sender: Sender, deps: WorkerDeps): Worker<DeliverJob> {
  const processor = async (job: Job<DeliverJob>, token?: string) => {
    const outcomes = await deliverMessages(ch, sender, destinationId, messageIdsOf(job.data), deps, { jobId: job.id, notBefore: job.data.notBefore });
    const next = nextRun(outcomes, job.data.blocked ?? 0);
    if (!next) return;
    // the store already counted the attempts; the job itself waits, without consuming a BullMQ attempt
    await job.updateData({ destinationId, messageIds: next.messageIds, notBefore: next.notBefore, blocked: next.blocked });
    await job.moveToDelayed(Date.now() + next.delayMs, token);
    throw new DelayedError();
  };
  const w = new Worker<DeliverJob>(deliverQueueName(ch.config.id, destinationId), processor, {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: ch.config.queue.concurrency,
    ...WORKER_LOCKS,
  });
  w.on('error', (err) => deps.logger.error({ channel: ch.config.id, destination: destinationId, err: err.message }, 'deliver worker error'));
  w.on('failed', (job, err) => deps.logger.error({ channel: ch.config.id, destination: destinationId, messageIds: job ? messageIdsOf(job.data) : undefined, err: err.message }, 'delivery job failed; swept again later'));
  return w;
}
