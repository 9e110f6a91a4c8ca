import { describe, expect, test } from 'vitest';
import { MllpFrameDecoder, type MllpDecoderIssue, type MllpFrameDecoderOptions } from './frame-decoder.js';
import { encodeFrame } from './frame-encoder.js';

const VT = 0x0b;
const FS = 0x1c;
const CR = 0x0d;
const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const frame = (s: string): Buffer => encodeFrame(b(s));
const texts = (frames: Buffer[]): string[] => frames.map((f) => f.toString('latin1'));

function decoder(options: Omit<MllpFrameDecoderOptions, 'onIssue'> = {}) {
  const issues: MllpDecoderIssue[] = [];
  const d = new MllpFrameDecoder({ ...options, onIssue: (i) => issues.push(i) });
  return { d, issues };
}

/** Pushes `stream` cut at the given positions; returns every frame emitted. */
function decodeSplit(d: MllpFrameDecoder, stream: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const cut of [...cuts, stream.length]) {
    out.push(...d.push(stream.subarray(prev, cut)));
    prev = cut;
  }
  return out;
}

/** Small deterministic PRNG (mulberry32) so that a failing seed can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random payload bytes: anything but VT and FS, which MLLP forbids inside a payload. CR and LF are frequent. */
function randomPayload(rand: () => number, maxLen: number): Buffer {
  const len = Math.floor(rand() * (maxLen + 1));
  const out = Buffer.alloc(len);
  for (let i = 0; i < len; i++) {
    let byte = rand() < 0.1 ? CR : Math.floor(rand() * 256);
    if (byte === VT || byte === FS) byte = 0x41;
    out[i] = byte;
  }
  return out;
}

describe('MllpFrameDecoder: basic framing', () => {
  test('one frame in one chunk', () => {
    const { d, issues } = decoder();
    expect(texts(d.push(frame('MSH|1')))).toEqual(['MSH|1']);
    expect(issues).toEqual([]);
    expect(d.stats).toMatchObject({ framesDecoded: 1, bytesIn: 8, discardedBytes: 0, issues: 0 });
  });

  test('several frames in one chunk come out in order', () => {
    const { d, issues } = decoder();
    const chunk = Buffer.concat([frame('one'), frame('two'), frame(''), frame('four')]);
    expect(texts(d.push(chunk))).toEqual(['one', 'two', '', 'four']);
    expect(issues).toEqual([]);
  });

  test('payload CR and LF bytes are data, not framing', () => {
    const { d } = decoder();
    expect(texts(d.push(frame('MSH|a\rPID|b\r\n')))).toEqual(['MSH|a\rPID|b\r\n']);
  });

  test('returned frames are independent copies of the pushed chunks', () => {
    const { d } = decoder();
    const chunk = frame('abc');
    const [out] = d.push(chunk);
    chunk.fill(0x7a);
    expect(out?.toString()).toBe('abc');
  });

  test('a frame split right after VT, right before FS and between FS and CR', () => {
    const { d, issues } = decoder();
    expect(d.push(Buffer.from([VT]))).toEqual([]);
    expect(d.push(b('hel'))).toEqual([]);
    expect(d.push(b('lo'))).toEqual([]);
    expect(texts(d.push(Buffer.from([FS])))).toEqual(['hello']); // tolerant: emitted at FS
    expect(d.push(Buffer.from([CR]))).toEqual([]);
    expect(texts(d.push(frame('next')))).toEqual(['next']);
    expect(issues).toEqual([]);
  });

  test('a frame dribbled byte by byte', () => {
    const { d, issues } = decoder();
    const out: Buffer[] = [];
    for (const byte of Buffer.concat([frame('MSH|x'), frame('MSH|y')])) out.push(...d.push(Buffer.from([byte])));
    expect(texts(out)).toEqual(['MSH|x', 'MSH|y']);
    expect(issues).toEqual([]);
  });

  test('empty chunks are harmless', () => {
    const { d } = decoder();
    expect(d.push(Buffer.alloc(0))).toEqual([]);
    expect(texts(d.push(frame('a')))).toEqual(['a']);
    expect(d.push(Buffer.alloc(0))).toEqual([]);
  });
});

