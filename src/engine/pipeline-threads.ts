import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { MappingContext } from './define.js';
import type { Issue } from './issues.js';
import type { CompiledChannel } from './pipeline.js';
import type { PipelineOutcome, PipelineRunner, PipelineThrew } from './pipeline-runner.js';
import { fromWire, toWire, type ThreadReply, type ThreadRequest } from './pipeline-wire.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A worker thread running pipeline-thread: the compiled .js in production; from the .ts source (tests, `tsx`), a
 * small bootstrap registers tsx's loader in the thread first (a loader given in execArgv does not reach threads).
 */
function startThread(workerData: unknown): Worker {
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--cpu-prof')); // profiling is the parent's business
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./pipeline-thread.js', import.meta.url), { workerData, execArgv });
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json').replace(/package\.json$/, 'dist/esm/api/index.mjs')).href;
  const entry = new URL('./pipeline-thread.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv });
}

class PipelineThread {
  private worker?: Worker;
  private ready?: Promise<void>;
  private readonly pending = new Map<number, { resolve: (r: ThreadReply) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  constructor(
    private readonly channelsDir: string,
    private readonly logger: Logger,
  ) {}

  get load(): number {
    return this.pending.size;
  }

  /** Starts the thread and waits until it has read the channel files. */
  start(): Promise<void> {
    if (!this.worker) this.spawn();
    return this.ready!;
  }

  /** Sends a request, starting the thread (again, after a crash) when needed. */
  async request(req: DistributiveOmit<ThreadRequest, 'id'>, transfer: ArrayBuffer[]): Promise<ThreadReply> {
    await this.start();
    const w = this.worker!;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        w.postMessage({ ...req, id }, transfer);
      } catch (e) {
        // a value that cannot cross to the thread: this request fails, the thread goes on
        this.pending.delete(id);
        reject(e as Error);
      }
    });
  }

  private spawn(): Worker {
    const w = startThread({ channelsDir: this.channelsDir });
    let started!: () => void;
    let failed!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    w.on('message', (reply: ThreadReply) => {
      if ('ready' in reply) return started();
      const p = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      p?.resolve(reply);
    });
    const fail = (e: Error) => {
      failed(e);
      if (this.worker !== w) return;
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    w.on('error', (e) => {
      this.logger.error({ err: e.message }, 'pipeline thread failed; its messages stay received and are processed again');
      fail(e);
    });
    w.on('exit', (code) => fail(new Error(`pipeline thread exited with code ${code}`)));
    this.worker = w;
    return w;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
  }
}

/**
 * Pipelines in worker threads, so that CPU-heavy steps (FR Core validation, XSD, Schematron: up to hundreds of ms
 * for a CDA document) never stall the main thread, which keeps the sockets, queues, acknowledgements and store writes.
 * Channels are compiled again inside each thread from the same files and environment (the built-in registry only).
 * A batch goes to the least busy thread in one message; bytes are transferred, not copied twice.
 */
export class PipelineThreads implements PipelineRunner {
  private readonly threads: PipelineThread[];

  private constructor(channelsDir: string, count: number, logger: Logger) {
    this.threads = Array.from({ length: count }, () => new PipelineThread(channelsDir, logger));
  }

  /** Starts `count` threads; fails when one cannot read the channel files. */
  static async start(channelsDir: string, count: number, logger: Logger): Promise<PipelineThreads> {
    const p = new PipelineThreads(channelsDir, count, logger);
    try {
      await Promise.all(p.threads.map((t) => t.start()));
    } catch (e) {
      await p.close();
      throw new Error(`pipeline threads did not start: ${(e as Error).message}`);
    }
    return p;
  }

  private pick(): PipelineThread {
    return this.threads.reduce((a, b) => (b.load < a.load ? b : a));
  }

  async run(ch: CompiledChannel, items: { raw: Buffer; ctx: MappingContext }[]): Promise<(PipelineOutcome | PipelineThrew)[]> {
    if (!items.length) return [];
    const wire = items.map((it) => ({ raw: toWire(it.raw), ctx: it.ctx }));
    const reply = await this.pick().request({ kind: 'run', channelId: ch.config.id, items: wire }, wire.map((w) => w.raw.buffer as ArrayBuffer));
    if ('error' in reply) throw new Error(`pipeline thread: ${reply.error}`);
    if (!('results' in reply)) throw new Error('pipeline thread: unexpected reply');
    for (const r of reply.results) if (!('threw' in r)) for (const s of r.snapshots) s.content = fromWire(s.content);
    return reply.results;
  }

  async check(ch: CompiledChannel, raw: Buffer, ctx: MappingContext): Promise<Issue[]> {
    const w = toWire(raw);
    const reply = await this.pick().request({ kind: 'check', channelId: ch.config.id, raw: w, ctx }, [w.buffer as ArrayBuffer]);
    if ('error' in reply) throw new Error(`pipeline thread: ${reply.error}`);
    if (!('issues' in reply)) throw new Error('pipeline thread: unexpected reply');
    return reply.issues;
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.close()));
  }
}
