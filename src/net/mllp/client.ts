import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { MllpClientConnection, type MllpClientEvent } from './client-connection.js';
import { openSocket, type MllpClientTlsOptions } from './client-socket.js';
import { MllpConnectionError } from './errors.js';
import { encodeFrame } from './frame-encoder.js';
import { DEFAULT_MAX_FRAME_BYTES } from './mllp-bytes.js';

export interface MllpClientOptions {
  host: string;
  port: number;
  /** TLS settings, or `false` for plain TCP. Must be given explicitly. */
  tls: false | MllpClientTlsOptions;
  /** Per connection attempt (TCP connect + TLS handshake). Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Default ACK timeout of `send`. Default 30 000 ms. */
  ackTimeoutMs?: number;
  /** Connection attempts a single `send` makes (with backoff between them) before rejecting. Default 6. */
  maxConnectAttempts?: number;
  /** Reconnection backoff; defaults: 200 ms initial, x2, capped at 10 s, 50 % jitter. */
  backoff?: Partial<BackoffOptions>;
  /** Largest ACK payload accepted. Default 16 MiB. */
  maxFrameBytes?: number;
  onEvent?: (event: MllpClientEvent) => void;
}

export interface MllpSendOptions {
  /** How long to wait for the ACK once the frame is written. Defaults to the client's `ackTimeoutMs`. */
  timeoutMs?: number;
  /**
   * Checks that the ACK answers this message (e.g. MSA-2 = MSH-10); returns why not, or undefined. On a mismatch the
   * connection is destroyed before any other message is written on it, and the send rejects with
   * `MLLP_ACK_MISMATCH` (queued sends with `MLLP_ABORTED`).
   */
  checkAck?: (ack: Buffer) => string | undefined;
}

/** A sender keeping one MLLP connection. */
export interface MllpClient {
  /**
   * Sends one payload and resolves with the ACK payload. Sends are queued and go out strictly one at a time in
   * call order. On any failure this send rejects (`MllpTimeoutError` / `MllpConnectionError`) and so does every
   * send queued behind it (code `MLLP_ABORTED`, never written), so the caller can resend from the failed message
   * without reordering.
   */
  send(payload: Buffer, options?: MllpSendOptions): Promise<Buffer>;
  /** Rejects queued sends, waits for the one in flight (bounded by its timeout), then closes the connection. */
  close(): Promise<void>;
  /** True while a connection is open. */
  readonly connected: boolean;
  /** Sends queued or in flight. */
  readonly pending: number;
}

interface PendingSend {
  frame: Buffer;
  timeoutMs: number;
  checkAck: ((ack: Buffer) => string | undefined) | undefined;
  resolve: (ack: Buffer) => void;
  reject: (error: unknown) => void;
}

