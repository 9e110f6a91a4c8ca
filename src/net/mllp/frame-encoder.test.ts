import { describe, expect, test } from 'vitest';
import { encodeFrame, findFramingByte } from './frame-encoder.js';

describe('encodeFrame', () => {
  test('wraps the payload in VT ... FS CR', () => {
    expect([...encodeFrame(Buffer.from('MSH|^~\\&|A'))]).toEqual([0x0b, ...Buffer.from('MSH|^~\\&|A'), 0x1c, 0x0d]);
  });

  test('an empty payload gives the 3-byte empty frame', () => {
    expect([...encodeFrame(Buffer.alloc(0))]).toEqual([0x0b, 0x1c, 0x0d]);
  });

  test('copies the payload: later changes to the source do not leak into the frame', () => {
    const payload = Buffer.from('abc');
    const frame = encodeFrame(payload);
    payload[0] = 0x7a;
    expect(frame.subarray(1, 4).toString()).toBe('abc');
  });

  test('keeps non-ASCII bytes untouched (payload is opaque)', () => {
    const payload = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0xc3, 0xa9]);
    expect(encodeFrame(payload).subarray(1, -2)).toEqual(payload);
  });

  test.each([
    ['VT', Buffer.from([0x41, 0x0b, 0x42]), 1],
    ['FS', Buffer.from([0x41, 0x42, 0x1c]), 2],
  ])('refuses a payload containing %s', (_name, payload, at) => {
    expect(findFramingByte(payload)).toBe(at);
    expect(() => encodeFrame(payload)).toThrow(RangeError);
    expect(() => encodeFrame(payload)).toThrow(`offset ${at}`);
  });

  test('findFramingByte reports the first of several framing bytes, -1 when clean', () => {
    expect(findFramingByte(Buffer.from([0x1c, 0x0b]))).toBe(0);
    expect(findFramingByte(Buffer.from([0x41, 0x0b, 0x1c]))).toBe(1);
    expect(findFramingByte(Buffer.from('plain'))).toBe(-1);
  });
});
