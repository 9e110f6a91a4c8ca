import type { Db, Queryable } from './db.js';
import { SCHEMA_SQL } from './schema.js';
import { newMessageId, sha256 } from './ids.js';
import type { BusinessKeys, RawMessage } from '../engine/define.js';
import type { Issue } from '../engine/issues.js';

/**
 * Message statuses. Final: rejected, filtered, delivered, split (its parts carry on). Waiting: received, routed.
 * Needs an operator: held (a delivery gave up, or processing stopped on a hold issue such as an identity to review:
 * no delivery exists yet), error (an unexpected internal failure). All are replayable.
 */
export type MessageStatus = 'received' | 'split' | 'rejected' | 'filtered' | 'routed' | 'delivered' | 'held' | 'error';
export type DeliveryStatus = 'pending' | 'sent' | 'held';
export type Stage = 'raw' | 'parsed' | 'mapped' | 'encoded';

export interface MessageRow {
  id: string;
  /** Insertion order in this store (receive order); used for per-key ordering. */
  seq: string;
  /** A part of a split batch: its batch's `seq` (its place in receive order comes from it); otherwise null. */
  order_seq: string | null;
  channel_id: string;
  parent_id: string | null;
  part_index: number | null;
  source_ref: string | null;
  source_message_id: string | null;
  dedup_key: string;
  content_hash: string;
  status: MessageStatus;
  ordering_key: string | null;
  issues: Issue[];
  received_at: Date;
  updated_at: Date;
  /** The processing job carrying this message; null: its own job (see schema.ts). */
  job_id: string | null;
}

export interface DeliveryRow {
  message_id: string;
  destination_id: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  detail: string | null;
  updated_at: Date;
  /** The delivery job carrying this delivery; null: its own job (see schema.ts). */
  job_id: string | null;
}

export interface EventRow {
  id: string;
  message_id: string;
  at: Date;
  status: string;
  destination_id: string | null;
  detail: unknown;
}

export interface Snapshot {
  content: Buffer;
  contentType: string;
}

/** What processing needs, in one read: the message and its raw snapshot. */
export interface ProcessingInput {
  message: MessageRow;
  raw?: Snapshot;
}

/** What a delivery attempt needs, in one read: the delivery, its message, what blocks it, the encoded output. */
export interface DeliveryInput {
  messageId: string;
  delivery: Pick<DeliveryRow, 'status' | 'attempts' | 'job_id'>;
  message: Pick<MessageRow, 'seq' | 'ordering_key' | 'received_at'>;
  /** Ordered channels only: the earlier message in the way of this one (see `deliveryInputs`), outside its batch. */
  blocker?: string;
  encoded?: Snapshot;
}

export interface FindQuery {
  channelId?: string;
  status?: MessageStatus;
  /** Business key value (patient identifier, document id, correlation id), optionally `kind:value`. */
  key?: string;
  sourceMessageId?: string;
  since?: Date;
  until?: Date;
  limit?: number;
}

/** The outcome of processing one message (see `recordProcessing`). */
export interface ProcessingRecord {
  id: string;
  status: MessageStatus;
  issues: Issue[];
  snapshots: { stage: Stage; destinationId?: string; content: Buffer; contentType: string }[];
  keys?: BusinessKeys;
  orderingKey?: string;
  deliveries?: string[];
  /** The job that will carry each delivery, by destination; a destination not named here: the delivery's own job. */
  deliveryJobs?: Record<string, string>;
}

/** A delivery still to do, with the job that carries it (null: its own job), as the recovery paths re-add it. */
export type PendingDelivery = Pick<DeliveryRow, 'message_id' | 'destination_id' | 'job_id'>;

/** One delivery attempt's outcome (see `recordDeliveries`). */
export interface DeliveryRecord {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  error?: string;
  detail?: string;
  /** The job that carries the delivery from now on; unchanged when absent. */
  jobId?: string;
}

/** A split batch's part with its processing outcome (see `receiveProcessedParts`); `record.id` is the part's id. */
export interface ProcessedPart {
  id: string;
  partIndex: number;
  content: Buffer;
  sourceRef: string;
  record: ProcessingRecord;
}

export interface ReceiveOptions {
  parentId?: string;
  partIndex?: number;
  status?: 'received' | 'rejected';
  issues?: Issue[];
}

const json = (v: unknown) => JSON.stringify(v ?? null);

