import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { RetryPolicy } from '../engine/channel-schema.js';

/**
 * Job data holds ids only; workers re-read everything from the store. A job carries one message or a batch of them
 * (a delivery job: the routed parts of a split file's chunk; a processing job: one message, or the parts an earlier
 * version stored unprocessed); `messageId` is the form written before batches, still read.
 */
export interface ProcessJob {
  messageIds: string[];
  messageId?: string;
}
export interface DeliverJob {
  messageIds: string[];
  destinationId: string;
  messageId?: string;
  /** Messages waiting out a retry backoff inside this job: epoch ms before which each is not attempted again. */
  notBefore?: Record<string, number>;
  /** Consecutive runs that found messages blocked by earlier ones (ordered channels) and delivered nothing. */
  blocked?: number;
}
export const messageIdsOf = (data: { messageIds?: string[]; messageId?: string }): string[] => data.messageIds ?? (data.messageId ? [data.messageId] : []);

/** A job to add: its id and the messages it carries. */
export interface QueuedIds {
  jobId: string;
  messageIds: string[];
}

export const processQueueName = (channelId: string) => `process.${channelId}`;
export const deliverQueueName = (channelId: string, destinationId: string) => `deliver.${channelId}.${destinationId}`;

/**
 * Job ids make enqueueing idempotent: adding a job whose id exists is a no-op, so the recovery sweep can re-add the
 * job the store names for a message without queueing it twice. A message's own job: `p-<id>`, `d-<id>-<destination>`;
 * a batch's job is named after its first message.
 */
export const processJobId = (messageId: string) => `p-${messageId}`;
export const deliverJobId = (messageId: string, destinationId: string) => `d-${messageId}-${destinationId}`;
export const deliverBatchJobId = (ids: string[], destinationId: string) => (ids.length === 1 ? deliverJobId(ids[0]!, destinationId) : `db-${ids[0]}-${destinationId}`);

/** Items grouped by key, keys in order of first appearance, items in their order. */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const it of items) {
    const key = keyOf(it);
    const group = groups.get(key);
    if (group) group.push(it);
    else groups.set(key, [it]);
  }
  return groups;
}

/** Groups messages by the job the store names for them (null: their own job), keeping their order. */
export function byJob(items: { id: string; jobId: string | null }[], ownJob: (id: string) => string): QueuedIds[] {
  return [...groupBy(items, (it) => it.jobId ?? ownJob(it.id))].map(([jobId, its]) => ({ jobId, messageIds: its.map((it) => it.id) }));
}

/**
 * Finished and failed jobs are removed: the store keeps the history and the errors, and a job id becomes free again
 * for a replay.
 * Processing is not retried by BullMQ: a pipeline failure is final for the message (stored, replayable).
 */
export const PROCESS_JOB: JobsOptions = { removeOnComplete: true, removeOnFail: true, attempts: 1 };

/**
 * Delivery jobs: the worker counts attempts in the store, waits out the backoff by moving the job to the delayed
 * set (without consuming a BullMQ attempt) and holds the message itself once attempts or age run out; BullMQ's own
 * attempt limit only matters for unexpected errors (store down), and a failed job is swept again later.
 */
export function deliverJobOptions(policy: RetryPolicy): JobsOptions {
  return { removeOnComplete: true, removeOnFail: true, attempts: policy.attempts + 1 };
}

/**
 * Exponential backoff with "equal jitter": half the exponential delay plus a random half, capped. Attempt 1 waits
 * about initialDelayMs, attempt n about initialDelayMs·2ⁿ⁻¹, never more than maxDelayMs.
 */
export function backoffDelay(attemptsMade: number, policy: Pick<RetryPolicy, 'initialDelayMs' | 'maxDelayMs'>, random = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/**
 * Worker lock settings. A job's lock is renewed every lockDuration/2 while it runs, so a long send keeps it; a job
 * whose worker died is taken back after at most lockDuration + stalledInterval (about 15 s) instead of BullMQ's
 * default of up to a minute. Stalling twice fails the job; the engine's sweep re-enqueues it from the store.
 */
export const WORKER_LOCKS = { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 2 } as const;

export interface QueueSet {
  process(channelId: string): Queue<ProcessJob>;
  deliver(channelId: string, destinationId: string): Queue<DeliverJob>;
  all(): Queue[];
  close(): Promise<void>;
}

export function createQueueSet(connection: ConnectionOptions, prefix: string): QueueSet {
  const queues = new Map<string, Queue>();
  const get = <T>(name: string) => {
    let q = queues.get(name);
    if (!q) queues.set(name, (q = new Queue(name, { connection, prefix })));
    return q as unknown as Queue<T>;
  };
  return {
    process: (c) => get<ProcessJob>(processQueueName(c)),
    deliver: (c, d) => get<DeliverJob>(deliverQueueName(c, d)),
    all: () => [...queues.values()],
    close: async () => {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