const positive = (name: string, v: number): number => {
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number, got ${v}`);
  return v;
};

class Client implements MllpClient {
  private readonly queue: PendingSend[] = [];
  private readonly backoff: BackoffOptions;
  private readonly connectTimeoutMs: number;
  private readonly ackTimeoutMs: number;
  private readonly maxConnectAttempts: number;
  private readonly maxFrameBytes: number;
  private connection: MllpClientConnection | undefined;
  /** Consecutive failures (connect or exchange); reset by a successful exchange. Drives the backoff. */
  private failures = 0;
  /** True while `run` drains the queue (set and cleared synchronously, so no send can slip between). */
  private busy = false;
  private running: Promise<void> = Promise.resolve();
  private isClosed = false;
  private cancelSleep: (() => void) | undefined;

  constructor(private readonly options: MllpClientOptions) {
    if (options.tls !== false && (typeof options.tls !== 'object' || options.tls === null)) {
      throw new TypeError('tls must be given explicitly: false for plain TCP, or { ca?, cert?, key?, servername?, rejectUnauthorized? }');
    }
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.connectTimeoutMs = positive('connectTimeoutMs', options.connectTimeoutMs ?? 10_000);
    this.ackTimeoutMs = positive('ackTimeoutMs', options.ackTimeoutMs ?? 30_000);
    this.maxConnectAttempts = Math.floor(positive('maxConnectAttempts', options.maxConnectAttempts ?? 6));
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  get connected(): boolean {
    return this.connection?.alive ?? false;
  }

  get pending(): number {
    return this.queue.length;
  }

  send(payload: Buffer, options: MllpSendOptions = {}): Promise<Buffer> {
    if (this.isClosed) return Promise.reject(new MllpConnectionError('MLLP_CLIENT_CLOSED', 'client is closed', false));
    let frame: Buffer;
    let timeoutMs: number;
    try {
      frame = encodeFrame(payload);
      timeoutMs = positive('timeoutMs', options.timeoutMs ?? this.ackTimeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ frame, timeoutMs, checkAck: options.checkAck, resolve, reject });
      if (!this.busy) {
        this.busy = true;
        this.running = this.run();
      }
    });
  }

  async close(): Promise<void> {
    if (!this.isClosed) {
      this.isClosed = true;
      // the head of the queue may be in flight: it completes or fails on its own
      const closedError = new MllpConnectionError('MLLP_CLIENT_CLOSED', 'client closed before this message was sent', false);
      for (const item of this.queue.splice(this.busy ? 1 : 0)) item.reject(closedError);
      this.cancelSleep?.();
    }
    await this.running;
    const connection = this.connection;
    this.connection = undefined;
    if (connection?.alive) connection.end();
    await connection?.closed;
  }

  private emit(event: MllpClientEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // listeners must not break delivery
    }
  }

  private async run(): Promise<void> {
    try {
      await this.drainQueue();
    } catch {
      this.busy = false; // not reached: drainQueue settles every send itself
    }
  }

  /**
   * Sends queued messages one by one. `busy` is cleared in the same synchronous step that finds the queue empty:
   * clearing it later (after the promise chain unwinds) would strand a send queued in between.
   */
  private async drainQueue(): Promise<void> {
    for (;;) {
      const item = this.queue[0];
      if (!item) {
        this.busy = false;
        return;
      }
      try {
        const ack = await this.deliver(item);
        this.queue.shift();
        item.resolve(ack);
      } catch (error) {
        this.queue.shift();
        item.reject(error);
        // Nothing queued behind a failed message may overtake its resend.
        const reason = error instanceof Error ? error.message : String(error);
        for (const rest of this.queue.splice(0)) {
          rest.reject(new MllpConnectionError('MLLP_ABORTED', `not sent: an earlier message failed (${reason})`, false, error));
        }
      }
    }
  }

  private async deliver(item: PendingSend): Promise<Buffer> {
    const connection = await this.ensureConnection();
    try {
      const ack = await connection.exchange(item.frame, item.timeoutMs);
      const mismatch = item.checkAck?.(ack);
      if (mismatch !== undefined) {
        connection.destroy(`ACK mismatch: ${mismatch}`);
        throw new MllpConnectionError('MLLP_ACK_MISMATCH', `the ACK does not answer the message sent: ${mismatch}`, true);
      }
      this.failures = 0;
      return ack;
    } catch (error) {
      this.failures += 1;
      if (this.connection === connection) this.connection = undefined;
      throw error;
    }
  }

  /** The open connection, or a new one after backoff; rejects after `maxConnectAttempts` failed attempts. */
  private async ensureConnection(): Promise<MllpClientConnection> {
    if (this.connection?.alive) return this.connection;
    this.connection = undefined;
    const { host, port, tls } = this.options;
    for (let attempt = 1; ; attempt++) {
      await this.sleep(backoffDelay(this.failures, this.backoff));
      if (this.isClosed) throw new MllpConnectionError('MLLP_CLIENT_CLOSED', 'client closed before this message was sent', false);
      try {
        const socket = await openSocket(host, port, tls, this.connectTimeoutMs);
        this.connection = new MllpClientConnection(socket, this.maxFrameBytes, (e) => this.emit(e));
        this.emit({ type: 'connected', host, port, attempt });
        return this.connection;
      } catch (cause) {
        this.failures += 1;
        const error = cause instanceof Error ? cause : new Error(String(cause));
        this.emit({ type: 'connect-failed', attempt, error });
        if (attempt >= this.maxConnectAttempts) {
          throw new MllpConnectionError('MLLP_CONNECT_FAILED',
            `cannot connect to ${host}:${port} after ${attempt} attempt(s): ${error.message}`, false, error);
        }
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.isClosed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.cancelSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.cancelSleep = done;
    });
  }
}

/**
 * Creates an MLLP sender. Nothing happens until the first `send` (lazy connect); a lost connection is
 * re-established on the next `send`, after an exponential backoff with jitter when the previous attempts failed.
 */
export function createMllpClient(options: MllpClientOptions): MllpClient {
  return new Client(options);
}
