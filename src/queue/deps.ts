import type { ConnectionOptions } from 'bullmq';
import type { Logger } from 'pino';
import type { MessageStore } from '../store/message-store.js';
import type { Metrics } from '../monitor/metrics.js';
import type { QueueSet } from './queues.js';
import type { PipelineRunner } from '../engine/pipeline-runner.js';

/** What every worker needs; built once by the engine. */
export interface WorkerDeps {
  store: MessageStore;
  queues: QueueSet;
  metrics: Metrics;
  logger: Logger;
  /** Where pipelines run: worker threads, or this thread. */
  pipelines: PipelineRunner;
  connection: ConnectionOptions;
  prefix: string;
}
