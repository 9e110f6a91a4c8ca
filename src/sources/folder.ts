import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { defineSource, type SourceContext } from '../engine/define.js';
import { error } from '../engine/issues.js';
import { globToRegExp, isSafeFileName } from './glob.js';

const options = z.object({
  path: z.string().describe('folder to watch (inbox), relative to the channel file'),
  pattern: z.string().default('*').describe('file-name glob, e.g. "*.csv"'),
  pollIntervalMs: z.number().int().min(50).default(1000),
  stableMs: z.number().int().min(0).default(2000).describe('a file is taken once its size and mtime have not changed for this long'),
  maxBytes: z.number().int().min(1).default(100 * 1024 * 1024).describe('larger files go to the error folder'),
  archivePath: z.string().optional().describe('default: <path>/archive (then YYYY/MM/)'),
  errorPath: z.string().optional().describe('default: <path>/error'),
  contentType: z.string().default('application/octet-stream'),
});
type Options = z.infer<typeof options>;

interface Seen {
  size: number;
  mtimeMs: number;
  since: number;
}

async function moveUnique(from: string, dir: string, name: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  for (let i = 0; ; i++) {
    const target = path.join(dir, i === 0 ? name : `${name}.${i}`);
    try {
      await fs.link(from, target); // fails if the target exists: never overwrite an archived file
      await fs.unlink(from);
      return target;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/**
 * Watches a local folder. A stable file is claimed by atomic rename into `<path>/.processing/`, stored and enqueued,
 * and only then archived to `archive/YYYY/MM/`. Unreadable or oversize files are stored as rejected messages and moved
 * to `error/` with a `.error.txt` beside them. A crash leaves files in `.processing/`, which are taken again first
 * (the store's content hash makes that idempotent).
 */
class FolderWatcher {
  private readonly seen = new Map<string, Seen>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private readonly inbox: string;
  private readonly processing: string;
  private readonly archive: string;
  private readonly errors: string;
  private readonly match: RegExp;

  constructor(
    private readonly o: Options,
    private readonly ctx: SourceContext,
  ) {
    this.inbox = path.resolve(ctx.baseDir, o.path);
    this.processing = path.join(this.inbox, '.processing');
    this.archive = path.resolve(ctx.baseDir, o.archivePath ?? path.join(this.inbox, 'archive'));
    this.errors = path.resolve(ctx.baseDir, o.errorPath ?? path.join(this.inbox, 'error'));
    this.match = globToRegExp(o.pattern);
  }

  async start(): Promise<void> {
    await fs.mkdir(this.processing, { recursive: true });
    this.ctx.logger.info({ inbox: this.inbox }, 'watching folder');
    this.schedule(0);
  }

  private schedule(ms: number) {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll()
        .catch((e: unknown) => this.ctx.logger.error({ err: (e as Error).message, channel: this.ctx.channelId }, 'folder poll failed'))
        .finally(() => this.schedule(this.o.pollIntervalMs));
    }, ms);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async poll(): Promise<void> {
    // files claimed before a crash first, then the inbox
    for (const name of (await fs.readdir(this.processing)).sort()) {
      if (this.stopped) return;
      if (isSafeFileName(name)) await this.take(path.join(this.processing, name), name);
    }
    const now = Date.now();
    const entries = await fs.readdir(this.inbox, { withFileTypes: true });
    const present = new Set<string>();
    for (const ent of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (this.stopped) return;
      if (!ent.isFile() || !this.match.test(ent.name)) continue;
      if (!isSafeFileName(ent.name)) {
        this.ctx.logger.warn({ channel: this.ctx.channelId }, 'skipped a file with an unsafe name');
        continue;
      }
      present.add(ent.name);
      const file = path.join(this.inbox, ent.name);
      const st = await fs.stat(file).catch(() => undefined);
      if (!st) continue;
      const prev = this.seen.get(ent.name);
      if (!prev || prev.size !== st.size || prev.mtimeMs !== st.mtimeMs) {
        this.seen.set(ent.name, { size: st.size, mtimeMs: st.mtimeMs, since: now });
        if (this.o.stableMs > 0) continue;
      } else if (now - prev.since < this.o.stableMs) continue;
      const claimed = path.join(this.processing, ent.name);
      try {
        await fs.rename(file, claimed); // atomic claim: another instance that lost the race gets ENOENT
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      this.seen.delete(ent.name);
      await this.take(claimed, ent.name);
    }
    for (const name of this.seen.keys()) if (!present.has(name)) this.seen.delete(name);
  }

  private async take(file: string, name: string): Promise<void> {
    const st = await fs.stat(file);
    if (st.size > this.o.maxBytes) {
      const issues = [error('FILE_TOO_LARGE', `file is ${st.size} bytes, over the ${this.o.maxBytes}-byte limit`)];
      const head = Buffer.alloc(0);
      const r = await this.ctx.reject({ content: head, sourceRef: name, dedupKey: `oversize:${name}:${st.size}:${st.mtimeMs}` }, issues);
      await this.toError(file, name, `${issues[0]!.message}\nmessage id: ${r.messageId}\n`);
      return;
    }
    const content = await fs.readFile(file);
    // stored and enqueued before the file leaves .processing/: a crash here means the file is taken again
    const r = await this.ctx.receive({ content, sourceRef: name, contentType: this.o.contentType });
    const d = new Date();
    await moveUnique(file, path.join(this.archive, String(d.getUTCFullYear()), String(d.getUTCMonth() + 1).padStart(2, '0')), name);
    this.ctx.logger.info({ channel: this.ctx.channelId, messageId: r.messageId, duplicate: r.duplicate }, r.duplicate ? 'duplicate file archived' : 'file received');
  }

  private async toError(file: string, name: string, why: string): Promise<void> {
    const target = await moveUnique(file, this.errors, name);
    await fs.writeFile(`${target}.error.txt`, why);
  }
}

export const folderSource = defineSource({
  type: 'folder',
  description: 'Local folder drop: claim stable files atomically, archive or error folder afterwards',
  options,
  claims: (o, baseDir) => [`folder ${path.resolve(baseDir, o.path)}`],
  async start(o, ctx) {
    const w = new FolderWatcher(o, ctx);
    await w.start();
    return { stop: () => w.stop() };
  },
});