/**
 * A message's place in receive order, as SQL over the alias `t`: a part of a split batch comes where its batch came,
 * after the parts before it; any other message where it was stored (schema.ts, `order_seq`).
 */
const POSITION = (t: string) => `(coalesce(${t}.order_seq, ${t}.seq), coalesce(${t}.part_index, 0))`;

/** A record's snapshots, one per (stage, destination): the last one given wins, as with one upsert after the other. */
const distinctSnapshots = (r: ProcessingRecord) =>
  [...new Map(r.snapshots.map((x) => [`${x.stage}\u0000${x.destinationId ?? ''}`, x])).values()].map((x) => ({ id: r.id, ...x }));
const keyRows = (r: ProcessingRecord) => Object.entries(r.keys ?? {}).flatMap(([kind, values]) => (values as string[]).map((value) => ({ id: r.id, kind, value })));
const deliveryRows = (r: ProcessingRecord) => [...new Set(r.deliveries ?? [])].map((d) => ({ id: r.id, d, job: r.deliveryJobs?.[d] ?? null }));

/**
 * Many payloads as one binary parameter plus offsets (1-based) and lengths, cut apart in SQL with substring(): an
 * array of bytea would travel as hex text, twice the bytes, encoded and decoded on both sides.
 */
function packed(buffers: Buffer[]): [Buffer, number[], number[]] {
  const offsets: number[] = [];
  let at = 1;
  for (const b of buffers) {
    offsets.push(at);
    at += b.length;
  }
  return [Buffer.concat(buffers), offsets, buffers.map((b) => b.length)];
}

export class MessageStore {
  private constructor(readonly db: Db) {}

  /** Opens the store and applies the schema (idempotent). */
  static async open(db: Db): Promise<MessageStore> {
    await db.exec(SCHEMA_SQL);
    return new MessageStore(db);
  }

  /**
   * Stores a raw message durably, exactly once per (channel, dedup key): one statement inserts the message, its raw
   * snapshot and its first event. A duplicate returns the id of the message already stored.
   */
  async receive(channelId: string, raw: RawMessage, opts: ReceiveOptions = {}): Promise<{ id: string; duplicate: boolean; status: MessageStatus; sameContent?: boolean }> {
    const hash = raw.contentHash ?? sha256(raw.content);
    const dedupKey = opts.parentId !== undefined ? `${opts.parentId}#${opts.partIndex ?? 0}` : raw.dedupKey ?? raw.sourceMessageId ?? `sha256:${hash}`;
    const status = opts.status ?? 'received';
    const issues = opts.issues ?? [];
    const window = opts.parentId === undefined ? raw.dedupWindowMs : undefined;
    // at most one retry: a concurrent receive of the same key may win the second insert (then it is a duplicate)
    for (let attempt = 0; ; attempt++) {
      const rows = await this.db.query<{ id: string }>(
        `with m as (
           insert into relais_message (id, channel_id, parent_id, part_index, source_ref, source_message_id, dedup_key, content_hash, status, issues)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)
           on conflict (channel_id, dedup_key) do nothing returning id),
         s as (insert into relais_snapshot (message_id, stage, content, content_type) select id, 'raw', $11, $12 from m),
         k as (insert into relais_message_key (message_id, kind, value) select id, 'correlation', $13 from m where $13::text is not null),
         e as (insert into relais_event (message_id, status, detail) select id, $9, $10::jsonb from m)
         select id from m`,
        [newMessageId(), channelId, opts.parentId ?? null, opts.partIndex ?? null, raw.sourceRef ?? null, raw.sourceMessageId ?? null, dedupKey, hash, status, json(issues), raw.content, raw.contentType ?? 'application/octet-stream', raw.correlationId ?? null],
      );
      if (rows[0]) return { id: rows[0].id, duplicate: false, status };
      const existing = await this.db.query<{ id: string; status: MessageStatus; content_hash: string; expired: boolean }>(
        `select id, status, content_hash, ($3::bigint is not null and received_at < now() - $3::bigint * interval '1 millisecond') as expired
         from relais_message where channel_id = $1 and dedup_key = $2`,
        [channelId, dedupKey, window ?? null],
      );
      const found = existing[0];
      if (!found) {
        if (attempt < 2) continue; // the earlier message was just moved out of the way by a concurrent receive
        throw new Error('message vanished between insert and lookup');
      }
      if (found.expired && attempt < 2) {
        // outside the duplicate window: the old message keeps its data but gives up the key, this one is stored anew
        await this.db.query(`update relais_message set dedup_key = dedup_key || '@' || id where id = $1 and dedup_key = $2`, [found.id, dedupKey]);
        continue;
      }
      return { id: found.id, duplicate: true, status: found.status, sameContent: found.content_hash === hash };
    }
  }

