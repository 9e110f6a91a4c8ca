import type { QueueSet } from './queues.js';
import { deliverJobId, deliverJobOptions, PROCESS_JOB, processJobId } from './queues.js';
import type { RetryPolicy } from '../engine/channel-schema.js';

/** Enqueues processing; the job id makes a second call for the same message a no-op while the job exists. */
export async function enqueueProcess(queues: QueueSet, channelId: string, messageIds: string[]): Promise<void> {
  if (!messageIds.length) return;
  await queues.process(channelId).addBulk(messageIds.map((messageId) => ({ name: 'process', data: { messageId }, opts: { ...PROCESS_JOB, jobId: processJobId(messageId) } })));
}

export async function enqueueDelivery(queues: QueueSet, channelId: string, messageId: string, destinationId: string, policy: RetryPolicy): Promise<void> {
  await queues.deliver(channelId, destinationId).add('deliver', { messageId, destinationId }, { ...deliverJobOptions(policy), jobId: deliverJobId(messageId, destinationId) });
}
