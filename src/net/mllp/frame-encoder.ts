import { CR, FS, VT } from './mllp-bytes.js';

/**
 * Position of the first byte that MLLP forbids inside a payload (VT 0x0B or FS 0x1C), or -1 if there is none.
 * Such a byte would make the receiver cut the frame short or restart it.
 */
export function findFramingByte(payload: Buffer): number {
  const vt = payload.indexOf(VT);
  const fs = payload.indexOf(FS);
  if (vt === -1) return fs;
  if (fs === -1) return vt;
  return Math.min(vt, fs);
}

/**
 * Wraps a payload in an MLLP frame: VT + payload + FS + CR. The payload is copied once.
 * @throws RangeError if the payload contains VT or FS, which no receiver could frame correctly.
 */
export function encodeFrame(payload: Buffer): Buffer {
  const bad = findFramingByte(payload);
  if (bad !== -1) {
    const hex = payload[bad]?.toString(16).padStart(2, '0');
    throw new RangeError(`MLLP payload contains framing byte 0x${hex} at offset ${bad}; it cannot be framed`);
  }
  const frame = Buffer.allocUnsafe(payload.length + 3);
  frame[0] = VT;
  payload.copy(frame, 1);
  frame[payload.length + 1] = FS;
  frame[payload.length + 2] = CR;
  return frame;
}