  async get(id: string): Promise<MessageRow | undefined> {
    return (await this.db.query<MessageRow>('select * from relais_message where id = $1', [id]))[0];
  }

  async snapshot(id: string, stage: Stage, destinationId = ''): Promise<Snapshot | undefined> {
    const r = await this.db.query<{ content: Buffer; content_type: string }>(
      'select content, content_type from relais_snapshot where message_id = $1 and stage = $2 and destination_id = $3',
      [id, stage, destinationId],
    );
    return r[0] ? { content: r[0].content, contentType: r[0].content_type } : undefined;
  }

  /** The message and its raw snapshot, in one round trip (the process worker's read). */
  async processingInput(id: string): Promise<ProcessingInput | undefined> {
    return (await this.processingInputs([id]))[0];
  }

  /** Several messages with their raw snapshots, in receive order, in one round trip; missing ids are left out. */
  async processingInputs(ids: string[]): Promise<ProcessingInput[]> {
    const r = await this.db.query<MessageRow & { raw_content: Buffer | null; raw_content_type: string | null }>(
      `select m.*, s.content as raw_content, s.content_type as raw_content_type from relais_message m
       left join lateral (select content, content_type from relais_snapshot s where s.message_id = m.id and s.stage = 'raw' and s.destination_id = '' limit 1) s on true
       where ${ids.length === 1 ? 'm.id = $1' : 'm.id = any($1::text[])'} order by m.seq`,
      [ids.length === 1 ? ids[0] : ids], // one id: a plan PostgreSQL keeps (see recordOne)
    );
    return r.map(({ raw_content, raw_content_type, ...message }) => ({ message, raw: raw_content ? { content: raw_content, contentType: raw_content_type! } : undefined }));
  }

  /** One delivery's input (see `deliveryInputs`); undefined when the delivery or its message no longer exists. */
  async deliveryInput(id: string, destinationId: string, ordered: boolean): Promise<DeliveryInput | undefined> {
    return (await this.deliveryInputs([id], destinationId, ordered))[0];
  }

  /**
   * Several deliveries to one destination with their messages, the blocking message when `ordered`, and the encoded
   * outputs, in receive order, in one round trip (the deliver worker's read). Missing deliveries are left out.
   * Blocking (ordered delivery): an earlier message (by receive position, see POSITION) is in the way while it awaits
   * processing (its key is not known yet), or while it has the same ordering key and this destination pending or
   * held. Messages of this batch are left out: the worker keeps their order itself; so is the batch a part was split
   * from, still being split (its later parts are stored after this one).
   */
  async deliveryInputs(ids: string[], destinationId: string, ordered: boolean): Promise<DeliveryInput[]> {
    const blocker = ordered
      ? `case when m.ordering_key is null then null else (select b.id from (
           (select w.id from relais_message w where w.channel_id = m.channel_id and w.status = 'received' and ${POSITION('w')} < ${POSITION('m')}
              and not (w.id = any($1::text[])) and w.id is distinct from m.parent_id order by w.seq limit 1)
           union all
           (select e.id from relais_message e join relais_delivery ed on ed.message_id = e.id
             where e.channel_id = m.channel_id and e.ordering_key = m.ordering_key and ${POSITION('e')} < ${POSITION('m')} and ed.destination_id = $2
               and ed.status in ('pending', 'held') and not (e.id = any($1::text[]))
             order by ${POSITION('e')} limit 1)) b limit 1) end`
      : 'null::text';
    const r = await this.db.query<{
      message_id: string; status: DeliveryStatus; attempts: number; job_id: string | null; seq: string; ordering_key: string | null; received_at: Date;
      blocker: string | null; content: Buffer | null; content_type: string | null;
    }>(
      `select d.message_id, d.status, d.attempts, d.job_id, m.seq, m.ordering_key, m.received_at, ${blocker} as blocker, s.content, s.content_type
       from relais_delivery d join relais_message m on m.id = d.message_id
       left join lateral (select content, content_type from relais_snapshot s where s.message_id = d.message_id and s.stage = 'encoded' and s.destination_id = d.destination_id limit 1) s on true
       where d.message_id = any($1::text[]) and d.destination_id = $2 order by ${POSITION('m')}`,
      [ids, destinationId],
    );
    return r.map((x) => ({
      messageId: x.message_id,
      delivery: { status: x.status, attempts: x.attempts, job_id: x.job_id },
      message: { seq: x.seq, ordering_key: x.ordering_key, received_at: x.received_at },
      blocker: x.blocker ?? undefined,
      encoded: x.content ? { content: x.content, contentType: x.content_type! } : undefined,
    }));
  }

