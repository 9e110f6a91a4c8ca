import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineSource, type RawMessage, type SourceContext } from '../engine/define.js';
import { error, hasErrors, type Issue } from '../engine/issues.js';
import { controlIdOf, parseBatch, parseHl7, type Hl7Message, type ParseOptions } from '../formats/hl7v2/index.js';
import { DEFAULT_MAX_FRAME_BYTES, startMllpServer, type MllpMessageContext, type MllpServerEvent } from '../net/mllp/index.js';
import { resolveServerTls, serverTlsOption } from '../net/mllp/tls-config.js';
import { ackBytes, ackCodeFor, salvageHeader, type Outcome } from './mllp-ack.js';
import { retransmissionHash } from './mllp-retransmission.js';
import { batchAckBytes, batchControlId, batchSender, isBatchFrame, issuesByMessage } from './mllp-batch.js';

const options = z.object({
  host: z.string().default('127.0.0.1').describe('interface to listen on; "0.0.0.0" or "::" must be written deliberately'),
  port: z.number().int().min(0).max(65535).describe('TCP port (0: an ephemeral port, tests only)'),
  tls: serverTlsOption,
  maxFrameBytes: z.number().int().min(1024).default(DEFAULT_MAX_FRAME_BYTES).describe('largest message; a larger frame closes the connection without ACK'),
  idleTimeoutMs: z.number().int().min(0).default(600_000).describe('close connections silent for this long (0: never)'),
  maxConnections: z.number().int().min(1).default(100).describe('connections beyond this are refused'),
  tolerateMissingCr: z.boolean().default(true).describe('accept frames ended by FS without the final CR'),
  defaultCharset: z.string().min(1).default('auto').describe('character set to read the header with when MSH-18 is empty ("auto": UTF-8 if valid, else ISO-8859-1)'),
  duplicateWindowMs: z
    .number()
    .int()
    .min(0)
    .default(86_400_000)
    .describe('a message with the sender (MSH-3, MSH-4) and MSH-10 of one received within this window is acknowledged and not processed again; 0 turns duplicate detection off'),
  stopTimeoutMs: z.number().int().min(0).default(10_000).describe('on stop, in-flight messages get this long to be stored and acknowledged'),
  ack: z
    .strictObject({
      validate: z.boolean().default(false).describe('dry-run parse → map → validate before acknowledging; errors give AE (CE) with ERR segments and the message is stored as rejected'),
      parseError: z.enum(['AR', 'AE']).default('AR').describe('original-mode code for an unreadable message (enhanced mode: CR / CE)'),
      validationError: z.enum(['AE', 'AR']).default('AE').describe('original-mode code when the checks fail (enhanced mode: CE / CR)'),
      sendingApplication: z.string().optional().describe('MSH-3 of the ACK (default: the message’s MSH-5)'),
      sendingFacility: z.string().optional().describe('MSH-4 of the ACK (default: the message’s MSH-6)'),
      maxErrSegments: z.number().int().min(0).default(20).describe('ERR segments at most in one ACK'),
    })
    .prefault({}),
});
type Options = z.infer<typeof options>;

const HL7_CONTENT_TYPE = 'x-application/hl7-v2+er7';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const outcomeOf = (code: 'AR' | 'AE'): Outcome => (code === 'AR' ? 'rejected' : 'error');

/**
 * Receives HL7 v2 messages over MLLP (TCP or TLS / mutual TLS). Each message is acknowledged only once
 * `ctx.receive()` (or `ctx.reject()`) has resolved: stored and enqueued. Unreadable input and input the checks refuse
 * are stored as rejected messages and answered AR / AE with ERR segments; duplicates within the window are
 * acknowledged without being processed again. See docs/mllp.md.
 */
class MllpReceiver {
  private readonly parseOptions: ParseOptions;
  /** Remote address per open connection, to say who sent a frame that could not be kept. */
  private readonly remotes = new Map<string, string>();

  constructor(
    private readonly o: Options,
    private readonly ctx: SourceContext,
  ) {
    this.parseOptions = { defaultCharset: o.defaultCharset, maxBytes: o.maxFrameBytes };
  }

