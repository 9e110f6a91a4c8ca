/**
 * Which HL7 acknowledgment the MLLP source answers, and its bytes. Pure: the source decides the outcome (stored,
 * refused by validation, unreadable) and this file turns it into an ACK per the sender's acknowledgment mode.
 */
import type { Issue } from '../engine/issues.js';
import {
  acceptAckType,
  applicationAckType,
  buildAck,
  isEnhancedAckMode,
  parseHl7,
  serializeHl7,
  type AckCode,
  type AckCondition,
  type Hl7ErrorCode,
  type Hl7Message,
  type ParseOptions,
} from '../formats/hl7v2/index.js';

/** accepted: stored for processing; error: refused by the channel's checks (AE); rejected: unreadable or refused outright (AR). */
export type Outcome = 'accepted' | 'error' | 'rejected';

const ORIGINAL: Record<Outcome, AckCode> = { accepted: 'AA', error: 'AE', rejected: 'AR' };
const COMMIT: Record<Outcome, AckCode> = { accepted: 'CA', error: 'CE', rejected: 'CR' };

const wants = (condition: AckCondition, outcome: Outcome): boolean =>
  condition === 'AL' || (condition === 'ER' && outcome !== 'accepted') || (condition === 'SU' && outcome === 'accepted');

/**
 * The ACK code to send, or null for none. Original mode (MSH-15 and MSH-16 empty): AA / AE / AR. Enhanced mode:
 * the commit ACK (CA / CE / CR) when MSH-15 asks for it under this outcome (empty or unknown MSH-15 = AL);
 * otherwise, when MSH-16 asks for it, the application ACK (AA / AE / AR) at once, since the application's
 * decision (stored, or refused by the checks) is already known; otherwise nothing.
 */
export function ackCodeFor(message: Hl7Message, outcome: Outcome): AckCode | null {
  if (!isEnhancedAckMode(message)) return ORIGINAL[outcome];
  if (wants(acceptAckType(message) ?? 'AL', outcome)) return COMMIT[outcome];
  if (wants(applicationAckType(message) ?? 'NE', outcome)) return ORIGINAL[outcome];
  return null;
}

/** HL7 table 0357 codes for the issues the codec, the parser and the source raise; anything else is 207. */
const ERROR_CODES: Record<string, Hl7ErrorCode> = {
  HL7_EMPTY: { code: '100', text: 'Segment sequence error' },
  HL7_NO_MSH: { code: '100', text: 'Segment sequence error' },
  HL7_BAD_SEGMENT: { code: '100', text: 'Segment sequence error' },
  HL7_BATCH_STRUCTURE: { code: '100', text: 'Segment sequence error' },
  HL7_MSH_TOO_SHORT: { code: '101', text: 'Required field missing' },
  HL7_BAD_ENCODING_CHARS: { code: '102', text: 'Data type error' },
  HL7_CHARSET_UNKNOWN: { code: '102', text: 'Data type error' },
  HL7_MESSAGE_TYPE: { code: '200', text: 'Unsupported message type' },
  HL7_VERSION: { code: '203', text: 'Unsupported version id' },
  HL7_CONTROL_ID_REUSED: { code: '205', text: 'Duplicate key identifier' },
};
export const errorCodeOf = (issue: Issue): Hl7ErrorCode => ERROR_CODES[issue.code] ?? { code: '207', text: 'Application internal error' };

const FALLBACK_HEADER = parseHl7('MSH|^~\\&|||||||ACK||P|2.5\r').message!;

/**
 * The header to acknowledge when the message itself cannot be read: its MSH segment alone if that parses (so the
 * ACK still echoes MSH-10, the version and the character set), else a neutral v2.5 header (MSA-2 empty).
 */
export function salvageHeader(payload: Buffer, opts: ParseOptions): Hl7Message {
  let start = 0;
  while (start < payload.length && [0x0d, 0x0a, 0x20, 0x09].includes(payload[start]!)) start++;
  let end = start;
  while (end < payload.length && payload[end] !== 0x0d && payload[end] !== 0x0a) end++;
  return parseHl7(payload.subarray(start, end), { ...opts, maxBytes: undefined }).message ?? FALLBACK_HEADER;
}

export interface AckSettings {
  sendingApplication?: string;
  sendingFacility?: string;
  /** At most this many ERR segments (errors first); the MSA-3 text says how many were left out. */
  maxErrSegments: number;
}

/** The ACK bytes, in the original's character set (MSH-18) and version (MSH-12), MSA-2 = its MSH-10. */
export function ackBytes(original: Hl7Message, code: AckCode, issues: readonly Issue[], s: AckSettings): Buffer {
  const errors = issues.filter((i) => i.severity === 'error');
  const shown = errors.slice(0, s.maxErrSegments);
  const first = errors[0]?.message;
  const more = errors.length > shown.length ? ` (+${errors.length - shown.length} more errors)` : '';
  const text = first === undefined ? undefined : `${first.slice(0, 60)}${more}`.slice(0, 80);
  const ack = buildAck(original, {
    code,
    issues: shown,
    errorCode: errorCodeOf,
    ...(text !== undefined ? { textMessage: text } : {}),
    ...(s.sendingApplication !== undefined ? { sendingApp: s.sendingApplication } : {}),
    ...(s.sendingFacility !== undefined ? { sendingFacility: s.sendingFacility } : {}),
  });
  return serializeHl7(ack);
}
