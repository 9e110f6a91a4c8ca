import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createQueueSet, type QueueSet } from './queues.js';
import { enqueueDelivery, enqueueProcess } from './enqueue.js';

/** The sweep re-adds the job the store names; while that job exists, adding it again changes nothing. */
describe('enqueue (real Redis)', () => {
  let redis: Redis;
  let queues: QueueSet;
  beforeAll(() => {
    redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    queues = createQueueSet(redis, `enq${process.pid}`);
  });
  afterAll(async () => {
    await Promise.all(queues.all().map((q) => q.obliterate({ force: true })));
    await queues.close();
    await redis.quit();
  });

  it('adds a batch job once, however often it is added again', async () => {
    await enqueueProcess(queues, 'ch', [{ jobId: 'pb-a', messageIds: ['a', 'b', 'c'] }]);
    await enqueueProcess(queues, 'ch', [{ jobId: 'pb-a', messageIds: ['b', 'c'] }, { jobId: 'p-x', messageIds: ['x'] }]);
    const jobs = await queues.process('ch').getJobs(['waiting']);
    expect(jobs.map((j) => [j.id, j.data.messageIds]).sort()).toEqual([['p-x', ['x']], ['pb-a', ['a', 'b', 'c']]]);
    const policy = { attempts: 3, initialDelayMs: 10, maxDelayMs: 100, maxAgeMs: 60_000 };
    await enqueueDelivery(queues, 'ch', 'out', [{ jobId: 'db-a-out', messageIds: ['a', 'b'] }], policy);
    await enqueueDelivery(queues, 'ch', 'out', [{ jobId: 'db-a-out', messageIds: ['b'] }], policy);
    const deliveries = await queues.deliver('ch', 'out').getJobs(['waiting']);
    expect(deliveries.map((j) => [j.id, j.data])).toEqual([['db-a-out', { messageIds: ['a', 'b'], destinationId: 'out' }]]);
  });
});
