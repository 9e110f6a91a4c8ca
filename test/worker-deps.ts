import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { inject } from 'vitest';
import { inThreadRunner, type PipelineRunner } from '../src/engine/pipeline-runner.js';
import { openPglite } from '../src/store/db.js';
import { MessageStore } from '../src/store/message-store.js';
import { Metrics } from '../src/monitor/metrics.js';
import { createQueueSet } from '../src/queue/queues.js';
import type { WorkerDeps } from '../src/queue/deps.js';

export type TestWorkerDeps = WorkerDeps & { close(): Promise<void> };

/**
 * What the workers need, for their integration tests: a PGlite store of its own, queues named after the test on the
 * test Redis, silent logs. `close()` empties and closes the queues, then Redis and the store.
 */
export async function openTestWorkerDeps(name: string, pipelines: PipelineRunner = inThreadRunner): Promise<TestWorkerDeps> {
  const store = await MessageStore.open(await openPglite(fs.mkdtempSync(path.join(os.tmpdir(), `relais-${name}-`))));
  const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
  const prefix = `${name}${process.pid}`;
  const queues = createQueueSet(redis, prefix);
  return {
    store,
    queues,
    metrics: new Metrics(() => queues.all()),
    logger: pino({ level: 'silent' }),
    connection: redis,
    prefix,
    pipelines,
    async close() {
      await Promise.all(queues.all().map((q) => q.obliterate({ force: true })));
      await queues.close();
      await redis.quit();
      await store.close();
    },
  };
}
