import { setMaxListeners } from 'node:events';
import SftpClient from 'ssh2-sftp-client';
import type { Client } from 'ssh2';
import type { Logger } from 'pino';
import { backoffDelay } from '../../queue/queues.js';
import { pinnedHostKey } from './host-key.js';
import { ConnectionLostError, RemoteFs } from './remote-fs.js';

export interface ConnectionSettings {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  passphrase?: string;
  hostKeyFingerprints: string[];
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  connectTimeoutMs: number;
  operationTimeoutMs: number;
  reconnect: { initialDelayMs: number; maxDelayMs: number };
}

/** Thrown by `session()` while waiting out the backoff after a failed connection. */
export class ReconnectPendingError extends Error {
  constructor(
    readonly retryInMs: number,
    readonly lastError: Error,
  ) {
    super(`reconnecting in ${Math.ceil(retryInMs / 1000)} s (last error: ${lastError.message})`);
    this.name = 'ReconnectPendingError';
  }
}

interface Live {
  client: SftpClient;
  fs: RemoteFs;
  closed: AbortController;
}

/**
 * One SFTP session with a pinned host key, kept open across polls (SSH keepalive detects a dead peer), reopened on
 * demand after it drops, with exponential backoff and jitter between failed attempts.
 */
export class SftpConnection {
  private live?: Live;
  private connecting?: Promise<RemoteFs>;
  private failures = 0;
  private retryAt = 0;
  private lastError?: Error;
  private closing = false;

  constructor(
    private readonly s: ConnectionSettings,
    private readonly logger: Logger,
  ) {}

  get endpoint(): string {
    return `${this.s.host}:${this.s.port}`;
  }

  /** True while waiting out the backoff after a failed connection (no session, next attempt not due yet). */
  get backingOff(): boolean {
    return !this.live && this.lastError !== undefined && Date.now() < this.retryAt;
  }

  /** The open session, or a new one; while backing off after a failure, throws `ReconnectPendingError`. */
  session(): Promise<RemoteFs> {
    if (this.live && this.live.fs.alive) return Promise.resolve(this.live.fs);
    if (this.closing) return Promise.reject(new ConnectionLostError('connection closed: the source is stopping'));
    const wait = this.retryAt - Date.now();
    if (wait > 0 && this.lastError) return Promise.reject(new ReconnectPendingError(wait, this.lastError));
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<RemoteFs> {
    const pin = pinnedHostKey(this.s.hostKeyFingerprints);
    const closed = new AbortController();
    setMaxListeners(0, closed.signal); // every request in flight (reads run concurrently) listens for the close
    const lose = (why: string) => {
      if (closed.signal.aborted) return;
      closed.abort(new ConnectionLostError(why));
      if (this.live?.closed === closed) this.live = undefined;
      if (!this.closing) this.logger.warn({ endpoint: this.endpoint }, `sftp connection lost: ${why}`);
    };
    const client = new SftpClient(`relais-${this.endpoint}`, {
      error: (e: unknown) => lose((e as Error).message),
      end: () => lose('the server ended the session'),
      close: () => lose('the connection closed'),
    });
    try {
      const sftp = await client.connect({
        host: this.s.host,
        port: this.s.port,
        username: this.s.username,
        privateKey: this.s.privateKey,
        passphrase: this.s.passphrase,
        hostVerifier: (key: Buffer) => pin.verify(key),
        keepaliveInterval: this.s.keepaliveIntervalMs,
        keepaliveCountMax: this.s.keepaliveCountMax,
        readyTimeout: this.s.connectTimeoutMs,
      });
      sftp.on('close', () => lose('the SFTP channel closed'));
      const fs = new RemoteFs(sftp, closed.signal, this.s.operationTimeoutMs, (what) => {
        lose(`${what} timed out`);
        this.destroy(client);
      });
      this.live = { client, fs, closed };
      this.failures = 0;
      this.lastError = undefined;
      this.logger.info({ endpoint: this.endpoint }, 'sftp connected');
      return fs;
    } catch (e) {
      closed.abort();
      this.destroy(client);
      const err = pin.mismatch(this.endpoint) ?? new Error(`cannot connect to ${this.endpoint} as ${this.s.username}: ${(e as Error).message}`);
      this.failures++;
      this.lastError = err;
      this.retryAt = Date.now() + backoffDelay(this.failures, this.s.reconnect);
      throw err;
    }
  }

  private destroy(client: SftpClient): void {
    (client as unknown as { client: Client }).client.destroy();
  }

  /** Drops the session after a failure that leaves it in doubt; the next `session()` opens a new one at once. */
  drop(): void {
    const live = this.live;
    if (!live) return;
    this.live = undefined;
    live.closed.abort(new ConnectionLostError('dropped'));
    this.destroy(live.client);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.connecting?.catch(() => undefined);
    const live = this.live;
    this.live = undefined;
    if (!live) return;
    live.closed.abort(new ConnectionLostError('closed'));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([live.client.end().catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    this.destroy(live.client);
  }
}
