import { describe, expect, it } from 'vitest';
import { backoffDelay, byJob, deliverBatchJobId, deliverJobId, messageIdsOf, processJobId } from './queues.js';

describe('backoffDelay', () => {
  const policy = { initialDelayMs: 1000, maxDelayMs: 300_000 };
  it('doubles per attempt with jitter in [exp/2, exp]', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 1)).toBe(1000);
    expect(backoffDelay(4, policy, () => 0)).toBe(4000);
    expect(backoffDelay(4, policy, () => 1)).toBe(8000);
  });
  it('is capped by maxDelayMs', () => {
    expect(backoffDelay(30, policy, () => 1)).toBe(300_000);
    expect(backoffDelay(30, policy, () => 0)).toBe(150_000);
  });
});

describe('job ids', () => {
  it('names a delivery batch after its first message, and a single message after itself', () => {
    expect(deliverBatchJobId(['a'], 'out')).toBe(deliverJobId('a', 'out'));
    expect(deliverBatchJobId(['a', 'b'], 'out')).toBe('db-a-out');
  });
  it('groups messages by the job the store names, in order; null is their own job', () => {
    expect(byJob([{ id: 'a', jobId: 'pb-a' }, { id: 'x', jobId: null }, { id: 'b', jobId: 'pb-a' }], processJobId)).toEqual([
      { jobId: 'pb-a', messageIds: ['a', 'b'] },
      { jobId: 'p-x', messageIds: ['x'] },
    ]);
  });
  it('reads the job data written before batches', () => {
    expect(messageIdsOf({ messageId: 'a' })).toEqual(['a']);
    expect(messageIdsOf({ messageIds: ['a', 'b'] })).toEqual(['a', 'b']);
  });
});
