import { z } from 'zod';
import { defineDestination, DeliveryError, type Mapped } from '../engine/define.js';
import { error, hasErrors, type Issue } from '../engine/issues.js';
import { controlIdOf, Hl7Message, parseHl7, serializeHl7, type Hl7MessageJson } from '../formats/hl7v2/index.js';
import { createMllpClient, DEFAULT_MAX_FRAME_BYTES, findFramingByte, MllpError, type MllpClientEvent } from '../net/mllp/index.js';
import { clientTlsOption, resolveClientTls } from '../net/mllp/tls-config.js';

const options = z.object({
  host: z.string().min(1).describe('receiver host name or address'),
  port: z.number().int().min(1).max(65535),
  tls: clientTlsOption,
  connectTimeoutMs: z.number().int().min(100).default(10_000).describe('per connection attempt (TCP connect + TLS handshake)'),
  ackTimeoutMs: z.number().int().min(100).default(30_000).describe('no ACK within this: the connection is dropped and the message retried'),
  maxConnectAttempts: z.number().int().min(1).default(3).describe('connection attempts (with backoff) per send before the delivery is retried by the queue'),
  reconnect: z
    .strictObject({
      initialDelayMs: z.number().int().min(0).default(200),
      maxDelayMs: z.number().int().min(1).default(10_000),
    })
    .prefault({})
    .describe('reconnection backoff (doubling, with jitter), on top of the queue retry policy'),
  maxAckBytes: z.number().int().min(1024).default(DEFAULT_MAX_FRAME_BYTES).describe('largest ACK accepted'),
  normaliseLineEnds: z.boolean().default(true).describe('send every segment ended by CR (blank lines dropped), as receivers expect'),
});

/** Content types taken as HL7 v2 ER7 text. */
const HL7_TYPES = new Set(['x-application/hl7-v2+er7', 'application/hl7-v2', 'application/hl7-v2+er7']);
const HL7_CONTENT_TYPE = 'x-application/hl7-v2+er7';

const isMessageJson = (c: unknown): c is Hl7MessageJson =>
  typeof c === 'object' && c !== null && Array.isArray((c as Hl7MessageJson).segments) && typeof (c as Hl7MessageJson).encoding === 'string';

/** Text of a message from its JSON form (`Hl7Message.toJSON()`): fields are raw, so joining them rebuilds the ER7. */
function textOfJson(j: Hl7MessageJson): string {
  const fs = j.segments[0]?.fields[0] ?? '|';
  return j.segments.map((s) => (s.name === 'MSH' || s.name === 'FHS' || s.name === 'BHS' ? `${s.name}${fs}${s.fields.slice(1).join(fs)}` : [s.name, ...s.fields].join(fs))).join('\r') + '\r';
}

/** The mapped content as an HL7 message, or the issues saying why it is not one. */
function messageOf(mapped: Mapped): { message?: Hl7Message; issues: Issue[] } {
  const c = mapped.content;
  if (c instanceof Hl7Message) return { message: c, issues: [] };
  const declared = HL7_TYPES.has(mapped.contentType.split(';')[0]!.trim().toLowerCase());
  if (isMessageJson(c) && (declared || c.segments[0]?.name === 'MSH')) return parseHl7(textOfJson(c), { charset: c.encoding });
  if (declared && (typeof c === 'string' || Buffer.isBuffer(c))) return parseHl7(c);
  return {
    issues: [error('MLLP_NOT_HL7', `the mapped content is ${mapped.contentType} (${Buffer.isBuffer(c) ? 'bytes' : typeof c}), not HL7 v2: an MLLP destination sends ${HL7_CONTENT_TYPE} text, bytes or an Hl7Message (map to HL7 v2 for this destination with route[].map)`)],
  };
}

/** MSA-3 and each ERR's text (ERR-8, else ERR-3.2, else the v2.3 ERR-1), for the delivery history. */
function errorText(ack: Hl7Message): string {
  const texts = [ack.get('MSA-3'), ...ack.segmentsNamed('ERR').map((e) => e.get(8) || e.get('3.2') || e.getRaw(1))].filter((t) => t !== '');
  return [...new Set(texts)].join('; ').slice(0, 500);
}

