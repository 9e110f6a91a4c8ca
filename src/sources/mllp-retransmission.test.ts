import { describe, expect, it } from 'vitest';
import { retransmissionHash } from './mllp-retransmission.js';

const msg = (msh7: string, name = 'DUPONT^Jean', sep = '|') =>
  Buffer.from(`MSH${sep}^~\\&${sep}LAB${sep}HOSP${sep}RELAIS${sep}DCC${sep}${msh7}${sep}${sep}ADT^A01${sep}C-1${sep}P${sep}2.5\rPID${sep}1${sep}${sep}IPP1${sep}${sep}${name}\r`, 'latin1');

describe('retransmissionHash', () => {
  it('is the same for a resend stamped with another MSH-7', () => {
    expect(retransmissionHash(msg('20240101120000'))).toBe(retransmissionHash(msg('20240101120105')));
  });
  it('differs when anything else differs', () => {
    expect(retransmissionHash(msg('20240101120000'))).not.toBe(retransmissionHash(msg('20240101120000', 'MARTIN^Paul')));
  });
  it('follows the sender’s field separator (MSH-1)', () => {
    expect(retransmissionHash(msg('20240101120000', 'A', '#'))).toBe(retransmissionHash(msg('20240101130000', 'A', '#')));
  });
  it('keeps bytes as they are (Latin-1 or UTF-8 alike)', () => {
    const latin1 = Buffer.concat([msg('1').subarray(0, -1), Buffer.from([0xe9, 0x0d])]);
    const utf8 = Buffer.concat([msg('1').subarray(0, -1), Buffer.from([0xc3, 0xa9, 0x0d])]);
    expect(retransmissionHash(latin1)).not.toBe(retransmissionHash(utf8));
  });
});