describe('MllpFrameDecoder: junk between frames', () => {
  test('junk before, between and after frames is skipped and reported with its size', () => {
    const { d, issues } = decoder();
    const out = d.push(Buffer.concat([b('garbage'), frame('a'), b('xy'), frame('b')]));
    expect(texts(out)).toEqual(['a', 'b']);
    expect(issues.map((i) => [i.code, i.severity, i.bytes, i.offset])).toEqual([
      ['MLLP_JUNK_DISCARDED', 'warning', 7, 0],
      ['MLLP_JUNK_DISCARDED', 'warning', 2, 11],
    ]);
    d.push(b('tail'));
    expect(issues).toHaveLength(2); // the run is reported when it ends...
    d.finish();
    expect(issues[2]).toMatchObject({ code: 'MLLP_JUNK_DISCARDED', bytes: 4, offset: 17 }); // ...or at end of stream
    expect(d.stats.discardedBytes).toBe(13);
  });

  test('a junk run split across chunks is reported once with its total', () => {
    const { d, issues } = decoder();
    const out = decodeSplit(d, Buffer.concat([b('abcdef'), frame('z')]), [1, 2, 3, 5]);
    expect(texts(out)).toEqual(['z']);
    expect(issues).toEqual([expect.objectContaining({ code: 'MLLP_JUNK_DISCARDED', bytes: 6, offset: 0 })]);
  });

  test('whitespace-only junk (FS CR LF senders) is reported as info', () => {
    const { d, issues } = decoder();
    expect(texts(d.push(Buffer.concat([frame('a'), b('\n'), frame('b'), b('\r\n'), frame('c')])))).toEqual(['a', 'b', 'c']);
    expect(issues.map((i) => [i.severity, i.bytes])).toEqual([['info', 1], ['info', 2]]);
  });

  test('an endless unframed stream is reported as an error once it exceeds maxFrameBytes', () => {
    const { d, issues } = decoder({ maxFrameBytes: 10 });
    d.push(b('0123456789'));
    expect(issues).toEqual([]);
    d.push(b('A'));
    expect(issues).toEqual([expect.objectContaining({ code: 'MLLP_JUNK_DISCARDED', severity: 'error', bytes: 11 })]);
  });
});

describe('MllpFrameDecoder: FS without CR', () => {
  test('tolerant (default): frame kept, warning reported, next frame decoded', () => {
    const { d, issues } = decoder();
    const stream = Buffer.concat([Buffer.from([VT]), b('a'), Buffer.from([FS]), frame('b')]);
    expect(texts(d.push(stream))).toEqual(['a', 'b']);
    expect(issues).toEqual([expect.objectContaining({ code: 'MLLP_MISSING_CR', severity: 'warning', offset: 3 })]);
  });

  test('tolerant: FS followed by junk keeps the frame and reports both problems', () => {
    const { d, issues } = decoder();
    const stream = Buffer.concat([Buffer.from([VT]), b('a'), Buffer.from([FS]), b('zz'), frame('b')]);
    expect(texts(d.push(stream))).toEqual(['a', 'b']);
    expect(issues.map((i) => [i.code, i.bytes])).toEqual([['MLLP_MISSING_CR', 0], ['MLLP_JUNK_DISCARDED', 2]]);
  });

  test('tolerant: the frame is available at FS even if the CR never comes (sender waiting for its ACK)', () => {
    const { d, issues } = decoder();
    expect(texts(d.push(Buffer.from([VT, 0x41, FS])))).toEqual(['A']);
    d.finish();
    expect(issues).toEqual([expect.objectContaining({ code: 'MLLP_MISSING_CR', severity: 'warning' })]);
  });

  test('strict: the frame is emitted only at CR, even when CR comes in a later chunk', () => {
    const { d, issues } = decoder({ tolerateMissingCr: false });
    expect(d.push(Buffer.from([VT, 0x41, FS]))).toEqual([]);
    expect(texts(d.push(Buffer.from([CR])))).toEqual(['A']);
    expect(issues).toEqual([]);
  });

  test('strict: FS followed by another byte drops the frame with an error and resyncs', () => {
    const { d, issues } = decoder({ tolerateMissingCr: false });
    const stream = Buffer.concat([Buffer.from([VT]), b('lost'), Buffer.from([FS]), frame('kept')]);
    expect(texts(d.push(stream))).toEqual(['kept']);
    expect(issues).toEqual([expect.objectContaining({ code: 'MLLP_MISSING_CR', severity: 'error', bytes: 4, offset: 6 })]);
    expect(d.stats).toMatchObject({ framesDecoded: 1, discardedBytes: 4 });
  });

  test('strict: end of stream after FS drops the pending frame', () => {
    const { d, issues } = decoder({ tolerateMissingCr: false });
    expect(d.push(Buffer.from([VT, 0x41, FS]))).toEqual([]);
    d.finish();
    expect(issues).toEqual([expect.objectContaining({ code: 'MLLP_MISSING_CR', severity: 'error', bytes: 1 })]);
  });
});

