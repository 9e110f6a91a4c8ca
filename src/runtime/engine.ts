import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { RawMessage, ReceiveResult, RunningSource, Sender, SourceContext } from '../engine/define.js';
import { formatIssue, hasErrors } from '../engine/issues.js';
import { loadChannels } from '../engine/channel-loader.js';
import { compileChannel, type CompiledChannel } from '../engine/pipeline.js';
import { inThreadRunner, type PipelineRunner } from '../engine/pipeline-runner.js';
import { PipelineThreads } from '../engine/pipeline-threads.js';
import { registry as defaultRegistry, sourceOf, type Registry } from '../engine/registry.js';
import { startEmbeddedRedis, type EmbeddedRedis } from '../infra/embedded-redis.js';
import { openDb } from '../store/db.js';
import { MessageStore } from '../store/message-store.js';
import { byJob, createQueueSet, deliverJobId, processJobId, type QueueSet } from '../queue/queues.js';
import { enqueueDelivery, enqueuePendingDeliveries, enqueueProcess } from '../queue/enqueue.js';
import { startProcessWorker } from '../queue/process.worker.js';
import { retryPolicyOf } from '../queue/outcomes.js';
import { startDeliverWorker } from '../queue/deliver.worker.js';
import { RedisLocks } from '../queue/redis-lock.js';
import type { WorkerDeps } from '../queue/deps.js';
import { Metrics } from '../monitor/metrics.js';
import { createLogger } from '../monitor/logger.js';
import { buildHttpServer } from '../monitor/http.js';
import { runtimeInfoPath, type EngineConfig, type RuntimeInfo } from './config.js';
import type { ReplayTarget } from './replay.js';

/**
 * The composition root: loads channels, opens the store and the queues, starts workers then sources, and stops
 * them in the reverse order. Knows no connector by name: everything comes from the registry.
 */