  async handle(payload: Buffer, conn: MllpMessageContext): Promise<Buffer | null> {
    const raw: RawMessage = { content: payload, contentType: HL7_CONTENT_TYPE, sourceRef: `${conn.remoteAddress}:${conn.remotePort}` };
    if (isBatchFrame(payload)) return this.handleBatch(raw, conn);
    const parsed = parseHl7(payload, this.parseOptions);
    if (!parsed.message || hasErrors(parsed.issues)) {
      const header = parsed.message ?? salvageHeader(payload, this.parseOptions);
      return this.refuse(raw, header, outcomeOf(this.o.ack.parseError), parsed.issues, conn);
    }
    const message = parsed.message;
    const controlId = controlIdOf(message);
    if (this.o.ack.validate) {
      const issues = await this.check(raw, conn);
      if (hasErrors(issues)) return this.refuse(raw, message, outcomeOf(this.o.ack.validationError), issues, conn);
    }
    const r = await this.ctx.receive({
      ...raw,
      ...(controlId ? { sourceMessageId: controlId, dedupKey: `mllp:${message.getRaw('MSH-3')}|${message.getRaw('MSH-4')}|${controlId}` } : {}),
      contentHash: retransmissionHash(payload), // a resend with a new MSH-7 is the same message
      ...this.window(),
    });
    if (r.duplicate && r.sameContent === false) {
      const reused = error('HL7_CONTROL_ID_REUSED', `MSH-10 "${controlId}" from this sender was already received with different content (message ${r.messageId}); this one is stored as rejected`, 'MSH-10');
      return this.refuse(raw, message, 'rejected', [reused], conn);
    }
    const code = ackCodeFor(message, 'accepted');
    this.ctx.logger.info({ channel: this.ctx.channelId, connectionId: conn.connectionId, messageId: r.messageId, duplicate: r.duplicate, ack: code ?? 'none' }, r.duplicate ? 'duplicate HL7 message acknowledged, not processed again' : 'HL7 message received');
    return code === null ? null : ackBytes(message, code, [], this.o.ack);
  }

  /**
   * A batch in one frame: stored whole (the channel's parser splits it), answered with a batch ACK that lists an ACK
   * for each message the checks refuse (those parts are rejected by the pipeline in the same way). A batch whose
   * structure or any message is unreadable is stored as rejected and every readable message gets `ack.parseError`.
   */
  private async handleBatch(raw: RawMessage, conn: MllpMessageContext): Promise<Buffer> {
    const b = parseBatch(raw.content, this.parseOptions);
    const s = this.o.ack;
    const controlId = batchControlId(b);
    const refuse = async (issues: Issue[], code: 'AR' | 'AE') => {
      const r = await this.ctx.reject({ ...raw, ...(controlId ? { sourceMessageId: controlId } : {}), dedupKey: `mllp-rejected:${sha256(raw.content)}`, ...this.window() }, issues);
      this.ctx.logger.warn({ channel: this.ctx.channelId, connectionId: conn.connectionId, messageId: r.messageId, codes: [...new Set(issues.filter((i) => i.severity === 'error').map((i) => i.code))] }, 'HL7 batch refused and stored as rejected');
      const errors = issues.filter((i) => i.severity === 'error').map((i) => ({ ...i, path: undefined }));
      return batchAckBytes(b, b.messages.map(() => errors), code, s);
    };
    if (b.messages.length === 0) return refuse([...b.issues, error('HL7_EMPTY', 'the batch holds no message')], s.parseError);
    if (hasErrors(b.issues)) return refuse(b.issues, s.parseError);
    const checked = s.validate ? await this.check(raw, conn) : [];
    const r = await this.ctx.receive({ ...raw, ...(controlId ? { sourceMessageId: controlId, dedupKey: `mllp-batch:${batchSender(b)}|${controlId}` } : {}), ...this.window() });
    if (r.duplicate && r.sameContent === false) {
      return refuse([error('HL7_CONTROL_ID_REUSED', `batch control ID "${controlId}" from this sender was already received with different content (message ${r.messageId})`, 'BHS-11')], 'AR');
    }
    const perMessage = issuesByMessage(checked, b.messages.length);
    this.ctx.logger.info({ channel: this.ctx.channelId, connectionId: conn.connectionId, messageId: r.messageId, duplicate: r.duplicate, messages: b.messages.length, refused: perMessage.filter((l) => hasErrors(l)).length }, 'HL7 batch received');
    return batchAckBytes(b, perMessage, s.validationError, s);
  }

  /** Stores the input as a rejected message (never lost), then answers with the error ACK. */
  private async refuse(raw: RawMessage, header: Hl7Message, outcome: Outcome, issues: Issue[], conn: MllpMessageContext): Promise<Buffer | null> {
    const controlId = controlIdOf(header);
    const r = await this.ctx.reject({ ...raw, ...(controlId ? { sourceMessageId: controlId } : {}), dedupKey: `mllp-rejected:${sha256(raw.content)}`, ...this.window() }, issues);
    const code = ackCodeFor(header, outcome);
    // the dry run names the part ("message 1 PID-3"); a frame holds one message, so the HL7 path alone locates it
    const located = issues.map((i) => (i.path?.startsWith('message 1') ? { ...i, path: i.path.slice('message 1'.length).trim() || undefined } : i));
    this.ctx.logger.warn({ channel: this.ctx.channelId, connectionId: conn.connectionId, messageId: r.messageId, codes: [...new Set(issues.filter((i) => i.severity === 'error').map((i) => i.code))], ack: code ?? 'none' }, 'HL7 message refused and stored as rejected');
    return code === null ? null : ackBytes(header, code, located, this.o.ack);
  }

