import path from 'node:path';
import type { SFTPWrapper, Stats } from 'ssh2';

/** SFTP status codes (draft-ietf-secsh-filexfer-02) that the source tells apart. */
export const SFTP_STATUS = { EOF: 1, NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4 } as const;

export interface RemoteEntry {
  name: string;
  kind: 'file' | 'dir' | 'link' | 'other';
  size: number;
  /** Modification time, whole seconds since the epoch (SFTP v3 precision). */
  mtime: number;
}

/**
 * The server answered one request with an error status: a problem with that file or folder, the session is fine.
 * Messages never carry file names (they end up in logs); callers add context where it is stored, not logged.
 */
export class RemoteFileError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteFileError';
  }
  get missing(): boolean {
    return this.status === SFTP_STATUS.NO_SUCH_FILE;
  }
}

/** The session is gone (closed, reset, keepalive or request timeout): whatever was in flight did not happen. */
export class ConnectionLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

/** The file changed while it was read (a sender still writing after the claim): read it again later. */
export class FileChangedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileChangedError';
  }
}

export class FileTooLargeError extends Error {
  constructor(readonly size: number, readonly limit: number) {
    super(`file is ${size} bytes, over the ${limit}-byte limit`);
    this.name = 'FileTooLargeError';
  }
}

const kindOf = (s: Stats): RemoteEntry['kind'] => (s.isFile() ? 'file' : s.isDirectory() ? 'dir' : s.isSymbolicLink() ? 'link' : 'other');

export type MoveResult = 'moved' | 'source-missing' | 'target-exists';

export interface DownloadOptions {
  chunkSize: number;
  concurrency: number;
  maxBytes: number;
}

/**
 * Promise-based file operations on one SFTP session, each bounded by a timeout and abandoned at once when the
 * session closes (ssh2 does not always call back then). Server status errors become `RemoteFileError`, anything else
 * `ConnectionLostError`.
 */
export class RemoteFs {
  constructor(
    private readonly sftp: SFTPWrapper,
    /** Aborted when the session closes. */
    private readonly closed: AbortSignal,
    private readonly timeoutMs: number,
    /** Called when a request times out: the session is then considered dead and dropped. */
    private readonly onTimeout: (what: string) => void,
  ) {}

  get alive(): boolean {
    return !this.closed.aborted;
  }