export class Engine {
  private readonly sources: RunningSource[] = [];
  private readonly workers: Worker[] = [];
  private readonly senders: Sender[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private http?: FastifyInstance;
  private redisChild?: EmbeddedRedis;
  private redis?: Redis;
  private locks?: RedisLocks;
  private stopping?: Promise<void>;
  adminUrl = '';

  private constructor(
    readonly config: EngineConfig,
    readonly logger: Logger,
    readonly store: MessageStore,
    readonly queues: QueueSet,
    readonly metrics: Metrics,
    readonly channels: CompiledChannel[],
    readonly pipelines: PipelineRunner,
  ) {}

  static async start(config: EngineConfig, opts: { logger?: Logger; registry?: Registry } = {}): Promise<Engine> {
    const logger = opts.logger ?? createLogger();
    const reg = opts.registry ?? defaultRegistry;
    const loaded = loadChannels(config.channelsDir, reg);
    for (const i of loaded.issues) logger[i.severity === 'error' ? 'error' : 'warn']({ code: i.code, path: i.path }, i.message);
    if (hasErrors(loaded.issues)) throw new Error(`channel files have errors:\n${loaded.issues.map(formatIssue).join('\n')}`);
    fs.mkdirSync(config.dataDir, { recursive: true });
    // worker threads compile channels with the built-in registry; a custom one (tests, embedding) keeps them here
    const pipelines = config.pipelineThreads > 0 && reg === defaultRegistry ? await PipelineThreads.start(config.channelsDir, config.pipelineThreads, logger) : inThreadRunner;

    // what is open so far is closed again if a later step fails, so that a failed start never leaves the process hanging
    const opened: (() => Promise<unknown>)[] = [() => pipelines.close()];
    let engine: Engine;
    let redisUrl = config.redisUrl;
    try {
      let redisChild: EmbeddedRedis | undefined;
      if (!redisUrl) {
        const child = (redisChild = await startEmbeddedRedis(path.join(config.dataDir, 'redis')));
        opened.push(() => child.stop());
        redisUrl = redisChild.url;
        logger.info({ port: redisChild.port }, 'started embedded redis-server (AOF, noeviction)');
      }
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
      opened.push(async () => redis.disconnect());
      const store = await MessageStore.open(await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
      opened.push(() => store.close());
      logger.info({ store: store.db.kind }, 'message store open');
      const queues = createQueueSet(redis, config.queuePrefix);
      opened.push(() => queues.close());
      const metrics = new Metrics(() => queues.all());
      const channels = await Promise.all(loaded.channels.filter((c) => c.config.enabled).map((c) => compileChannel(c, reg)));
      engine = new Engine(config, logger, store, queues, metrics, channels, pipelines);
      engine.redisChild = redisChild;
      engine.redis = redis;
      engine.locks = new RedisLocks(redis, `${config.queuePrefix}:lock`, logger);
    } catch (e) {
      for (const close of opened.reverse()) await close().catch(() => undefined);
      throw e;
    }
    try {
      await engine.run(reg, redisUrl!);
    } catch (e) {
      await engine.stop();
      throw e;
    }
    return engine;
  }

  private deps(): WorkerDeps {
    return { store: this.store, queues: this.queues, metrics: this.metrics, logger: this.logger, connection: this.redis!, prefix: this.config.queuePrefix, pipelines: this.pipelines };
  }

  readonly replayTarget: ReplayTarget = {
    process: (channelId, id) => enqueueProcess(this.queues, channelId, [{ jobId: processJobId(id), messageIds: [id] }]),
    deliver: async (channelId, id, dest) => {
      const ch = this.channels.find((c) => c.config.id === channelId);
      if (!ch) throw new Error(`channel ${channelId} is not running`);
      await enqueueDelivery(this.queues, channelId, dest, [{ jobId: deliverJobId(id, dest), messageIds: [id] }], retryPolicyOf(ch, dest));
    },
  };

  private async run(reg: Registry, redisUrl: string): Promise<void> {
    const deps = this.deps();
    // consumers first, so nothing a source stores waits for a worker that never starts
    for (const ch of this.channels) {
      for (const d of ch.destinations) {
        const sender = await d.def.createSender(d.config, { channelId: ch.config.id, destinationId: d.config.id, baseDir: ch.baseDir, dataDir: this.config.dataDir, logger: this.logger });
        this.senders.push(sender);
        this.workers.push(startDeliverWorker(ch, d.config.id, sender, deps));
      }
      this.workers.push(startProcessWorker(ch, deps));
    }
    await this.sweep();
    this.timers.push(setInterval(() => void this.sweep().catch((e: Error) => this.logger.error({ err: e.message }, 'recovery sweep failed')), this.config.sweepIntervalMs));
    this.timers.push(setInterval(() => void this.retention().catch((e: Error) => this.logger.error({ err: e.message }, 'retention failed')), this.config.retentionIntervalMs));
    await this.startHttp();
    for (const ch of this.channels) {
      const def = sourceOf(reg, ch.config.source.type);
      this.sources.push(await def.start(ch.config.source, this.sourceContext(ch)));
      this.logger.info({ channel: ch.config.id, source: def.type }, 'channel started');
    }
    const info: RuntimeInfo = { pid: process.pid, adminUrl: this.adminUrl, redisUrl, startedAt: new Date().toISOString() };
    fs.writeFileSync(runtimeInfoPath(this.config.dataDir), JSON.stringify(info, null, 2));
  }

  private sourceContext(ch: CompiledChannel): SourceContext {
    const channelId = ch.config.id;
    return {
      channelId,
      logger: this.logger.child({ channel: channelId }),
      dataDir: this.config.dataDir,
      baseDir: ch.baseDir,
      receive: (raw) => this.receive(channelId, raw),
      reject: async (raw, issues) => {
        const r = await this.store.receive(channelId, raw, { status: 'rejected', issues });
        this.metrics.received.inc({ channel: channelId, outcome: 'rejected' });
        return { messageId: r.id, duplicate: r.duplicate, ...(r.duplicate ? { sameContent: r.sameContent } : {}) };
      },
      check: (raw) => this.pipelines.check(ch, raw.content, { channelId, messageId: 'check', receivedAt: new Date() }),
      lock: (name, ttlMs) => this.locks!.acquire(name, ttlMs),
      messageStatus: async (id) => {
        const m = await this.store.get(id);
        if (!m || m.channel_id !== channelId) return undefined;
        return { messageId: m.id, status: m.status, issues: m.issues, receivedAt: m.received_at, updatedAt: m.updated_at, contentHash: m.content_hash, sourceMessageId: m.source_message_id ?? undefined };
      },
    };
  }

  /** What every source calls: stored durably, then enqueued; only then may the source acknowledge its sender. */
  async receive(channelId: string, raw: RawMessage): Promise<ReceiveResult> {
    const r = await this.store.receive(channelId, raw);
    if (r.status === 'received') await enqueueProcess(this.queues, channelId, [{ jobId: processJobId(r.id), messageIds: [r.id] }]);
    this.metrics.received.inc({ channel: channelId, outcome: r.duplicate ? 'duplicate' : 'stored' });
    return { messageId: r.id, duplicate: r.duplicate, ...(r.duplicate ? { sameContent: r.sameContent } : {}) };
  }

  /**
   * Re-enqueues what the store says is unfinished: messages stored but never processed, deliveries pending without a
   * job (the engine died in between). Each is re-added under the job id the store names for it, a no-op while that
   * job exists, so this runs at start and periodically without queueing anything twice.
   */
  async sweep(): Promise<void> {
    for (const ch of this.channels) {
      const waiting = await this.store.waitingForProcessing(ch.config.id);
      await enqueueProcess(this.queues, ch.config.id, byJob(waiting.map((w) => ({ id: w.id, jobId: w.job_id })), processJobId));
      await enqueuePendingDeliveries(this.queues, ch.config.id, await this.store.pendingDeliveries(ch.config.id), (dest) => retryPolicyOf(ch, dest));
    }
  }

  private async retention(): Promise<void> {
    for (const ch of this.channels) {
      const n = await this.store.purge(ch.config.id, ch.config.retentionDays);
      if (n) this.logger.info({ channel: ch.config.id, purged: n }, 'retention');
    }
  }

  private async startHttp(): Promise<void> {
    const loopback = ['127.0.0.1', '::1', 'localhost'].includes(this.config.httpHost);
    if (!loopback && !this.config.adminToken) throw new Error('RELAIS_ADMIN_TOKEN is required when the HTTP server listens beyond loopback');
    this.http = buildHttpServer({
      store: this.store,
      metrics: this.metrics,
      adminToken: this.config.adminToken,
      replay: this.replayTarget,
      channels: () => this.channels.map((c) => ({ id: c.config.id, description: c.config.description, source: c.config.source.type, destinations: c.config.route.map((d) => d.id) })),
      checks: async () => ({
        redis: await this.redis!.ping().then((p) => p === 'PONG', () => false),
        store: await this.store.db.query('select 1').then(() => true, () => false),
      }),
    });
    this.adminUrl = await this.http.listen({ host: this.config.httpHost, port: this.config.httpPort });
    this.logger.info({ url: this.adminUrl }, 'monitoring and admin API listening');
  }

  /** Graceful shutdown: stop sources, drain workers, close queues and senders, close the store, stop redis. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const t of this.timers) clearInterval(t);
      await Promise.allSettled(this.sources.map((s) => s.stop()));
      await Promise.allSettled(this.workers.map((w) => w.close()));
      await this.pipelines.close();
      await this.queues.close();
      await Promise.allSettled(this.senders.map((s) => s.close()));
      await this.http?.close();
      await this.store.close();
      await this.redis?.quit().catch(() => undefined);
      await this.redisChild?.stop();
      fs.rmSync(runtimeInfoPath(this.config.dataDir), { force: true });
      this.logger.info('engine stopped');
    })();
    return this.stopping;
  }
}
