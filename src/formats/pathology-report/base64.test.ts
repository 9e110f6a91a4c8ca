import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compactBase64, decodedPrefix, decodedSize, isStrictBase64, looksLikePdf, sha1OfBase64 } from './base64.js';

describe('Base64 payloads', () => {
  const bytes = Buffer.from(Array.from({ length: 200_003 }, (_, i) => (i * 7919) % 256));
  const b64 = bytes.toString('base64');

  it('size, prefix and SHA-1 without a full decoded copy agree with the bytes', () => {
    expect(decodedSize(b64)).toBe(bytes.length);
    for (const n of [1, 2, 3]) expect(decodedSize(Buffer.alloc(n).toString('base64'))).toBe(n);
    expect(decodedPrefix(b64, 5).equals(bytes.subarray(0, 5))).toBe(true);
    expect(sha1OfBase64(b64)).toBe(createHash('sha1').update(bytes).digest('base64'));
  });

  it('strict check: alphabet, padding at the end, length multiple of 4', () => {
    expect(isStrictBase64(b64)).toBe(true);
    expect(isStrictBase64('')).toBe(false);
    expect(isStrictBase64('abc')).toBe(false);
    expect(isStrictBase64('ab=c')).toBe(false);
    expect(isStrictBase64('ab*c')).toBe(false);
    expect(isStrictBase64('YQ==')).toBe(true);
  });

  it('line breaks are removed, a clean string is returned as is', () => {
    expect(compactBase64('YWJj\r\nZGVm\n')).toBe('YWJjZGVm');
    const clean = 'YWJjZGVm';
    expect(compactBase64(clean)).toBe(clean);
  });

  it('PDF magic', () => {
    expect(looksLikePdf(Buffer.from('%PDF-1.7\n…').toString('base64'))).toBe(true);
    expect(looksLikePdf(Buffer.from('<html>').toString('base64'))).toBe(false);
  });
});