  /** The channel's dry run; a crash in it must not block the sender: the message is then taken and the worker records the failure. */
  private async check(raw: RawMessage, conn: MllpMessageContext): Promise<Issue[]> {
    try {
      return await this.ctx.check(raw);
    } catch (e) {
      this.ctx.logger.error({ channel: this.ctx.channelId, connectionId: conn.connectionId, err: (e as Error).message }, 'validation dry run failed; message accepted for processing');
      return [];
    }
  }

  private window(): Pick<RawMessage, 'dedupWindowMs'> {
    return { dedupWindowMs: this.o.duplicateWindowMs };
  }

  /**
   * An oversize frame is not kept (holding it is what the limit prevents) and not acknowledged, so the sender still
   * has it. So that the refusal is visible in the store and not only in the logs, it is recorded as a rejected
   * message that describes it (sender, size, limit) without its content: one per sender and day, however often the
   * sender retries.
   */
  private async recordOversize(connectionId: string, bytes: number): Promise<void> {
    const remote = this.remotes.get(connectionId) ?? 'unknown peer';
    const day = new Date().toISOString().slice(0, 10);
    const text = `An MLLP frame from ${remote} exceeded maxFrameBytes (${this.o.maxFrameBytes}); it was refused without ACK and its content was not kept.\n`;
    try {
      await this.ctx.reject({ content: Buffer.from(text), contentType: 'text/plain', sourceRef: remote, dedupKey: `mllp-oversize:${remote}:${day}` }, [
        error('MLLP_FRAME_TOO_LARGE', `a frame of at least ${bytes} bytes exceeded maxFrameBytes (${this.o.maxFrameBytes}); the connection was closed without ACK, the sender keeps the message (raise maxFrameBytes or split the message)`),
      ]);
    } catch (err) {
      this.ctx.logger.error({ channel: this.ctx.channelId, connectionId, err: (err as Error).message }, 'could not record the refused oversize frame');
    }
  }

  /** Connection-level events, logged with addresses and counters only (never payload bytes). */
  onEvent(e: MllpServerEvent): void {
    const log = this.ctx.logger;
    const base = { channel: this.ctx.channelId };
    switch (e.type) {
      case 'connection-open':
        this.remotes.set(e.connectionId, e.remoteAddress);
        log.info({ ...base, connectionId: e.connectionId, remoteAddress: e.remoteAddress, remotePort: e.remotePort, transport: e.transport }, 'MLLP connection opened');
        break;
      case 'connection-closed':
        this.remotes.delete(e.connectionId);
        log.info({ ...base, connectionId: e.connectionId, reason: e.reason, framesReceived: e.framesReceived, framesAcked: e.framesAcked }, 'MLLP connection closed');
        break;
      case 'connection-dropped':
        log.warn({ ...base, remoteAddress: e.remoteAddress }, `MLLP connection refused: more than ${this.o.maxConnections} connections`);
        break;
      case 'tls-error':
        log.warn({ ...base, remoteAddress: e.remoteAddress, err: e.error.message, authorizationError: e.authorizationError }, 'MLLP TLS handshake failed');
        break;
      case 'frame-issue':
        log[e.issue.severity === 'error' ? 'warn' : 'info']({ ...base, connectionId: e.connectionId, code: e.issue.code, bytes: e.issue.bytes }, e.issue.message);
        if (e.issue.code === 'MLLP_FRAME_TOO_LARGE') void this.recordOversize(e.connectionId, e.issue.bytes);
        break;
      case 'handler-error':
        log.error({ ...base, connectionId: e.connectionId, err: (e.error as Error)?.message }, 'MLLP message not stored: connection closed without ACK (the sender will resend)');
        break;
      case 'socket-error':
        log.info({ ...base, connectionId: e.connectionId, err: e.error.message }, 'MLLP socket error');
        break;
      case 'ack-lost':
        log.warn({ ...base, connectionId: e.connectionId }, 'MLLP ACK could not be written after the message was stored (the sender will resend; it is deduplicated)');
        break;
    }
  }
}

export const mllpSource = defineSource({
  type: 'mllp',
  description: 'HL7 v2 over MLLP (TCP, TLS or mutual TLS): ACK after durable store, original and enhanced acknowledgment modes, duplicate window',
  options,
  claims: (o) => (o.port === 0 ? [] : [`port ${o.port}`]),
  async start(o, ctx) {
    const receiver = new MllpReceiver(o, ctx);
    const server = await startMllpServer({
      host: o.host,
      port: o.port,
      tls: resolveServerTls(o.tls, ctx.baseDir),
      maxFrameBytes: o.maxFrameBytes,
      idleTimeoutMs: o.idleTimeoutMs,
      maxConnections: o.maxConnections,
      tolerateMissingCr: o.tolerateMissingCr,
      onMessage: (payload, conn) => receiver.handle(payload, conn),
      onEvent: (e) => receiver.onEvent(e),
    });
    ctx.logger.info({ channel: ctx.channelId, host: server.host, port: server.port, tls: o.tls !== false, mutualTls: o.tls !== false && o.tls.requestClientCert }, 'MLLP listening');
    return Object.assign({ stop: () => server.close({ deadlineMs: o.stopTimeoutMs }) }, { port: server.port });
  },
});
