import type { Issue } from '../../engine/issues.js';
import { CR, DEFAULT_MAX_FRAME_BYTES, FS, VT } from './mllp-bytes.js';

/** Stable codes of the problems the decoder reports. */
export type MllpDecoderIssueCode =
  /** Bytes outside any frame were skipped (severity `info` if they were only whitespace such as a trailing LF). */
  | 'MLLP_JUNK_DISCARDED'
  /** FS was not followed by CR (a warning when tolerated, an error in strict mode where the frame is dropped). */
  | 'MLLP_MISSING_CR'
  /** A frame grew beyond `maxFrameBytes`; it is dropped and the decoder skips to the next VT. */
  | 'MLLP_FRAME_TOO_LARGE'
  /** A VT arrived inside an open frame; the partial frame is dropped and a new frame starts at that VT. */
  | 'MLLP_FRAME_ABORTED'
  /** The stream ended (`finish()`) in the middle of a frame. */
  | 'MLLP_INCOMPLETE_FRAME';

/** A framing problem, as data. `offset` is the position in the whole stream where it was detected. */
export interface MllpDecoderIssue extends Issue {
  code: MllpDecoderIssueCode;
  /** Bytes concerned: junk skipped, or payload bytes of the dropped frame received so far. */
  bytes: number;
  /** Stream offset (bytes since the decoder was created) where the problem was detected. */
  offset: number;
}

export interface MllpFrameDecoderOptions {
  /** Largest accepted payload, in bytes, framing excluded. Default {@link DEFAULT_MAX_FRAME_BYTES}. */
  maxFrameBytes?: number;
  /**
   * true (default): a frame ends at FS; the CR after it is consumed when present and its absence is a warning.
   * false: a frame is only complete at FS+CR; FS followed by anything else drops the frame with an error.
   */
  tolerateMissingCr?: boolean;
  /** Called synchronously, during `push()`/`finish()`, for each problem. */
  onIssue?: (issue: MllpDecoderIssue) => void;
}

/** Cumulative counters of one decoder. */
export interface MllpFrameDecoderStats {
  bytesIn: number;
  framesDecoded: number;
  /** Bytes that did not end up in an emitted frame (junk, oversize and aborted frames, framing bytes excluded). */
  discardedBytes: number;
  issues: number;
}

type State = 'idle' | 'frame' | 'after-fs' | 'discarding';

const isWhitespace = (b: number): boolean => b === 0x0a || b === 0x0d || b === 0x20 || b === 0x09;

/**
 * Incremental MLLP stream decoder: feed it socket chunks in order, get back complete frame payloads.
 *
 * A partial frame is kept as a list of views on the pushed chunks and copied exactly once when its FS arrives,
 * so decoding is linear in the stream size however the stream is chunked. Chunks must not be mutated after
 * being pushed (socket chunks never are).
 */
export class MllpFrameDecoder {
  readonly stats: MllpFrameDecoderStats = { bytesIn: 0, framesDecoded: 0, discardedBytes: 0, issues: 0 };
  private readonly maxFrameBytes: number;
  private readonly tolerateMissingCr: boolean;
  private readonly onIssue: ((issue: MllpDecoderIssue) => void) | undefined;

  private state: State = 'idle';
  /** Stream offset of the first byte of the chunk being decoded. */
  private base = 0;
  private parts: Buffer[] = [];
  private frameBytes = 0;
  private frameStart = 0;
  /** Strict mode only: frame whose FS was seen, waiting for its CR. */
  private pending: Buffer | undefined;
  private junkBytes = 0;
  private junkStart = 0;
  private junkWhitespaceOnly = true;