  async snapshots(id: string): Promise<{ stage: Stage; destination_id: string; content_type: string; size: number }[]> {
    return this.db.query('select stage, destination_id, content_type, length(content) as size from relais_snapshot where message_id = $1 order by created_at', [id]);
  }

  async deliveries(id: string): Promise<DeliveryRow[]> {
    return this.db.query<DeliveryRow>('select * from relais_delivery where message_id = $1 order by destination_id', [id]);
  }

  async delivery(id: string, destinationId: string): Promise<DeliveryRow | undefined> {
    return (await this.db.query<DeliveryRow>('select * from relais_delivery where message_id = $1 and destination_id = $2', [id, destinationId]))[0];
  }

  async events(id: string): Promise<EventRow[]> {
    return this.db.query<EventRow>('select * from relais_event where message_id = $1 order by id', [id]);
  }

  async children(id: string): Promise<MessageRow[]> {
    return this.db.query<MessageRow>('select * from relais_message where parent_id = $1 order by part_index', [id]);
  }

  /** Records the outcome of processing one message (see `recordProcessingMany`); false if it was not `received`. */
  async recordProcessing(id: string, r: Omit<ProcessingRecord, 'id'>): Promise<boolean> {
    return (await this.recordProcessingMany([{ id, ...r }])).has(id);
  }

  /**
   * Records the outcome of processing several messages atomically, in one statement (one round trip): snapshots,
   * keys, deliveries, status and event of each. Only messages still `received` are recorded (a message processed
   * twice by accident keeps its first outcome); returns their ids.
   */
  async recordProcessingMany(records: ProcessingRecord[]): Promise<Set<string>> {
    if (!records.length) return new Set();
    const snapshots = records.flatMap(distinctSnapshots);
    const keys = records.flatMap(keyRows);
    const deliveries = records.flatMap(deliveryRows);
    if (records.length === 1) return this.recordOne(records[0]!, snapshots, keys, deliveries);
    const [contents, offsets, lengths] = packed(snapshots.map((x) => x.content));
    const rows = await this.db.query<{ id: string }>(
      `with v as (select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) as v(id, status, issues, ordering_key, event)),
       m as (update relais_message x set status = v.status, issues = v.issues::jsonb, ordering_key = coalesce(v.ordering_key, x.ordering_key), updated_at = now()
             from v where x.id = any($1::text[]) and x.id = v.id and x.status = 'received' returning x.id),
       s as (insert into relais_snapshot (message_id, stage, destination_id, content, content_type)
             select u.id, u.stage, u.dest, substring($9::bytea from u.off for u.len), u.ct
             from unnest($6::text[], $7::text[], $8::text[], $17::int[], $18::int[], $10::text[]) as u(id, stage, dest, off, len, ct)
             where u.id in (select id from m)
             on conflict (message_id, stage, destination_id) do update set content = excluded.content, content_type = excluded.content_type, created_at = now()),
       k as (insert into relais_message_key (message_id, kind, value)
             select u.id, u.kind, u.value from unnest($11::text[], $12::text[], $13::text[]) as u(id, kind, value) where u.id in (select id from m)
             on conflict do nothing),
       d as (insert into relais_delivery (message_id, destination_id, status, job_id)
             select u.id, u.dest, 'pending', u.job from unnest($14::text[], $15::text[], $16::text[]) as u(id, dest, job) where u.id in (select id from m)
             on conflict (message_id, destination_id) do update set status = 'pending', attempts = 0, last_error = null, job_id = excluded.job_id, updated_at = now()),
       e as (insert into relais_event (message_id, status, detail) select v.id, v.status, v.event::jsonb from v where v.id in (select id from m))
       select id from m`,
      [
        records.map((r) => r.id), records.map((r) => r.status), records.map((r) => json(r.issues)), records.map((r) => r.orderingKey ?? null),
        records.map((r) => json(r.issues.length ? r.issues : null)),
        snapshots.map((x) => x.id), snapshots.map((x) => x.stage), snapshots.map((x) => x.destinationId ?? ''), contents, snapshots.map((x) => x.contentType),
        keys.map((k) => k.id), keys.map((k) => k.kind), keys.map((k) => k.value),
        deliveries.map((x) => x.id), deliveries.map((x) => x.d), deliveries.map((x) => x.job),
        offsets, lengths,
      ],
    );
    return new Set(rows.map((x) => x.id));
  }

