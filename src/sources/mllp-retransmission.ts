import { createHash } from 'node:crypto';

/**
 * The identity of an HL7 v2 message for duplicate detection: its bytes with MSH-7 (date/time of message) emptied.
 * Senders that time out waiting for an ACK often resend the same message stamped with a new MSH-7; under the same
 * sender and MSH-10 that is a retransmission, not a control ID reused for other content. Works on bytes (latin1 is
 * one char per byte), so no charset is assumed.
 */
export function retransmissionHash(payload: Buffer): string {
  const text = payload.toString('latin1');
  const end = text.search(/[\r\n]/);
  const header = end < 0 ? text : text.slice(0, end);
  const separator = header.startsWith('MSH') ? header[3] : undefined;
  let normalised = text;
  if (separator) {
    const fields = header.split(separator);
    if (fields.length > 6) fields[6] = ''; // fields[0] = 'MSH', [1] = MSH-2, … [6] = MSH-7
    normalised = fields.join(separator) + (end < 0 ? '' : text.slice(end));
  }
  return createHash('sha256').update(normalised, 'latin1').digest('hex');
}
