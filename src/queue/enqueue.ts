import type { QueueSet, QueuedIds } from './queues.js';
import { byJob, deliverJobId, deliverJobOptions, groupBy, PROCESS_JOB } from './queues.js';
import type { RetryPolicy } from '../engine/channel-schema.js';
import type { PendingDelivery } from '../store/message-store.js';

/** Enqueues processing jobs; a job whose id exists already is left as it is (see `processJobId`). */
export async function enqueueProcess(queues: QueueSet, channelId: string, jobs: QueuedIds[]): Promise<void> {
  if (!jobs.length) return;
  await queues.process(channelId).addBulk(jobs.map((j) => ({ name: 'process', data: { messageIds: j.messageIds }, opts: { ...PROCESS_JOB, jobId: j.jobId } })));
}

/**
 * Re-adds, destination by destination, the jobs the store names for pending deliveries (a job that exists is left as
 * it is): the sweep's work for a channel, and the process worker's for messages routed before the engine died.
 */
export async function enqueuePendingDeliveries(
  queues: QueueSet,
  channelId: string,
  pending: PendingDelivery[],
  policyOf: (destinationId: string) => RetryPolicy,
): Promise<void> {
  for (const [dest, rows] of groupBy(pending, (d) => d.destination_id)) {
    const jobs = byJob(rows.map((d) => ({ id: d.message_id, jobId: d.job_id })), (id) => deliverJobId(id, dest));
    await enqueueDelivery(queues, channelId, dest, jobs, policyOf(dest));
  }
}

/** Enqueues delivery jobs to one destination; a job whose id exists already is left as it is. */
export async function enqueueDelivery(queues: QueueSet, channelId: string, destinationId: string, jobs: QueuedIds[], policy: RetryPolicy): Promise<void> {
  if (!jobs.length) return;
  await queues.deliver(channelId, destinationId).addBulk(jobs.map((j) => ({ name: 'deliver', data: { messageIds: j.messageIds, destinationId }, opts: { ...deliverJobOptions(policy), jobId: j.jobId } })));
}