  /**
   * One message's outcome, with scalar parameters only: PostgreSQL keeps a cached plan for it, where the batch
   * statement over unnested arrays is planned again at every call (about 0.3 ms, more than the write itself).
   */
  private async recordOne(
    r: ProcessingRecord,
    snapshots: ({ id: string } & ProcessingRecord['snapshots'][number])[],
    keys: { kind: string; value: string }[],
    deliveries: { d: string; job: string | null }[],
  ): Promise<Set<string>> {
    const params: unknown[] = [r.id, r.status, json(r.issues), r.orderingKey ?? null, json(r.issues.length ? r.issues : null)];
    const p = (v: unknown, type: string) => (params.push(v), `$${params.length}::${type}`);
    const parts = [`m as (update relais_message set status = $2, issues = $3::jsonb, ordering_key = coalesce($4, ordering_key), updated_at = now() where id = $1 and status = 'received' returning id)`];
    if (snapshots.length) {
      parts.push(`s as (insert into relais_snapshot (message_id, stage, destination_id, content, content_type)
        select m.id, x.stage, x.dest, x.content, x.ct from m, (values ${snapshots.map((x) => `(${p(x.stage, 'text')}, ${p(x.destinationId ?? '', 'text')}, ${p(x.content, 'bytea')}, ${p(x.contentType, 'text')})`).join(', ')}) as x(stage, dest, content, ct)
        on conflict (message_id, stage, destination_id) do update set content = excluded.content, content_type = excluded.content_type, created_at = now())`);
    }
    if (keys.length) {
      parts.push(`k as (insert into relais_message_key (message_id, kind, value)
        select m.id, x.kind, x.value from m, (values ${keys.map((k) => `(${p(k.kind, 'text')}, ${p(k.value, 'text')})`).join(', ')}) as x(kind, value) on conflict do nothing)`);
    }
    if (deliveries.length) {
      parts.push(`d as (insert into relais_delivery (message_id, destination_id, status, job_id)
        select m.id, x.dest, 'pending', x.job from m, (values ${deliveries.map((d) => `(${p(d.d, 'text')}, ${p(d.job, 'text')})`).join(', ')}) as x(dest, job)
        on conflict (message_id, destination_id) do update set status = 'pending', attempts = 0, last_error = null, job_id = excluded.job_id, updated_at = now())`);
    }
    parts.push(`e as (insert into relais_event (message_id, status, detail) select id, $2, $5::jsonb from m)`);
    const rows = await this.db.query<{ id: string }>(`with ${parts.join(',\n')}\nselect id from m`, params);
    return new Set(rows.map((x) => x.id));
  }

