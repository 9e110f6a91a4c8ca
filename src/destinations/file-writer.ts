import { Worker } from 'node:worker_threads';
import { toWire } from '../engine/pipeline-wire.js';

/**
 * The writer thread. It takes the requests that arrived since its last turn and writes them as one group: each file
 * to its temporary name, then every file synced (fdatasync, all at once), then renamed to its final name, then each
 * folder synced so that the new names survive a crash. A file's write is answered only after its folder's sync; a
 * failed one leaves no temporary file. Up to four groups are in flight (their syncs wait on the disk together); a
 * target already being written waits for that group, so that two writes of one target land in the order they were
 * asked for. Plain CommonJS with built-in modules only, so that it runs the same under tsx, vitest and the build.
 */
const WRITER_THREAD = String.raw`
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC;
const MAX_GROUPS = 4;
let queue = [];
let scheduled = false;
let groups = 0;
const writing = new Set(); // targets of the groups in flight
parentPort.on('message', (reqs) => {
  for (const r of reqs) queue.push(r);
  if (!scheduled) (scheduled = true), setImmediate(() => ((scheduled = false), next()));
});
function next() {
  if (groups >= MAX_GROUPS || !queue.length) return;
  // a target being written waits for its group: two writes of one target land in the order they were asked for
  const group = [];
  const later = [];
  const taken = new Set();
  for (const r of queue) (writing.has(r.target) || taken.has(r.target) ? later : (taken.add(r.target), group)).push(r);
  queue = later;
  if (!group.length) return;
  groups++;
  for (const r of group) writing.add(r.target);
  writeGroup(group).then((replies) => {
    parentPort.postMessage(replies);
    for (const r of group) writing.delete(r.target);
    groups--;
    next();
  });
  next();
}
function failure(e) {
  return { message: e && e.message ? e.message : String(e), code: e && e.code };
}
function discard(tmp) {
  try { fs.unlinkSync(tmp); } catch {}
}
const fdatasync = (fd) => new Promise((resolve) => fs.fdatasync(fd, (e) => resolve(e)));
async function writeGroup(group) {
  const replies = [];
  const open = [];
  for (const r of group) {
    let fd;
    try {
      fd = fs.openSync(r.tmp, FLAGS, 0o644);
      let at = 0;
      while (at < r.content.length) at += fs.writeSync(fd, r.content, at);
      open.push({ r, fd });
    } catch (e) {
      if (fd !== undefined) fs.closeSync(fd), discard(r.tmp);
      replies.push({ id: r.id, error: failure(e) });
    }
  }
  // all at once: the file system commits the syncs that wait together in one journal transaction
  const synced = await Promise.all(open.map(({ fd }) => fdatasync(fd)));
  const written = [];
  open.forEach(({ r, fd }, i) => {
    try { fs.closeSync(fd); } catch {}
    if (synced[i]) discard(r.tmp), replies.push({ id: r.id, error: failure(synced[i]) });
    else written.push(r);
  });
  const renamed = [];
  for (const r of written) {
    try {
      fs.renameSync(r.tmp, r.target);
      renamed.push(r);
    } catch (e) {
      discard(r.tmp);
      replies.push({ id: r.id, error: failure(e) });
    }
  }
  const dirs = new Map();
  for (const r of renamed) {
    const dir = path.dirname(r.target);
    if (!dirs.has(dir)) {
      let error;
      try {
        const fd = fs.openSync(dir, fs.constants.O_RDONLY);
        try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
      } catch (e) {
        error = failure(e);
      }
      dirs.set(dir, error);
    }
    const error = dirs.get(dir);
    replies.push(error ? { id: r.id, error } : { id: r.id });
  }
  return replies;
}
`;

interface Reply {
  id: number;
  error?: { message: string; code?: string };
}

/**
 * Durable, atomic file writes for the file destination, grouped in a thread of their own. Writing a file the usual
 * way (open, write, close, rename through fs/promises) takes four trips through libuv's thread pool, each waking a
 * pool thread and then the event loop. Here the writes asked for in one turn of the event loop travel to the thread
 * in one message and come back in one, and the writes that arrive together share their syncs (one folder sync per
 * group, one journal commit for the group on most file systems). The thread starts on the first write and again
 * after a crash (the writes it held fail, and are retried by the delivery queue like any failed send).
 */
export class FileWriter {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed = false;
  /** Writes asked for during this turn of the event loop, posted together at its end (one message for all). */
  private outbox: { id: number; tmp: string; target: string; content: Uint8Array }[] = [];

  /**
   * Writes `content` to `target` through a temporary name of its own in the same folder (so two writes of one target
   * never share it): resolves once both the data and the name are durable.
   */
  write(target: string, content: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('file writer closed'));
    const id = this.nextId++;
    const tmp = `${target}.${process.pid}-${id}.tmp`;
    const bytes = toWire(content);
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (!this.outbox.length) queueMicrotask(() => this.post());
      this.outbox.push({ id, tmp, target, content: bytes });
    });
  }

  private post(): void {
    const reqs = this.outbox;
    this.outbox = [];
    if (this.closed) return; // close() has failed them
    this.thread().postMessage(reqs, reqs.map((r) => r.content.buffer as ArrayBuffer));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.outbox = [];
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
    this.failAll(new Error('file writer closed'));
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WRITER_THREAD, { eval: true });
    w.on('message', (replies: Reply[]) => {
      for (const r of replies) {
        const p = this.pending.get(r.id);
        if (!p) continue;
        this.pending.delete(r.id);
        if (r.error) p.reject(Object.assign(new Error(r.error.message), { code: r.error.code }));
        else p.resolve();
      }
    });
    const gone = (e: Error) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.failAll(e);
    };
    w.on('error', (e) => gone(new Error(`file writer thread failed: ${e.message}`)));
    w.on('exit', (code) => gone(new Error(`file writer thread exited (${code})`)));
    this.worker = w;
    return w;
  }

  private failAll(e: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }
}
