import type { MappingContext } from './define.js';
import type { Issue } from './issues.js';
import type { PipelineOutcome, PipelineThrew } from './pipeline-runner.js';

/** Messages between the main thread and a pipeline thread. Bytes travel as exact-size, transferred Uint8Arrays. */
export type ThreadRequest =
  | { id: number; kind: 'run'; channelId: string; items: { raw: Uint8Array; ctx: MappingContext }[] }
  | { id: number; kind: 'check'; channelId: string; raw: Uint8Array; ctx: MappingContext };

export type ThreadReply =
  | { id: number; results: (PipelineOutcome | PipelineThrew)[] }
  | { id: number; issues: Issue[] }
  | { id: number; error: string }
  /** Sent once, when the thread has read the channel files. */
  | { id: 0; ready: true };

/**
 * A copy of exactly these bytes in an ArrayBuffer of their own, safe to transfer: a small Buffer is a view on Node's
 * shared pool, which must neither be transferred (it would be detached) nor cloned (the whole pool would be copied).
 */
export const toWire = (b: Uint8Array): Uint8Array => new Uint8Array(b);

/** A Buffer on received bytes, without copying them. */
export const fromWire = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
