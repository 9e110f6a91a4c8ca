import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Issue } from './issues.js';

/** What a source hands to the engine: bytes plus where they came from. Never logged. */
export interface RawMessage {
  content: Buffer;
  contentType?: string;
  /** Where it came from, e.g. the file name or `ip:port#connection`. Stored, searchable, not patient data. */
  sourceRef?: string;
  /** The sender's own id (MSH-10, file name + mtime, HTTP idempotency key). Used for duplicate detection. */
  sourceMessageId?: string;
  /** Duplicate detection key; defaults to `sourceMessageId` or else the content hash. */
  dedupKey?: string;
  /**
   * What makes two inputs under one dedup key "the same content" (`ReceiveResult.sameContent`); defaults to the
   * SHA-256 of `content`. A source sets it when a sender's retransmission legitimately differs, e.g. HL7 v2 senders
   * that stamp a new MSH-7 on each retry.
   */
  contentHash?: string;
  /**
   * Duplicate detection window: an earlier message with the same dedup key received longer ago than this no longer
   * counts (this one is stored and processed again). Default: no limit.
   */
  dedupWindowMs?: number;
  correlationId?: string;
}

export interface ReceiveResult {
  messageId: string;
  /** True when the same input was already received: nothing new was stored or enqueued. */
  duplicate: boolean;
  /** For a duplicate: whether the stored message has the same bytes (false: same dedup key, different content). */
  sameContent?: boolean;
}

/** What a source may tell its sender about one of its stored messages (e.g. an HTTP status endpoint). No payload. */
export interface StoredMessageStatus {
  messageId: string;
  status: string;
  issues: Issue[];
  receivedAt: Date;
  updatedAt: Date;
  /** SHA-256 (hex) of the raw content: tells a true duplicate from an idempotency key reused for other content. */
  contentHash: string;
  sourceMessageId?: string;
}

/** A lock held by one engine instance among all those sharing the Redis (see `SourceContext.lock`). */
export interface LockHandle {
  readonly name: string;
  /**
   * True while the lock is ours: its last renewal was confirmed less than the lock's time to live ago (counted from
   * when the renewal was sent). Check it before each step that must not run twice at the same time.
   */
  readonly held: boolean;
  /** Aborted once the lock is lost (expired and not renewable, or taken over by another instance). */
  readonly lost: AbortSignal;
  /** Stops the renewal and frees the lock, only if it is still ours. */
  release(): Promise<void>;
}

/** What the engine gives a running source. `receive` resolves only once the message is durably stored AND enqueued. */
export interface SourceContext {
  channelId: string;
  receive(raw: RawMessage): Promise<ReceiveResult>;
  /** Records input that could not become a message (e.g. unreadable file) as a stored error, never silently. */
  reject(raw: RawMessage, issues: Issue[]): Promise<ReceiveResult>;
  /**
   * Dry-runs parse → map → validate → route on the input (each part of a batch), storing nothing, so that a source
   * can answer its sender synchronously (HTTP 400 with every problem, HL7 AE/AR with ERR segments). A source that
   * refuses input after a check must still store it with `reject`.
   */
  check(raw: RawMessage): Promise<Issue[]>;
  /**
   * Tries to take a lock shared by every engine instance on the same Redis and queue prefix (e.g. one poller per
   * remote folder). Resolves to undefined when another instance holds it. The lock expires after `ttlMs` unless
   * renewed; the handle renews it in the background until released or lost.
   */
  lock(name: string, ttlMs: number): Promise<LockHandle | undefined>;
  /** The stored status of one of this channel's messages; undefined for an unknown id or another channel's message. */
  messageStatus?(messageId: string): Promise<StoredMessageStatus | undefined>;
  logger: Logger;
  dataDir: string;
  /** Folder of the channel file: relative paths in options resolve against it. */
  baseDir: string;
}

export interface RunningSource {
  /** Stops taking new input; resolves when in-flight receives have finished. */
  stop(): Promise<void>;
}

export interface SourceDefinition<S extends z.ZodObject = z.ZodObject> {
  type: string;
  description: string;
  /** Options schema (without `type`): parses, lints and documents the connector. */
  options: S;
  start(options: z.infer<S>, ctx: SourceContext): Promise<RunningSource>;
  /**
   * What this source needs for itself alone on this machine (a listening port, a local folder it empties), as
   * strings such as `port 2575` or `folder /abs/path`; lint refuses two channels claiming the same one.
   */
  claims?(options: z.infer<S>, baseDir: string): string[];
}