describe('MllpFrameDecoder: maximum frame size', () => {
  test('a payload of exactly maxFrameBytes is accepted', () => {
    const { d, issues } = decoder({ maxFrameBytes: 5 });
    expect(texts(d.push(frame('12345')))).toEqual(['12345']);
    expect(issues).toEqual([]);
  });

  test('one byte more is rejected, then the decoder resyncs at the next VT', () => {
    const { d, issues } = decoder({ maxFrameBytes: 5 });
    const stream = Buffer.concat([frame('ok'), frame('123456'), frame('after')]);
    expect(texts(d.push(stream))).toEqual(['ok', 'after']);
    expect(issues).toEqual([
      expect.objectContaining({ code: 'MLLP_FRAME_TOO_LARGE', severity: 'error', bytes: 6, offset: 5 + 1 + 5 }),
    ]);
    expect(d.stats.framesDecoded).toBe(2);
  });

  test('an oversize frame arriving in many chunks stops being buffered and skips everything up to the next VT', () => {
    const { d, issues } = decoder({ maxFrameBytes: 100 });
    const big = frame('x'.repeat(10_000));
    const stream = Buffer.concat([big, b('junk after the oversize frame'), frame('next')]);
    const cuts = Array.from({ length: Math.floor(stream.length / 7) }, (_, i) => (i + 1) * 7);
    expect(texts(decodeSplit(d, stream, cuts))).toEqual(['next']);
    expect(issues.map((i) => i.code)).toEqual(['MLLP_FRAME_TOO_LARGE']);
    // buffered bytes never exceed the limit: the frame was dropped as soon as it crossed it
    expect(issues[0]?.bytes).toBeLessThanOrEqual(100 + 7);
    expect(d.stats.discardedBytes).toBe(10_000 + 2 + 'junk after the oversize frame'.length);
  });

  test('maxFrameBytes 0 accepts only empty frames', () => {
    const { d, issues } = decoder({ maxFrameBytes: 0 });
    expect(texts(d.push(Buffer.concat([frame(''), frame('a'), frame('')])))).toEqual(['', '']);
    expect(issues.map((i) => i.code)).toEqual(['MLLP_FRAME_TOO_LARGE']);
  });

  test('rejects an invalid limit', () => {
    expect(() => new MllpFrameDecoder({ maxFrameBytes: -1 })).toThrow(RangeError);
    expect(() => new MllpFrameDecoder({ maxFrameBytes: 1.5 })).toThrow(RangeError);
  });
});

describe('MllpFrameDecoder: aborted and incomplete frames', () => {
  test('a VT inside an open frame drops the partial frame and starts a new one', () => {
    const { d, issues } = decoder();
    const stream = Buffer.concat([Buffer.from([VT]), b('truncated'), frame('whole')]);
    expect(texts(d.push(stream))).toEqual(['whole']);
    expect(issues).toEqual([expect.objectContaining({ code: 'MLLP_FRAME_ABORTED', severity: 'error', bytes: 9, offset: 10 })]);
  });

  test('a VT inside an open frame is detected across chunks', () => {
    const { d, issues } = decoder();
    expect(d.push(Buffer.concat([Buffer.from([VT]), b('part')]))).toEqual([]);
    expect(texts(d.push(Buffer.concat([b('ial'), frame('whole')])))).toEqual(['whole']);
    expect(issues).toEqual([expect.objectContaining({ code: 'MLLP_FRAME_ABORTED', bytes: 7 })]);
  });

  test('finish() inside a frame reports the incomplete frame and resets', () => {
    const { d, issues } = decoder();
    d.push(Buffer.concat([Buffer.from([VT]), b('half')]));
    d.finish();
    expect(issues).toEqual([expect.objectContaining({ code: 'MLLP_INCOMPLETE_FRAME', bytes: 4, offset: 5 })]);
    expect(texts(d.push(frame('fresh')))).toEqual(['fresh']);
  });

  test('finish() between frames reports nothing', () => {
    const { d, issues } = decoder();
    d.push(frame('a'));
    d.finish();
    expect(issues).toEqual([]);
  });
});