export const mllpDestination = defineDestination({
  type: 'mllp',
  description: 'HL7 v2 over MLLP (TCP, TLS or mutual TLS): one ordered connection, ACK awaited and checked (MSA-2 = MSH-10)',
  options,
  encode(mapped, o) {
    const r = messageOf(mapped);
    if (!r.message || hasErrors(r.issues)) return { issues: r.issues.length ? r.issues : [error('MLLP_NOT_HL7', 'the mapped content is not a readable HL7 v2 message')] };
    const issues = r.issues.filter((i) => i.severity === 'error');
    if (controlIdOf(r.message) === '') issues.push(error('MLLP_NO_CONTROL_ID', 'MSH-10 (message control ID) is empty: the ACK could not be matched to the message', 'MSH-10'));
    const content = serializeHl7(r.message, { normalize: o.normaliseLineEnds });
    const bad = findFramingByte(content);
    if (bad !== -1) issues.push(error('MLLP_FRAMING_BYTE', `the message holds an MLLP framing byte (VT or FS) at byte ${bad}; it cannot be framed`));
    return hasErrors(issues) ? { issues } : { encoded: { content, contentType: HL7_CONTENT_TYPE }, issues: [] };
  },
  async createSender(o, ctx) {
    const log = ctx.logger.child({ channel: ctx.channelId, destination: ctx.destinationId });
    const onEvent = (e: MllpClientEvent) => {
      if (e.type === 'connected') log.info({ host: e.host, port: e.port, attempt: e.attempt }, 'MLLP destination connected');
      else if (e.type === 'connect-failed') log.warn({ attempt: e.attempt, err: e.error.message }, 'MLLP destination connection failed');
      else if (e.type === 'disconnected') log.info({ reason: e.reason }, 'MLLP destination disconnected');
      else if (e.type === 'frame-issue') log.warn({ code: e.issue.code }, e.issue.message);
      else log.warn({ bytes: e.bytes }, 'MLLP destination: unexpected frame from the receiver');
    };
    const client = createMllpClient({
      host: o.host,
      port: o.port,
      tls: resolveClientTls(o.tls, ctx.baseDir),
      connectTimeoutMs: o.connectTimeoutMs,
      ackTimeoutMs: o.ackTimeoutMs,
      maxConnectAttempts: o.maxConnectAttempts,
      backoff: { initialDelayMs: o.reconnect.initialDelayMs, maxDelayMs: o.reconnect.maxDelayMs },
      maxFrameBytes: o.maxAckBytes,
      onEvent,
    });
    return {
      async send(encoded) {
        const sent = parseHl7(encoded.content).message;
        if (!sent) throw new DeliveryError('the stored output is not a readable HL7 v2 message', true);
        const controlId = controlIdOf(sent);
        let ack: Hl7Message | undefined;
        const checkAck = (bytes: Buffer): string | undefined => {
          const r = parseHl7(bytes);
          if (!r.message || r.message.get('MSA-1') === '') return `unreadable ACK (${r.issues.map((i) => i.code).join(', ') || 'no MSA segment'})`;
          const answered = r.message.get('MSA-2');
          if (answered !== controlId) return `MSA-2 "${answered}" does not match MSH-10 "${controlId}"`;
          ack = r.message;
          return undefined;
        };
        try {
          await client.send(encoded.content, { checkAck });
        } catch (e) {
          if (e instanceof MllpError) throw new DeliveryError(`${e.code}: ${e.message}`, false);
          throw e;
        }
        const code = ack!.get('MSA-1');
        if (code === 'AA' || code === 'CA') return { detail: `${code} ${controlId}` };
        const text = errorText(ack!);
        const detail = `${code} ${controlId}${text ? `: ${text}` : ''}`;
        if (code === 'AR' || code === 'CR') throw new DeliveryError(detail, true);
        if (code === 'AE' || code === 'CE') throw new DeliveryError(detail, false);
        throw new DeliveryError(`unknown acknowledgment code in MSA-1: ${detail}`, false);
      },
      close: () => client.close(),
    };
  },
});
