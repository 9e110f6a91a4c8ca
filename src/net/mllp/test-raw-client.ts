import net from 'node:net';
import tls from 'node:tls';
import { MllpFrameDecoder } from './frame-decoder.js';

/**
 * Test helper: a bare socket to an MLLP server that writes arbitrary bytes and collects whatever comes back,
 * decoded into frames. Everything is event-driven (no polling).
 */
export class RawMllpPeer {
  /** All bytes received so far. */
  bytesReceived = 0;
  readonly frames: Buffer[] = [];
  /** Resolves when the socket has closed (whoever closed it). */
  readonly closed: Promise<void>;
  /** True once the server ended its side (FIN) or the socket closed. */
  remoteEnded = false;
  private readonly decoder = new MllpFrameDecoder();
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.bytesReceived += chunk.length;
      this.frames.push(...this.decoder.push(chunk));
      this.notify();
    });
    socket.on('end', () => (this.remoteEnded = true));
    socket.on('error', () => {
      // closing is observed through `closed`
    });
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.remoteEnded = true;
        resolve();
      }),
    );
  }

  /** Connects over plain TCP. */
  static connect(port: number, host = '127.0.0.1'): Promise<RawMllpPeer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host }, () => {
        socket.off('error', reject);
        resolve(new RawMllpPeer(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Connects over TLS; resolves after the handshake. */
  static connectTls(options: tls.ConnectionOptions): Promise<RawMllpPeer> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect(options, () => {
        socket.off('error', reject);
        resolve(new RawMllpPeer(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Writes bytes and resolves once they were handed to the kernel. */
  write(bytes: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  /** Resolves once at least `count` frames have arrived; rejects if the socket closes first or after timeoutMs. */
  waitForFrames(count: number, timeoutMs = 20_000): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout: ${this.frames.length}/${count} frames`)), timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        if (this.frames.length >= count) resolve(this.frames.slice(0, count));
        else reject(new Error(`socket closed after ${this.frames.length}/${count} frames`));
      };
      if (this.frames.length >= count) return done();
      this.waiters.push({ count, resolve: done });
      void this.closed.then(done);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => this.frames.length >= w.count);
    this.waiters = this.waiters.filter((w) => this.frames.length < w.count);
    for (const w of ready) w.resolve();
  }
}

/** A promise with its resolve/reject exposed, to control exactly when a handler completes. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves after `ms`: only for negative assertions ("nothing happens during this window"), never to synchronise. */
export const quietWindow = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
