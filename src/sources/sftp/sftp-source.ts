import type { LockHandle, SourceContext } from '../../engine/define.js';
import { readSecret } from '../../engine/secret.js';
import { ReconnectPendingError, SftpConnection } from './connection.js';
import { FolderPoller } from './folder-poller.js';
import { HostKeyMismatchError } from './host-key.js';
import type { SftpOptions } from './options.js';
import { loadPrivateKey } from './private-key.js';
import { ConnectionLostError } from './remote-fs.js';

interface PolledFolder {
  poller: FolderPoller;
  lockName: string;
  lock?: LockHandle;
}

/**
 * The polling loop: every pollIntervalMs, take the lock of each folder (one engine instance polls a folder at a
 * time), open or reuse the SFTP session, and poll the folders held. A lost connection ends the poll, releases the
 * locks (another instance may do better) and is reopened with backoff. A recurring problem is logged once, and again
 * when it changes or clears.
 */
export class SftpSource {
  private readonly conn: SftpConnection;
  private readonly folders: PolledFolder[];
  private readonly problems = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly o: SftpOptions,
    private readonly ctx: SourceContext,
  ) {
    const srv = o.server;
    this.conn = new SftpConnection(
      {
        host: srv.host,
        port: srv.port,
        username: srv.username,
        privateKey: loadPrivateKey(srv.privateKey, ctx.baseDir),
        passphrase: srv.passphrase && readSecret(srv.passphrase),
        hostKeyFingerprints: typeof srv.hostKeyFingerprint === 'string' ? [srv.hostKeyFingerprint] : srv.hostKeyFingerprint,
        keepaliveIntervalMs: srv.keepaliveIntervalMs,
        keepaliveCountMax: srv.keepaliveCountMax,
        connectTimeoutMs: srv.connectTimeoutMs,
        operationTimeoutMs: srv.operationTimeoutMs,
        reconnect: srv.reconnect,
      },
      ctx.logger,
    );
    this.folders = o.directories.map((d) => {
      const poller = new FolderPoller(d, o, ctx);
      return { poller, lockName: `sftp:${o.server.username}@${o.server.host}:${o.server.port}:${poller.paths.inbox}` };
    });
  }

  start(): void {
    this.ctx.logger.info({ endpoint: this.conn.endpoint, folders: this.folders.map((f) => f.poller.paths.inbox) }, 'polling sftp folders');
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pollOnce()
        .catch((e: unknown) => this.problem('poll', e))
        .finally(() => this.schedule(this.o.pollIntervalMs));
    }, ms);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await this.releaseLocks();
    await this.conn.close();
  }

  private async releaseLocks(): Promise<void> {
    await Promise.allSettled(this.folders.map((f) => f.lock?.release()));
    for (const f of this.folders) f.lock = undefined;
  }

  private async pollOnce(): Promise<void> {
    // the server is unreachable: do not hold the folders meanwhile, another instance may reach it
    if (this.conn.backingOff) return this.releaseLocks();
    const mine: PolledFolder[] = [];
    for (const f of this.folders) {
      if (this.stopped) return;
      if (!f.lock?.held) f.lock = await this.ctx.lock(f.lockName, this.o.lockTtlMs);
      if (f.lock) mine.push(f);
    }
    if (mine.length === 0) return;
    let fs;
    try {
      fs = await this.conn.session();
      this.clear('connection', 'sftp connection back');
    } catch (e) {
      if (!(e instanceof ReconnectPendingError)) {
        this.problem('connection', e);
        await this.releaseLocks();
      }
      return;
    }
    for (const f of mine) {
      if (this.stopped) return;
      const lock = f.lock!;
      try {
        await f.poller.poll(fs, () => !this.stopped && lock.held);
        this.clear(f.lockName, 'sftp folder polled again');
      } catch (e) {
        if (e instanceof ConnectionLostError) {
          this.conn.drop();
          this.problem('connection', e);
          await this.releaseLocks();
          return;
        }
        this.problem(f.lockName, e, f.poller.paths.inbox);
      }
    }
  }

  private problem(key: string, e: unknown, dir?: string): void {
    const message = (e as Error).message ?? String(e);
    const repeated = this.problems.get(key) === message;
    this.problems.set(key, message);
    const fields = { endpoint: this.conn.endpoint, dir, err: message };
    if (repeated) this.ctx.logger.debug(fields, 'sftp problem persists');
    else if (e instanceof HostKeyMismatchError) this.ctx.logger.error(fields, 'sftp host key refused');
    else this.ctx.logger.error(fields, key === 'connection' ? 'sftp connection failed' : 'sftp poll failed');
  }

  private clear(key: string, what: string): void {
    if (!this.problems.delete(key)) return;
    this.ctx.logger.info({ endpoint: this.conn.endpoint }, what);
  }
}
