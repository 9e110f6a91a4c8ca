import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { MllpFrameDecoder, type MllpDecoderIssue } from './frame-decoder.js';
import { encodeFrame } from './frame-encoder.js';
import type { MllpCloseReason, MllpMessageContext, MllpPeerCertificate, ResolvedServerOptions } from './server-options.js';
import type { MllpServerStats } from './server-stats.js';
import { describePeerCertificate } from './tls-peer.js';

/** After we send FIN, how long the peer gets to close its side before the socket is destroyed. */
const LINGER_MS = 5_000;
/** Pipelined frames queued beyond this pause reading from the socket (TCP backpressure on the sender). */
const MAX_QUEUED_FRAMES = 64;
const MIN_PAUSE_BYTES = 1024 * 1024;

/** Decoder issues that mean a frame the sender believes it sent was dropped. */
const DROPPED_FRAME_CODES = new Set(['MLLP_FRAME_TOO_LARGE', 'MLLP_FRAME_ABORTED', 'MLLP_MISSING_CR']);

interface QueuedFrame {
  payload: Buffer;
  index: number;
}

/**
 * One accepted MLLP connection: decodes frames, runs the handler strictly one frame at a time, and writes each ACK
 * before the next frame's handler starts. Any frame that cannot be accepted (handler rejection, framing error)
 * ends the connection after the frames before it were acknowledged; frames after it are never handled.
 */
export class MllpServerConnection {
  readonly id = randomUUID();
  /** Resolves when the socket is fully closed. */
  readonly closed: Promise<void>;

  private readonly decoder: MllpFrameDecoder;
  private readonly queue: QueuedFrame[] = [];
  private readonly ctxBase: Omit<MllpMessageContext, 'frameIndex'>;
  private readonly pauseBytes: number;
  private queuedBytes = 0;
  private paused = false;
  private running = false;
  private accepting = true;
  private ended = false;
  private isClosed = false;
  private endAfterDrain: MllpCloseReason | undefined;
  private closeReason: MllpCloseReason | undefined;
  /** Cumulative decoded-frame count when the first framing error was reported; later frames are not handled. */
  private errorCutoff = Number.POSITIVE_INFINITY;
  private framesReceived = 0;
  private framesAcked = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private resolveClosed!: () => void;

  constructor(
    private readonly socket: Socket,
    private readonly options: ResolvedServerOptions,
    private readonly stats: MllpServerStats,
    private readonly onClosed: (connection: MllpServerConnection) => void,
  ) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.pauseBytes = Math.max(options.maxFrameBytes, MIN_PAUSE_BYTES);
    const isTls = socket instanceof TLSSocket;
    const peerCertificate: MllpPeerCertificate | undefined = isTls ? describePeerCertificate(socket) : undefined;
    this.ctxBase = {
      connectionId: this.id,
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      transport: isTls ? 'tls' : 'tcp',
      ...(peerCertificate ? { peerCertificate } : {}),
    };
    this.decoder = new MllpFrameDecoder({
      maxFrameBytes: options.maxFrameBytes,
      tolerateMissingCr: options.tolerateMissingCr,
      onIssue: (issue) => this.onIssue(issue),
    });