  private op<T>(what: string, run: (done: (err: (Error & { code?: unknown }) | null | undefined, value?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed.aborted) return reject(new ConnectionLostError(`${what}: connection closed`));
      let settled = false;
      const finish = (f: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.closed.removeEventListener('abort', onClose);
        f();
      };
      const onClose = () => finish(() => reject(new ConnectionLostError(`${what}: connection closed`)));
      const timer = setTimeout(() => {
        finish(() => reject(new ConnectionLostError(`${what}: no answer within ${this.timeoutMs} ms`)));
        this.onTimeout(what);
      }, this.timeoutMs);
      this.closed.addEventListener('abort', onClose, { once: true });
      try {
        run((err, value) =>
          finish(() => {
            if (!err) return resolve(value as T);
            if (typeof err.code === 'number') return reject(new RemoteFileError(err.code, `${what}: ${err.message}`));
            reject(new ConnectionLostError(`${what}: ${err.message}`));
          }),
        );
      } catch (e) {
        finish(() => reject(new ConnectionLostError(`${what}: ${(e as Error).message}`)));
      }
    });
  }

  async list(dir: string): Promise<RemoteEntry[]> {
    const entries = await this.op<{ filename: string; attrs: Stats }[]>('list folder', (done) => this.sftp.readdir(dir, done));
    return entries
      .filter((e) => e.filename !== '.' && e.filename !== '..')
      .map((e) => ({ name: e.filename, kind: kindOf(e.attrs), size: e.attrs.size, mtime: e.attrs.mtime }));
  }

  /** The entry itself (symbolic links are not followed); undefined when it does not exist. */
  async lstat(p: string): Promise<RemoteEntry | undefined> {
    try {
      const s = await this.op<Stats>('stat', (done) => this.sftp.lstat(p, done));
      return { name: path.posix.basename(p), kind: kindOf(s), size: s.size, mtime: s.mtime };
    } catch (e) {
      if (e instanceof RemoteFileError && e.missing) return undefined;
      throw e;
    }
  }

  /**
   * SFTP RENAME, which never replaces an existing target (OpenSSH: link + unlink). The atomic claim: of two pollers
   * renaming the same file, one gets `moved`, the other `source-missing` (or `target-exists` in between).
   */
  async rename(from: string, to: string): Promise<MoveResult> {
    try {
      await this.op<void>('rename', (done) => this.sftp.rename(from, to, done));
      return 'moved';
    } catch (e) {
      if (!(e instanceof RemoteFileError)) throw e;
      // servers answer NO_SUCH_FILE or a bare FAILURE: look at both ends to tell which it was
      if (!(await this.lstat(from))) return 'source-missing';
      if (await this.lstat(to)) return 'target-exists';
      throw e;
    }
  }

  /** Moves into `dir` under `name`, or `name.1`, `name.2`… when taken: never overwrites. Returns the new path. */
  async moveUnique(from: string, dir: string, name: string): Promise<string> {
    for (let i = 0; i < 1000; i++) {
      const target = path.posix.join(dir, i === 0 ? name : `${name}.${i}`);
      const r = await this.rename(from, target);
      if (r === 'moved') return target;
      if (r === 'source-missing') throw new RemoteFileError(SFTP_STATUS.NO_SUCH_FILE, 'move: the file is gone');
    }
    throw new RemoteFileError(SFTP_STATUS.FAILURE, 'move: 1000 files of the same name in the target folder');
  }

  /** Creates a folder and its missing parents. */
  async mkdirp(dir: string): Promise<void> {
    const parts = dir.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      if (p === '' || p === '.') continue;
      const st = await this.lstat(p);
      if (st?.kind === 'dir') continue;
      try {
        await this.op<void>('create folder', (done) => this.sftp.mkdir(p, done));
      } catch (e) {
        // created by someone else in between
        if (!(e instanceof RemoteFileError) || (await this.lstat(p))?.kind !== 'dir') throw e;
      }
    }
  }

  async writeFile(p: string, content: Buffer | string): Promise<void> {
    await this.op<void>('write file', (done) => this.sftp.writeFile(p, content, done));
  }

  async unlink(p: string): Promise<void> {
    await this.op<void>('delete', (done) => this.sftp.unlink(p, done));
  }

  /**
   * Reads a whole file into memory with `concurrency` read requests of `chunkSize` bytes in flight (one request at a
   * time is latency-bound). The size is taken from the open handle; a file larger than `maxBytes` is not read. A file
   * that ends early or has more bytes than its size said changed while read: `FileChangedError`.
   */
  async download(p: string, o: DownloadOptions): Promise<Buffer> {
    const handle = await this.op<Buffer>('open', (done) => this.sftp.open(p, 'r', done));
    try {
      const st = await this.op<Stats>('stat', (done) => this.sftp.fstat(handle, done));
      if (st.size > o.maxBytes) throw new FileTooLargeError(st.size, o.maxBytes);
      const size = st.size;
      const buf = Buffer.allocUnsafe(size);
      const readAt = (off: number, len: number) =>
        this.op<number>('read', (done) => this.sftp.read(handle, buf, off, len, off, (err, n) => done(err, n)));
      let next = 0;
      const worker = async () => {
        while (next < size) {
          const start = next;
          const end = Math.min(size, start + o.chunkSize);
          next = end;
          for (let off = start; off < end; ) {
            const n = await readAt(off, end - off);
            if (n === 0) throw new FileChangedError(`read: the file ended at ${off} of ${size} bytes`);
            off += n;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, Math.ceil(size / o.chunkSize))) }, worker));
      // one more read must find the end of the file
      const probe = Buffer.allocUnsafe(1);
      const extra = await this.op<number>('read', (done) => this.sftp.read(handle, probe, 0, 1, size, (err, n) => done(err, n)));
      if (extra > 0) throw new FileChangedError(`read: the file grew past ${size} bytes`);
      return buf;
    } finally {
      if (this.alive) await this.op<void>('close', (done) => this.sftp.close(handle, done)).catch(() => undefined);
    }
  }
}
