import net from 'node:net';
import tls from 'node:tls';
import { buildAck, parseHl7, serializeHl7, type AckCode, type Hl7Message } from '../../formats/hl7v2/index.js';
import { MllpFrameDecoder } from './frame-decoder.js';
import { encodeFrame } from './frame-encoder.js';

/** What the peer does with one received frame: ACK bytes to frame and write, nothing, or drop the connection. */
export type PeerAnswer = Buffer | 'silence' | 'hang-up';
export type PeerResponder = (message: Hl7Message | undefined, payload: Buffer, connection: number) => PeerAnswer;

/** The usual answer: an ACK with this code for the message (MSA-2 = its MSH-10). */
export const ackWith = (code: AckCode, text?: string) => (m: Hl7Message | undefined): Buffer =>
  serializeHl7(buildAck(m!, { code, ...(text ? { textMessage: text, issues: [{ severity: 'error', code: 'TEST', message: text }] } : {}) }));

export interface ReceivedFrame {
  connection: number;
  controlId: string;
  payload: Buffer;
  /** Frames received on this connection before this one whose answer was not written yet (must stay 0). */
  inFlight: number;
}

/**
 * Test helper: a real MLLP receiver (TCP or TLS) that records every frame with its connection and answers through
 * `respond` (default AA). `kill()` destroys every socket and stops listening, `restart()` listens on the same port.
 */
export class Hl7TestPeer {
  readonly received: ReceivedFrame[] = [];
  respond: PeerResponder = ackWith('AA');
  /** Set to delay every answer (ms). */
  answerDelayMs = 0;
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private connections = 0;
  port = 0;

  constructor(private readonly tlsOptions?: tls.TlsOptions) {}

  async start(port = 0): Promise<this> {
    const server = this.tlsOptions ? tls.createServer(this.tlsOptions, (s) => this.accept(s)) : net.createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this;
  }

  /** Abrupt stop: every connection reset, nothing listening. */
  async kill(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  restart(): Promise<this> {
    return this.start(this.port);
  }

  get controlIds(): string[] {
    return this.received.map((r) => r.controlId);
  }

  private accept(socket: net.Socket): void {
    const connection = ++this.connections;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const decoder = new MllpFrameDecoder();
    let pending = 0;
    socket.on('data', (chunk: Buffer) => {
      for (const payload of decoder.push(chunk)) {
        const message = parseHl7(payload).message;
        this.received.push({ connection, controlId: message?.get('MSH-10') ?? '', payload, inFlight: pending });
        pending++;
        const answer = this.respond(message, payload, connection);
        const write = () => {
          if (answer === 'hang-up') socket.destroy();
          else if (answer !== 'silence' && !socket.destroyed) socket.write(encodeFrame(answer), () => pending--);
        };
        if (this.answerDelayMs > 0) setTimeout(write, this.answerDelayMs);
        else write();
      }
    });
  }
}