    stats.connectionsAccepted += 1;
    stats.connectionsOpen += 1;
    socket.setNoDelay(true);
    socket.on('timeout', () => this.onIdle());
    this.armIdleTimer();
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (error) => this.onError(error));
    socket.on('close', () => this.onClose());
    options.emit({ type: 'connection-open', connectionId: this.id, remoteAddress: this.ctxBase.remoteAddress,
      remotePort: this.ctxBase.remotePort, transport: this.ctxBase.transport });
  }

  /** Server shutdown: handle no new frame, let the running handler finish and write its ACK, then end. */
  shutdown(): void {
    this.accepting = false;
    this.abandonQueue();
    this.endAfterDrain ??= 'server-closing';
    this.maybeEnd();
  }

  /** Immediate teardown (shutdown deadline passed). */
  destroy(reason: MllpCloseReason): void {
    this.closeReason ??= reason;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.stats.bytesReceived += chunk.length;
    if (!this.accepting) return;
    const decodedBefore = this.decoder.stats.framesDecoded;
    const frames = this.decoder.push(chunk);
    const allowed = Math.max(0, Math.min(frames.length, this.errorCutoff - decodedBefore));
    for (let i = 0; i < allowed; i++) this.enqueue(frames[i] as Buffer);
    if (allowed < frames.length || this.errorCutoff !== Number.POSITIVE_INFINITY) {
      this.stats.framesAbandoned += frames.length - allowed;
      this.accepting = false;
      this.endAfterDrain ??= 'framing-error';
    }
    this.pump();
    this.maybeEnd();
  }

  private onIssue(issue: MllpDecoderIssue): void {
    this.stats.framingIssues += 1;
    this.options.emit({ type: 'frame-issue', connectionId: this.id, issue });
    if (issue.severity !== 'error') return;
    if (DROPPED_FRAME_CODES.has(issue.code)) this.stats.framesRejected += 1;
    if (this.errorCutoff === Number.POSITIVE_INFINITY) this.errorCutoff = this.decoder.stats.framesDecoded;
  }

  private enqueue(payload: Buffer): void {
    this.stats.framesReceived += 1;
    this.queue.push({ payload, index: this.framesReceived++ });
    this.queuedBytes += payload.length;
    if (!this.paused && (this.queue.length >= MAX_QUEUED_FRAMES || this.queuedBytes >= this.pauseBytes)) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private dequeue(): QueuedFrame | undefined {
    const item = this.queue.shift();
    if (item) this.queuedBytes -= item.payload.length;
    if (this.paused && this.queue.length <= MAX_QUEUED_FRAMES / 2 && this.queuedBytes <= this.pauseBytes / 2) {
      this.paused = false;
      this.socket.resume();
    }
    return item;
  }

  private abandonQueue(): void {
    this.stats.framesAbandoned += this.queue.length;
    this.queue.length = 0;
    this.queuedBytes = 0;
  }

  private pump(): void {
    if (this.running || this.ended || this.queue.length === 0) return;
    this.running = true;
    void this.drain().finally(() => {
      this.running = false;
      this.maybeEnd();
    });
  }

  /** Handles queued frames one by one: handler, then ACK write, then the next frame. */
  private async drain(): Promise<void> {
    for (let item = this.dequeue(); item && !this.ended; item = this.dequeue()) {
      let ackFrame: Buffer | null;
      try {
        const ack: unknown = await this.options.onMessage(item.payload, { ...this.ctxBase, frameIndex: item.index });
        if (ack !== null && !Buffer.isBuffer(ack)) throw new TypeError('onMessage must resolve to a Buffer (the ACK payload) or null (no ACK)');
        ackFrame = ack === null ? null : encodeFrame(ack);
      } catch (error) {
        this.stats.framesRejected += 1;
        this.options.emit({ type: 'handler-error', connectionId: this.id, frameIndex: item.index, error });
        this.end('handler-error');
        return;
      }
      if (ackFrame === null) {
        this.stats.framesUnacknowledged += 1;
        this.armIdleTimer();
        continue;
      }
      if (!(await this.writeAck(ackFrame))) {
        this.stats.acksLost += 1;
        this.options.emit({ type: 'ack-lost', connectionId: this.id, frameIndex: item.index });
        return;
      }
      this.framesAcked += 1;
      this.stats.framesAcked += 1;
      this.stats.bytesSent += ackFrame.length;
      this.armIdleTimer();
    }
  }

  /** Resolves true once the ACK is handed to the kernel, false if the socket can no longer carry it. */
  private writeAck(frame: Buffer): Promise<boolean> {
    if (this.isClosed || this.ended || !this.socket.writable) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onClose = (): void => resolve(false);
      this.socket.once('close', onClose);
      this.socket.write(frame, (error) => {
        this.socket.off('close', onClose);
        resolve(!error);
      });
    });
  }

  private maybeEnd(): void {
    if (this.endAfterDrain && !this.running && this.queue.length === 0) this.end(this.endAfterDrain);
  }

  /** Graceful end: FIN after pending writes; keep reading (and discarding) so the peer's FIN is seen. */
  private end(reason: MllpCloseReason): void {
    if (this.ended) return;
    this.ended = true;
    this.closeReason ??= reason;
    this.accepting = false;
    this.abandonQueue();
    this.socket.end();
    this.socket.resume();
    this.lingerTimer = setTimeout(() => this.socket.destroy(), LINGER_MS);
    this.lingerTimer.unref();
  }

  /** (Re)starts the idle timer. Node does not re-arm a socket timeout that already fired, hence explicit calls. */
  private armIdleTimer(): void {
    if (this.options.idleTimeoutMs > 0) this.socket.setTimeout(this.options.idleTimeoutMs);
  }

  private onIdle(): void {
    if (this.running || this.queue.length > 0) return; // we owe an ACK: not idle
    this.end('idle-timeout');
  }

  private onEnd(): void {
    this.decoder.finish();
    this.accepting = false;
    this.closeReason ??= 'peer-closed';
    // allowHalfOpen is false: our side is ending too, so queued frames could never be acknowledged.
    this.abandonQueue();
  }

  private onError(error: Error): void {
    this.closeReason ??= 'socket-error';
    this.options.emit({ type: 'socket-error', connectionId: this.id, error });
  }

  private onClose(): void {
    this.isClosed = true;
    this.ended = true;
    clearTimeout(this.lingerTimer);
    this.abandonQueue();
    this.stats.connectionsOpen -= 1;
    this.options.emit({ type: 'connection-closed', connectionId: this.id, reason: this.closeReason ?? 'peer-closed',
      framesReceived: this.framesReceived, framesAcked: this.framesAcked });
    this.resolveClosed();
    this.onClosed(this);
  }
}
