import type { QueueSet, QueuedIds } from './queues.js';
import { deliverJobOptions, PROCESS_JOB } from './queues.js';
import type { RetryPolicy } from '../engine/channel-schema.js';

/** Enqueues processing jobs; a job whose id exists already is left as it is (see `processJobId`). */
export async function enqueueProcess(queues: QueueSet, channelId: string, jobs: QueuedIds[]): Promise<void> {
  if (!jobs.length) return;
  await queues.process(channelId).addBulk(jobs.map((j) => ({ name: 'process', data: { messageIds: j.messageIds }, opts: { ...PROCESS_JOB, jobId: j.jobId } })));
}

/** Enqueues delivery jobs to one destination; a job whose id exists already is left as it is. */
export async function enqueueDelivery(queues: QueueSet, channelId: string, destinationId: string, jobs: QueuedIds[], policy: RetryPolicy): Promise<void> {
  if (!jobs.length) return;
  await queues.deliver(channelId, destinationId).addBulk(jobs.map((j) => ({ name: 'deliver', data: { messageIds: j.messageIds, destinationId }, opts: { ...deliverJobOptions(policy), jobId: j.jobId } })));
}
