import crypto from 'node:crypto';

/** Time-ordered message id: 9 base-36 chars of milliseconds + 12 hex random chars (sorts by arrival). */
export function newMessageId(now = Date.now()): string {
  return now.toString(36).padStart(9, '0') + crypto.randomBytes(6).toString('hex');
}

export const sha256 = (b: Buffer | string): string => crypto.createHash('sha256').update(b).digest('hex');