  /**
   * Stores processed parts of a split batch as child messages of `parentId`, in one statement, in part order; each
   * takes its place in receive order from its batch (`order_seq`), whenever it is stored. Each with its raw snapshot,
   * its processing outcome (status, issues, stage snapshots, keys, deliveries) and two events, `received` then its
   * status. A part stored before (the engine died while splitting) is left as it is. Returns the ids stored by this
   * call.
   */
  async receiveProcessedParts(channelId: string, parentId: string, contentType: string, parts: ProcessedPart[]): Promise<Set<string>> {
    if (!parts.length) return new Set();
    const snapshots = parts.flatMap((p) => [{ id: p.id, stage: 'raw', destinationId: undefined, content: p.content, contentType }, ...distinctSnapshots(p.record)]);
    const keys = parts.flatMap((p) => keyRows(p.record));
    const deliveries = parts.flatMap((p) => deliveryRows(p.record));
    const [contents, offsets, lengths] = packed(snapshots.map((x) => x.content));
    const rows = await this.db.query<{ id: string }>(
      `with v as (select * from unnest($3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
                  as v(id, part_index, source_ref, hash, status, issues, ordering_key, event)),
       m as (insert into relais_message (id, channel_id, parent_id, part_index, source_ref, dedup_key, content_hash, status, issues, ordering_key, order_seq)
             select v.id, $1, $2, v.part_index, v.source_ref, $2 || '#' || v.part_index, v.hash, v.status, v.issues::jsonb, v.ordering_key,
               (select seq from relais_message p where p.id = $2)
             from v order by v.part_index
             on conflict (channel_id, dedup_key) do nothing returning id),
       s as (insert into relais_snapshot (message_id, stage, destination_id, content, content_type)
             select u.id, u.stage, u.dest, substring($14::bytea from u.off for u.len), u.ct
             from unnest($11::text[], $12::text[], $13::text[], $15::int[], $16::int[], $17::text[]) as u(id, stage, dest, off, len, ct)
             where u.id in (select id from m)),
       k as (insert into relais_message_key (message_id, kind, value)
             select u.id, u.kind, u.value from unnest($18::text[], $19::text[], $20::text[]) as u(id, kind, value) where u.id in (select id from m)
             on conflict do nothing),
       d as (insert into relais_delivery (message_id, destination_id, status, job_id)
             select u.id, u.dest, 'pending', u.job from unnest($21::text[], $22::text[], $23::text[]) as u(id, dest, job) where u.id in (select id from m)),
       e as (insert into relais_event (message_id, status, detail)
             select x.id, x.status, x.detail::jsonb from (
               select v.id, v.part_index, 0 as n, 'received' as status, '[]' as detail from v
               union all select v.id, v.part_index, 1, v.status, v.event from v) x
             where x.id in (select id from m) order by x.part_index, x.n)
       select id from m`,
      [
        channelId, parentId,
        parts.map((p) => p.id), parts.map((p) => p.partIndex), parts.map((p) => p.sourceRef), parts.map((p) => sha256(p.content)),
        parts.map((p) => p.record.status), parts.map((p) => json(p.record.issues)), parts.map((p) => p.record.orderingKey ?? null),
        parts.map((p) => json(p.record.issues.length ? p.record.issues : null)),
        snapshots.map((x) => x.id), snapshots.map((x) => x.stage), snapshots.map((x) => x.destinationId ?? ''), contents, offsets, lengths, snapshots.map((x) => x.contentType),
        keys.map((k) => k.id), keys.map((k) => k.kind), keys.map((k) => k.value),
        deliveries.map((x) => x.id), deliveries.map((x) => x.d), deliveries.map((x) => x.job),
      ],
    );
    return new Set(rows.map((x) => x.id));
  }

  /** The parts stored so far for a split batch, in part order, with their status and the job that carries each. */
  async partsOf(parentId: string): Promise<{ id: string; part_index: number; status: MessageStatus; job_id: string | null }[]> {
    return this.db.query(`select id, part_index, status, job_id from relais_message where parent_id = $1 order by part_index`, [parentId]);
  }

  /** Marks a message's status with an event (e.g. `error` after an internal failure, `received` on replay). */
  async setStatus(id: string, status: MessageStatus, issues: Issue[] = []): Promise<void> {
    await this.db.tx((q) => setStatus(q, id, status, issues));
  }

  /** Records one delivery attempt and recomputes the message status (see `recordDeliveries`). */
  async recordDelivery(id: string, destinationId: string, d: Omit<DeliveryRecord, 'id'>): Promise<MessageStatus> {
    const status = (await this.recordDeliveries(destinationId, [{ id, ...d }])).get(id);
    if (!status) throw new Error(`message ${id} is not in the store`);
    return status;
  }

