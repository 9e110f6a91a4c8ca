/**
 * HL7 batches sent in one MLLP frame (`[FHS] BHS {MSH…} BTS [FTS]`): the batch acknowledgment (v2.5.1 §2.10.3):
 * the same envelope with sender and receiver swapped, BHS-12 / FHS-12 = the original BHS-11 / FHS-11, and one ACK
 * message for each message that is not accepted (accepted messages are acknowledged by exception).
 */
import type { Issue } from '../engine/issues.js';
import { buildAck, encodeText, hl7Timestamp, type AckCode, type BatchResult } from '../formats/hl7v2/index.js';
import { errorCodeOf, type AckSettings } from './mllp-ack.js';

/** True when the frame starts (after blanks or a BOM) with FHS or BHS. */
export function isBatchFrame(payload: Buffer): boolean {
  let i = payload[0] === 0xef && payload[1] === 0xbb && payload[2] === 0xbf ? 3 : 0;
  while (i < payload.length && [0x0d, 0x0a, 0x20, 0x09].includes(payload[i]!)) i++;
  const head = payload.toString('latin1', i, i + 3);
  return head === 'FHS' || head === 'BHS';
}

/** The original's batch (or file) control ID, BHS-11 else FHS-11, for duplicate detection. */
export function batchControlId(b: BatchResult): string {
  const field = (seg: string | undefined, n: number) => (seg ? (seg.split(seg[3] ?? '|')[n - 1] ?? '') : '');
  return field(b.batches[0]?.header, 11) || field(b.fileHeader, 11);
}

/** The sender of the batch, BHS-3 and BHS-4 (else FHS-3/4), raw. */
export function batchSender(b: BatchResult): string {
  const seg = b.batches[0]?.header ?? b.fileHeader ?? '';
  const f = seg.split(seg[3] ?? '|');
  return `${f[2] ?? ''}|${f[3] ?? ''}`;
}

/** Issues of the dry run per message (paths `message k …`); issues naming no message go to every message. */
export function issuesByMessage(issues: readonly Issue[], count: number): Issue[][] {
  const out: Issue[][] = Array.from({ length: count }, () => []);
  for (const i of issues) {
    const m = /^message(?:\[(\d+)\]| (\d+))(?: (.*))?$/.exec(i.path ?? ''); // `message 2 PID-3` or `message[2] PID-3`
    const k = m ? Number(m[1] ?? m[2]) - 1 : -1;
    const located = m ? { ...i, path: m[3] } : i;
    if (k >= 0 && k < count) out[k]!.push(located);
    else for (const list of out) list.push(i);
  }
  return out;
}

const REPLY_ID = () => `R${Date.now().toString(36).toUpperCase()}${Math.floor(Math.random() * 1e6).toString(36).toUpperCase()}`;

function replyHeader(seg: string, s: AckSettings, now: Date): string {
  const fs = seg[3] ?? '|';
  const f = seg.split(fs);
  return [seg.slice(0, 3), f[1] ?? '^~\\&', s.sendingApplication ?? f[4] ?? '', s.sendingFacility ?? f[5] ?? '', f[2] ?? '', f[3] ?? '', hl7Timestamp(now), '', '', '', REPLY_ID(), f[10] ?? ''].join(fs);
}

/**
 * The batch ACK: envelope echoing the original's control IDs, then an ACK (`code`, ERR per error) for every message
 * whose issue list has an error; BTS-1 counts those ACKs. Encoded in the first message's character set.
 */
export function batchAckBytes(b: BatchResult, perMessage: Issue[][], code: AckCode, s: AckSettings): Buffer {
  const now = new Date();
  const lines: string[] = [];
  if (b.fileHeader) lines.push(replyHeader(b.fileHeader, s, now));
  const bhs = b.batches[0]?.header ?? (b.fileHeader ? `BHS${b.fileHeader.slice(3)}` : 'BHS|^~\\&');
  lines.push(replyHeader(bhs, s, now));
  let acks = 0;
  b.messages.forEach((m, k) => {
    const errors = (perMessage[k] ?? []).filter((i) => i.severity === 'error');
    if (errors.length === 0) return;
    acks++;
    const ack = buildAck(m, { code, issues: errors.slice(0, s.maxErrSegments), errorCode: errorCodeOf, textMessage: errors[0]!.message.slice(0, 80) });
    lines.push(ack.toString({ normalize: true }).replace(/\r$/, ''));
  });
  const fs = bhs[3] ?? '|';
  lines.push(['BTS', String(acks)].join(fs));
  if (b.fileHeader) lines.push(['FTS', '1'].join(fs));
  return encodeText(lines.join('\r') + '\r', b.messages[0]?.encoding ?? 'utf8');
}