  constructor(options: MllpFrameDecoderOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isSafeInteger(max) || max < 0) throw new RangeError(`maxFrameBytes must be a non-negative integer, got ${max}`);
    this.maxFrameBytes = max;
    this.tolerateMissingCr = options.tolerateMissingCr ?? true;
    this.onIssue = options.onIssue;
  }

  /** Decodes one more chunk of the stream; returns the payloads of the frames it completed, in order. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    const len = chunk.length;
    // Cached search results: each indexOf resumes past the previous hit, so every byte is scanned O(1) times.
    let nextVt = -2;
    let nextFs = -2;
    const findVt = (from: number): number => (nextVt !== -1 && nextVt < from ? (nextVt = chunk.indexOf(VT, from)) : nextVt);
    const findFs = (from: number): number => (nextFs !== -1 && nextFs < from ? (nextFs = chunk.indexOf(FS, from)) : nextFs);

    let pos = 0;
    while (pos < len) {
      switch (this.state) {
        case 'idle': {
          const vt = findVt(pos);
          const end = vt === -1 ? len : vt;
          if (end > pos) this.addJunk(chunk, pos, end);
          if (vt !== -1) {
            this.flushJunk();
            this.startFrame(this.base + vt);
          }
          pos = end + (vt === -1 ? 0 : 1);
          break;
        }
        case 'frame': {
          const fs = findFs(pos);
          const stop = fs === -1 ? len : fs;
          const vt = findVt(pos);
          if (vt !== -1 && vt < stop) {
            this.dropFrame('MLLP_FRAME_ABORTED', this.frameBytes + (vt - pos), this.base + vt,
              `VT inside an open frame started at byte ${this.frameStart}; partial frame dropped, new frame started`);
            this.startFrame(this.base + vt);
            pos = vt + 1;
            break;
          }
          const n = stop - pos;
          if (this.frameBytes + n > this.maxFrameBytes) {
            this.dropFrame('MLLP_FRAME_TOO_LARGE', this.frameBytes + n, this.base + pos + (this.maxFrameBytes - this.frameBytes),
              `frame started at byte ${this.frameStart} exceeds ${this.maxFrameBytes} bytes; skipping to the next VT`);
            this.state = 'discarding';
            pos = stop;
            break;
          }
          if (n > 0) this.parts.push(chunk.subarray(pos, stop));
          this.frameBytes += n;
          if (fs === -1) {
            pos = len;
            break;
          }
          const payload = Buffer.concat(this.parts, this.frameBytes);
          this.parts = [];
          if (this.tolerateMissingCr) this.emit(payload, frames);
          else this.pending = payload;
          this.state = 'after-fs';
          pos = fs + 1;
          break;
        }
        case 'after-fs': {
          if (chunk[pos] === CR) {
            if (this.pending) this.emit(this.pending, frames);
            this.pending = undefined;
            pos += 1;
          } else {
            this.missingCr(this.base + pos);
          }
          this.state = 'idle';
          break;
        }
        case 'discarding': {
          const vt = findVt(pos);
          const end = vt === -1 ? len : vt;
          this.stats.discardedBytes += end - pos;
          if (vt !== -1) this.state = 'idle';
          pos = end;
          break;
        }
      }
    }
    this.base += len;
    this.stats.bytesIn += len;
    return frames;
  }

  /** Declares the end of the stream: reports trailing junk and any unfinished frame, then resets the decoder. */
  finish(): void {
    this.flushJunk();
    if (this.state === 'frame') {
      this.dropFrame('MLLP_INCOMPLETE_FRAME', this.frameBytes, this.base, `stream ended inside the frame started at byte ${this.frameStart}`);
    } else if (this.state === 'after-fs') {
      this.missingCr(this.base);
    }
    this.state = 'idle';
    this.parts = [];
    this.frameBytes = 0;
  }

  private emit(payload: Buffer, frames: Buffer[]): void {
    this.stats.framesDecoded += 1;
    frames.push(payload);
  }

  private startFrame(offset: number): void {
    this.state = 'frame';
    this.parts = [];
    this.frameBytes = 0;
    this.frameStart = offset;
  }

  private dropFrame(code: MllpDecoderIssueCode, bytes: number, offset: number, message: string): void {
    this.stats.discardedBytes += bytes;
    this.parts = [];
    this.frameBytes = 0;
    this.report({ severity: 'error', code, bytes, offset, message, path: `byte ${offset}` });
  }

  private missingCr(offset: number): void {
    if (this.pending) {
      const bytes = this.pending.length;
      this.stats.discardedBytes += bytes;
      this.pending = undefined;
      this.report({ severity: 'error', code: 'MLLP_MISSING_CR', bytes, offset, path: `byte ${offset}`,
        message: 'FS not followed by CR; frame dropped (strict mode)' });
    } else {
      this.report({ severity: 'warning', code: 'MLLP_MISSING_CR', bytes: 0, offset, path: `byte ${offset}`,
        message: 'FS not followed by CR; frame accepted (tolerant mode)' });
    }
  }

  private addJunk(chunk: Buffer, from: number, to: number): void {
    if (this.junkBytes === 0) {
      this.junkStart = this.base + from;
      this.junkWhitespaceOnly = true;
    }
    for (let i = from; this.junkWhitespaceOnly && i < to; i++) {
      if (!isWhitespace(chunk[i] as number)) this.junkWhitespaceOnly = false;
    }
    this.junkBytes += to - from;
    this.stats.discardedBytes += to - from;
    // A peer streaming unframed bytes forever is reported without waiting for the run to end.
    if (this.junkBytes > this.maxFrameBytes) this.flushJunk();
  }

  private flushJunk(): void {
    if (this.junkBytes === 0) return;
    const bytes = this.junkBytes;
    const severity = bytes > this.maxFrameBytes ? 'error' : this.junkWhitespaceOnly ? 'info' : 'warning';
    this.junkBytes = 0;
    this.report({ severity, code: 'MLLP_JUNK_DISCARDED', bytes, offset: this.junkStart, path: `byte ${this.junkStart}`,
      message: `${bytes} byte(s) outside any frame discarded` });
  }

  private report(issue: MllpDecoderIssue): void {
    this.stats.issues += 1;
    this.onIssue?.(issue);
  }
}