  /**
   * Records delivery attempts to one destination and recomputes each message's status, in one round trip
   * (`relais_record_deliveries` in schema.ts): the message rows are locked first so that destinations finishing at
   * the same moment cannot leave a message in a stale state. Returns the new status of each message found.
   */
  async recordDeliveries(destinationId: string, records: DeliveryRecord[]): Promise<Map<string, MessageStatus>> {
    if (!records.length) return new Map();
    records = [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)); // lock order, see schema.ts
    const r = await this.db.query<{ r_id: string; r_status: MessageStatus }>('select r_id, r_status from relais_record_deliveries($1, $2, $3, $4, $5, $6, $7, $8, $9)', [
      records.map((d) => d.id),
      destinationId,
      records.map((d) => d.status),
      records.map((d) => d.attempts),
      records.map((d) => d.error ?? null),
      records.map((d) => d.detail ?? null),
      records.map((d) => (d.status === 'pending' ? 'retrying' : d.status)),
      records.map((d) => json({ attempts: d.attempts, error: d.error, detail: d.detail })),
      records.map((d) => d.jobId ?? null),
    ]);
    return new Map(r.map((x) => [x.r_id, x.r_status]));
  }

  /**
   * Messages still waiting for processing (stored, perhaps never enqueued because the engine died in between), in
   * receive order, with the job that carries each.
   */
  async waitingForProcessing(channelId: string, limit = 10_000): Promise<{ id: string; job_id: string | null }[]> {
    return this.db.query(`select id, job_id from relais_message where channel_id = $1 and status = 'received' order by seq limit $2`, [channelId, limit]);
  }

  /** Deliveries still pending for a channel's messages, in receive order, with the job that carries each. */
  async pendingDeliveries(channelId: string, limit = 10_000): Promise<PendingDelivery[]> {
    return this.db.query(
      `select d.message_id, d.destination_id, d.job_id from relais_delivery d join relais_message m on m.id = d.message_id
       where m.channel_id = $1 and d.status = 'pending' order by m.seq limit $2`,
      [channelId, limit],
    );
  }

  /** Deliveries still pending for these messages, in receive order, with the job that carries each. */
  async pendingDeliveriesOf(messageIds: string[]): Promise<PendingDelivery[]> {
    return this.db.query(
      `select d.message_id, d.destination_id, d.job_id from relais_delivery d join relais_message m on m.id = d.message_id
       where d.message_id = any($1::text[]) and d.status = 'pending' order by m.seq, d.destination_id`,
      [messageIds],
    );
  }

  /** Searches by channel, status, business key, source message id and time; newest first. */
  async find(f: FindQuery): Promise<MessageRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => (params.push(v), `$${params.length}`);
    if (f.channelId) where.push(`m.channel_id = ${p(f.channelId)}`);
    if (f.status) where.push(`m.status = ${p(f.status)}`);
    if (f.sourceMessageId) where.push(`m.source_message_id = ${p(f.sourceMessageId)}`);
    if (f.since) where.push(`m.received_at >= ${p(f.since)}`);
    if (f.until) where.push(`m.received_at < ${p(f.until)}`);
    if (f.key) {
      const m = /^(patient|document|correlation):(.*)$/.exec(f.key);
      where.push(
        m
          ? `exists (select 1 from relais_message_key k where k.message_id = m.id and k.kind = ${p(m[1])} and k.value = ${p(m[2])})`
          : `exists (select 1 from relais_message_key k where k.message_id = m.id and k.value = ${p(f.key)})`,
      );
    }
    const sql = `select m.* from relais_message m ${where.length ? `where ${where.join(' and ')}` : ''} order by m.received_at desc, m.id desc limit ${p(f.limit ?? 100)}`;
    return this.db.query<MessageRow>(sql, params);
  }

  /** Counts per channel and status (for metrics and the CLI). */
  async countByStatus(): Promise<{ channel_id: string; status: MessageStatus; n: number }[]> {
    return this.db.query(`select channel_id, status, count(*)::int as n from relais_message group by channel_id, status`);
  }

  /**
   * Retention: deletes a channel's top-level messages older than `days` whose whole tree is finished (delivered,
   * filtered, rejected, split). Held and errored messages are kept until an operator deals with them.
   */
  async purge(channelId: string, days: number): Promise<number> {
    const r = await this.db.query<{ id: string }>(
      `delete from relais_message m where m.channel_id = $1 and m.parent_id is null and m.received_at < now() - make_interval(days => $2)
         and m.status in ('delivered', 'filtered', 'rejected', 'split')
         and not exists (select 1 from relais_message c where c.parent_id = m.id and c.status not in ('delivered', 'filtered', 'rejected'))
       returning id`,
      [channelId, days],
    );
    return r.length;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

async function setStatus(q: Queryable, id: string, status: MessageStatus, issues: Issue[], orderingKey?: string): Promise<void> {
  await q.query(
    // back to `received` (a replay): processed again by its own job, whichever batch carried it before
    `update relais_message set status = $2, issues = $3::jsonb, ordering_key = coalesce($4, ordering_key), updated_at = now(),
       job_id = case when $2 = 'received' then null else job_id end where id = $1`,
    [id, status, json(issues), orderingKey ?? null],
  );
  await q.query('insert into relais_event (message_id, status, detail) values ($1, $2, $3::jsonb)', [id, status, json(issues.length ? issues : null)]);
}
