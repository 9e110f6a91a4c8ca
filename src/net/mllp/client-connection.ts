import type net from 'node:net';
import { MllpConnectionError, MllpTimeoutError, type MllpError } from './errors.js';
import { MllpFrameDecoder, type MllpDecoderIssue } from './frame-decoder.js';

/** Client notifications, for logs and metrics. */
export type MllpClientEvent =
  | { type: 'connected'; host: string; port: number; attempt: number }
  | { type: 'connect-failed'; attempt: number; error: Error }
  | { type: 'disconnected'; reason: string; error?: Error }
  | { type: 'frame-issue'; issue: MllpDecoderIssue }
  | { type: 'unexpected-frame'; bytes: number };

const LINGER_MS = 2_000;

interface Waiter {
  resolve: (ack: Buffer) => void;
  reject: (error: MllpError) => void;
  timer: NodeJS.Timeout;
}

/**
 * One client socket carrying at most one exchange at a time (MLLP has no correlation id). Any anomaly (timeout,
 * unexpected frame, framing error, peer close) kills the socket so that no later byte can be taken for an ACK.
 */
export class MllpClientConnection {
  /** Resolves when the socket is fully closed. */
  readonly closed: Promise<void>;
  private readonly decoder: MllpFrameDecoder;
  private waiter: Waiter | undefined;
  private dead = false;
  private lastError: Error | undefined;

  constructor(
    private readonly socket: net.Socket,
    maxFrameBytes: number,
    private readonly emit: (event: MllpClientEvent) => void,
  ) {
    this.decoder = new MllpFrameDecoder({ maxFrameBytes, onIssue: (issue) => this.onIssue(issue) });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.kill('server closed the connection'));
    socket.on('error', (error) => (this.lastError = error));
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.kill('connection closed');
        resolve();
      }),
    );
  }

  /** False once the socket is closing or closed: a new connection is needed. */
  get alive(): boolean {
    return !this.dead;
  }

  /** Writes one frame and resolves with the payload of the next frame received, or rejects (and kills the socket). */
  exchange(frame: Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.dead) return Promise.reject(new MllpConnectionError('MLLP_CONNECTION_LOST', 'connection already closed', false, this.lastError));
    if (this.waiter) throw new Error('MllpClientConnection: one exchange at a time');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new MllpTimeoutError(timeoutMs));
        this.kill('ACK timeout');
      }, timeoutMs);
      this.waiter = { resolve, reject, timer };
      this.socket.write(frame);
    });
  }

  /** Immediate teardown, e.g. after an ACK that does not answer the message sent (the stream is out of step). */
  destroy(reason: string): void {
    this.kill(reason);
  }

  /** Graceful end (FIN), destroyed if the peer does not close within a short linger. */
  end(): void {
    this.dead = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), LINGER_MS).unref();
  }

  private onData(chunk: Buffer): void {
    if (this.dead) return;
    for (const payload of this.decoder.push(chunk)) {
      const waiter = this.waiter;
      if (!waiter) {
        this.emit({ type: 'unexpected-frame', bytes: payload.length });
        this.fail(new MllpConnectionError('MLLP_PROTOCOL_ERROR', 'frame received while no message was awaiting an ACK', false));
        return;
      }
      this.waiter = undefined;
      clearTimeout(waiter.timer);
      waiter.resolve(payload);
    }
  }

  private onIssue(issue: MllpDecoderIssue): void {
    this.emit({ type: 'frame-issue', issue });
    if (issue.severity === 'error') {
      this.fail(new MllpConnectionError('MLLP_PROTOCOL_ERROR', `invalid ACK framing: ${issue.code}: ${issue.message}`, true));
    }
  }

  private fail(error: MllpError): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.kill(error.message);
  }

  /** Rejects the pending exchange (if any) with CONNECTION_LOST and destroys the socket. */
  private kill(reason: string): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) {
      clearTimeout(waiter.timer);
      const detail = this.lastError ? `: ${this.lastError.message}` : '';
      waiter.reject(new MllpConnectionError('MLLP_CONNECTION_LOST', `${reason} before the ACK arrived${detail}`, true, this.lastError));
    }
    if (this.dead && this.socket.destroyed) return;
    const wasDead = this.dead;
    this.dead = true;
    this.socket.destroy();
    if (!wasDead) this.emit({ type: 'disconnected', reason, ...(this.lastError ? { error: this.lastError } : {}) });
  }
}