/** A parser turns raw bytes into a JSON-serialisable value. A splitting parser first cuts a batch into parts. */
export interface ParserDefinition<S extends z.ZodObject = z.ZodObject, V = unknown> {
  format: string;
  description: string;
  options: S;
  /** Cuts a batch (a CSV file, an HL7 batch) into independent messages; file-level problems are issues. */
  split?(raw: Buffer, options: z.infer<S>): { parts: { content: Buffer; ref: string }[]; issues: Issue[] };
  parse(raw: Buffer, options: z.infer<S>): { value?: V; issues: Issue[] };
}

/** Business keys a mapping extracts; indexed in the store for search and used for ordering. */
export interface BusinessKeys {
  patient?: string[];
  document?: string[];
  correlation?: string[];
}

/** A mapped message: canonical FHIR (JSON) or an already-encoded document (e.g. CDA XML). */
export interface Mapped {
  content: unknown;
  contentType: string;
}

export interface MappingContext {
  channelId: string;
  messageId: string;
  /** The time the message was received, so that mappings stay pure and deterministic. */
  receivedAt: Date;
}

export interface MappingResult {
  output?: Mapped;
  issues: Issue[];
  keys?: BusinessKeys;
}

/** A mapping is a pure function; it lives in `mappings/<name>.ts` with fixtures and tests beside it. */
export interface MappingDefinition<In = unknown> {
  name: string;
  description: string;
  /** The parser format this mapping reads (checked by lint). */
  input: string;
  map(input: In, ctx: MappingContext): MappingResult;
}

export type ValidateFn = (mapped: Mapped) => Promise<Issue[]>;

export interface StepContext {
  /** Directory of the channel file, to resolve relative paths in options. */
  baseDir: string;
  /**
   * True in `relais test` and `run-once`, which run with no network: a validator that needs a peer (e.g. a FHIR
   * server) reports an `info` issue saying what it did not check instead of calling it.
   */
  offline?: boolean;
}

export interface ValidatorDefinition<S extends z.ZodObject = z.ZodObject> {
  type: string;
  description: string;
  options: S;
  /** Compiles what is expensive (schemas, profiles) once per channel. */
  create(options: z.infer<S>, ctx: StepContext): Promise<ValidateFn>;
}

export interface Encoded {
  content: Buffer;
  contentType: string;
}

export interface DeliveryReceipt {
  /** What the peer answered, e.g. `201 Patient/123` or `AA`; stored in the delivery history. */
  detail: string;
}

/** Thrown by senders. `permanent` failures are held at once (no retry): e.g. HTTP 400/422, HL7 AR. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface Sender {
  send(encoded: Encoded, meta: { messageId: string; destinationId: string }): Promise<DeliveryReceipt>;
  close(): Promise<void>;
}

export interface DestinationContext {
  channelId: string;
  destinationId: string;
  baseDir: string;
  dataDir: string;
  logger: Logger;
}

export interface DestinationDefinition<S extends z.ZodObject = z.ZodObject> {
  type: string;
  description: string;
  options: S;
  /** Pure: mapped message → bytes to send. Run by the pipeline (and `run-once`), stored as a snapshot. */
  encode(mapped: Mapped, options: z.infer<S>): { encoded?: Encoded; issues: Issue[] };
  createSender(options: z.infer<S>, ctx: DestinationContext): Promise<Sender>;
}

export const defineSource = <S extends z.ZodObject>(d: SourceDefinition<S>): SourceDefinition<S> => d;
export const defineParser = <S extends z.ZodObject, V>(d: ParserDefinition<S, V>): ParserDefinition<S, V> => d;
export const defineMapping = <In>(d: MappingDefinition<In>): MappingDefinition<In> => d;
export const defineValidator = <S extends z.ZodObject>(d: ValidatorDefinition<S>): ValidatorDefinition<S> => d;
export const defineDestination = <S extends z.ZodObject>(d: DestinationDefinition<S>): DestinationDefinition<S> => d;