describe('MllpFrameDecoder: property-style split invariance', () => {
  test('a stream of random frames split at every single position decodes to the same frames', () => {
    const rand = prng(42);
    const payloads = Array.from({ length: 12 }, () => randomPayload(rand, 12));
    const stream = Buffer.concat(payloads.map(encodeFrame));
    for (let cut = 0; cut <= stream.length; cut++) {
      const { d, issues } = decoder();
      expect(decodeSplit(d, stream, [cut]), `cut at ${cut}`).toEqual(payloads);
      expect(issues).toEqual([]);
    }
  });

  test('split at every pair of positions', () => {
    const rand = prng(7);
    const payloads = Array.from({ length: 5 }, () => randomPayload(rand, 6));
    const stream = Buffer.concat(payloads.map(encodeFrame));
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j++) {
        const { d, issues } = decoder();
        expect(decodeSplit(d, stream, [i, j]), `cuts ${i},${j}`).toEqual(payloads);
        expect(issues).toEqual([]);
      }
    }
  });

  test('random streams with random junk, split at random positions, give the same frames and junk totals', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rand = prng(seed);
      const payloads = Array.from({ length: 1 + Math.floor(rand() * 20) }, () => randomPayload(rand, 300));
      let junkTotal = 0;
      const pieces: Buffer[] = [];
      for (const p of payloads) {
        if (rand() < 0.3) {
          const junk = Buffer.from(randomPayload(rand, 10).filter((x) => x !== VT)); // junk cannot contain VT
          junkTotal += junk.length;
          pieces.push(junk);
        }
        pieces.push(encodeFrame(p));
      }
      const stream = Buffer.concat(pieces);
      const cuts = Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * (stream.length + 1))).sort((x, y) => x - y);
      const { d, issues } = decoder();
      const out = decodeSplit(d, stream, cuts);
      d.finish();
      expect(out, `seed ${seed}`).toEqual(payloads);
      expect(issues.every((i) => i.code === 'MLLP_JUNK_DISCARDED'), `seed ${seed}`).toBe(true);
      expect(issues.reduce((n, i) => n + i.bytes, 0), `seed ${seed}`).toBe(junkTotal);
      expect(d.stats.discardedBytes, `seed ${seed}`).toBe(junkTotal);
      expect(d.stats.bytesIn).toBe(stream.length);
    }
  });

  test('strict mode gives the same frames as tolerant mode on well-formed streams', () => {
    for (let seed = 1000; seed < 1100; seed++) {
      const rand = prng(seed);
      const payloads = Array.from({ length: 1 + Math.floor(rand() * 10) }, () => randomPayload(rand, 50));
      const stream = Buffer.concat(payloads.map(encodeFrame));
      const cuts = Array.from({ length: 10 }, () => Math.floor(rand() * (stream.length + 1))).sort((x, y) => x - y);
      const { d } = decoder({ tolerateMissingCr: false });
      expect(decodeSplit(d, stream, cuts), `seed ${seed}`).toEqual(payloads);
    }
  });
});

describe('MllpFrameDecoder: linear time', () => {
  test('a 32 MiB frame in 64 KiB chunks and 100k tiny frames in one chunk decode quickly', () => {
    const { d } = decoder({ maxFrameBytes: 64 * 1024 * 1024 });
    const payload = Buffer.alloc(32 * 1024 * 1024, 0x41);
    const big = encodeFrame(payload);
    const started = performance.now();
    const out: Buffer[] = [];
    for (let i = 0; i < big.length; i += 64 * 1024) out.push(...d.push(big.subarray(i, i + 64 * 1024)));
    expect(out).toHaveLength(1);
    expect(out[0]?.equals(payload)).toBe(true);
    const many = Buffer.concat(Array.from({ length: 100_000 }, (_, i) => frame(`m${i}`)));
    expect(d.push(many)).toHaveLength(100_000);
    // A quadratic implementation takes minutes here; the linear one well under a second.
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  test('many VTs before one FS do not rescan the chunk (each aborts the previous frame)', () => {
    const { d, issues } = decoder();
    const stream = Buffer.concat([Buffer.alloc(200_000, VT), b('x'), Buffer.from([FS, CR])]);
    const started = performance.now();
    expect(texts(d.push(stream))).toEqual(['x']);
    expect(issues).toHaveLength(199_999);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
