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
}

export interface DeliveryRow {
  message_id: string;
  destination_id: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  detail: string | null;
  updated_at: Date;
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
  delivery: Pick<DeliveryRow, 'status' | 'attempts'>;
  message: Pick<MessageRow, 'seq' | 'ordering_key' | 'received_at'>;
  /** Ordered channels only: the earlier message in the way of this one (see `blockedBy`). */
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

export interface ReceiveOptions {
  parentId?: string;
  partIndex?: number;
  status?: 'received' | 'rejected';
  issues?: Issue[];
}

const json = (v: unknown) => JSON.stringify(v ?? null);

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
    const r = await this.db.query<MessageRow & { raw_content: Buffer | null; raw_content_type: string | null }>(
      `select m.*, s.content as raw_content, s.content_type as raw_content_type from relais_message m
       left join relais_snapshot s on s.message_id = m.id and s.stage = 'raw' and s.destination_id = ''
       where m.id = $1`,
      [id],
    );
    if (!r[0]) return undefined;
    const { raw_content, raw_content_type, ...message } = r[0];
    return { message, raw: raw_content ? { content: raw_content, contentType: raw_content_type! } : undefined };
  }

  /**
   * The delivery, its message, the blocking message when `ordered` (same rule as `blockedBy`) and the encoded output,
   * in one round trip (the deliver worker's read). Undefined when the delivery or its message no longer exists.
   */
  async deliveryInput(id: string, destinationId: string, ordered: boolean): Promise<DeliveryInput | undefined> {
    const blocker = ordered
      ? `case when m.ordering_key is null then null else (select b.id from (
           (select w.id from relais_message w where w.channel_id = m.channel_id and w.status = 'received' and w.seq < m.seq order by w.seq limit 1)
           union all
           (select e.id from relais_message e join relais_delivery ed on ed.message_id = e.id
             where e.channel_id = m.channel_id and e.ordering_key = m.ordering_key and e.seq < m.seq and ed.destination_id = $2
               and ed.status in ('pending', 'held')
             order by e.seq limit 1)) b limit 1) end`
      : 'null::text';
    const r = await this.db.query<{
      status: DeliveryStatus; attempts: number; seq: string; ordering_key: string | null; received_at: Date;
      blocker: string | null; content: Buffer | null; content_type: string | null;
    }>(
      `select d.status, d.attempts, m.seq, m.ordering_key, m.received_at, ${blocker} as blocker, s.content, s.content_type
       from relais_delivery d join relais_message m on m.id = d.message_id
       left join relais_snapshot s on s.message_id = d.message_id and s.stage = 'encoded' and s.destination_id = d.destination_id
       where d.message_id = $1 and d.destination_id = $2`,
      [id, destinationId],
    );
    const x = r[0];
    if (!x) return undefined;
    return {
      delivery: { status: x.status, attempts: x.attempts },
      message: { seq: x.seq, ordering_key: x.ordering_key, received_at: x.received_at },
      blocker: x.blocker ?? undefined,
      encoded: x.content ? { content: x.content, contentType: x.content_type! } : undefined,
    };
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

  /**
   * Records the outcome of processing atomically, in one statement (one round trip): snapshots, keys, deliveries,
   * status and event.
   */
  async recordProcessing(
    id: string,
    r: {
      status: MessageStatus;
      issues: Issue[];
      snapshots: { stage: Stage; destinationId?: string; content: Buffer; contentType: string }[];
      keys?: BusinessKeys;
      orderingKey?: string;
      deliveries?: string[];
    },
  ): Promise<void> {
    const params: unknown[] = [id, r.status, json(r.issues), r.orderingKey ?? null, json(r.issues.length ? r.issues : null)];
    const p = (v: unknown) => (params.push(v), `$${params.length}`);
    const parts: string[] = [];
    // one row per (stage, destination): the last one given wins, as with one upsert after the other
    const snapshots = [...new Map(r.snapshots.map((x) => [`${x.stage}\u0000${x.destinationId ?? ''}`, x])).values()];
    if (snapshots.length) {
      parts.push(`s as (insert into relais_snapshot (message_id, stage, destination_id, content, content_type)
        values ${snapshots.map((x) => `($1, ${p(x.stage)}, ${p(x.destinationId ?? '')}, ${p(x.content)}, ${p(x.contentType)})`).join(', ')}
        on conflict (message_id, stage, destination_id) do update set content = excluded.content, content_type = excluded.content_type, created_at = now())`);
    }
    const keys = Object.entries(r.keys ?? {}).flatMap(([kind, values]) => (values as string[]).map((v) => [kind, v] as const));
    if (keys.length) {
      parts.push(`k as (insert into relais_message_key (message_id, kind, value)
        select $1, k, v from unnest(${p(keys.map((k) => k[0]))}::text[], ${p(keys.map((k) => k[1]))}::text[]) as t(k, v) on conflict do nothing)`);
    }
    const deliveries = [...new Set(r.deliveries ?? [])];
    if (deliveries.length) {
      parts.push(`d as (insert into relais_delivery (message_id, destination_id, status) select $1, d, 'pending' from unnest(${p(deliveries)}::text[]) as t(d)
        on conflict (message_id, destination_id) do update set status = 'pending', attempts = 0, last_error = null, updated_at = now())`);
    }
    parts.push(`m as (update relais_message set status = $2, issues = $3::jsonb, ordering_key = coalesce($4, ordering_key), updated_at = now() where id = $1)`);
    await this.db.query(`with ${parts.join(',\n')}\ninsert into relais_event (message_id, status, detail) values ($1, $2, $5::jsonb)`, params);
  }

  /** Marks a message's status with an event (e.g. `error` after an internal failure, `received` on replay). */
  async setStatus(id: string, status: MessageStatus, issues: Issue[] = []): Promise<void> {
    await this.db.tx((q) => setStatus(q, id, status, issues));
  }

  /**
   * Records one delivery attempt and recomputes the message status, in one round trip (`relais_record_delivery` in
   * schema.ts): the message row is locked first so that destinations finishing at the same moment cannot leave the
   * message in a stale state.
   */
  async recordDelivery(id: string, destinationId: string, d: { status: DeliveryStatus; attempts: number; error?: string; detail?: string }): Promise<MessageStatus> {
    const event = d.status === 'pending' ? 'retrying' : d.status;
    const r = await this.db.query<{ status: MessageStatus }>('select relais_record_delivery($1, $2, $3, $4, $5, $6, $7, $8::jsonb) as status', [
      id,
      destinationId,
      d.status,
      d.attempts,
      d.error ?? null,
      d.detail ?? null,
      event,
      json({ attempts: d.attempts, error: d.error, detail: d.detail }),
    ]);
    if (!r[0]?.status) throw new Error(`message ${id} is not in the store`);
    return r[0].status;
  }

  /** Messages still waiting for processing (stored, perhaps never enqueued because the engine died in between). */
  async waitingForProcessing(channelId: string, limit = 10_000): Promise<string[]> {
    const r = await this.db.query<{ id: string }>(`select id from relais_message where channel_id = $1 and status = 'received' order by id limit $2`, [channelId, limit]);
    return r.map((x) => x.id);
  }

  /** Deliveries still pending for a channel's messages (to re-enqueue at start; job ids make it idempotent). */
  async pendingDeliveries(channelId: string, limit = 10_000): Promise<{ message_id: string; destination_id: string; ordering_key: string | null }[]> {
    return this.db.query(
      `select d.message_id, d.destination_id, m.ordering_key from relais_delivery d join relais_message m on m.id = d.message_id
       where m.channel_id = $1 and d.status = 'pending' order by d.message_id limit $2`,
      [channelId, limit],
    );
  }

  /**
   * Ordered delivery: is an earlier message (by receive order) still in the way of this one for this destination?
   * Yes while an earlier message of the channel awaits processing (its key is not known yet), or an earlier message
   * with the same ordering key has this destination pending or held. Returns the blocking message id.
   */
  async blockedBy(channelId: string, seq: string, orderingKey: string, destinationId: string): Promise<string | undefined> {
    const r = await this.db.query<{ id: string }>(
      `(select m.id from relais_message m where m.channel_id = $1 and m.status = 'received' and m.seq < $2 order by m.seq limit 1)
       union all
       (select m.id from relais_message m join relais_delivery d on d.message_id = m.id
         where m.channel_id = $1 and m.ordering_key = $3 and m.seq < $2 and d.destination_id = $4 and d.status in ('pending', 'held')
         order by m.seq limit 1)
       limit 1`,
      [channelId, seq, orderingKey, destinationId],
    );
    return r[0]?.id;
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
    `update relais_message set status = $2, issues = $3::jsonb, ordering_key = coalesce($4, ordering_key), updated_at = now() where id = $1`,
    [id, status, json(issues), orderingKey ?? null],
  );
  await q.query('insert into relais_event (message_id, status, detail) values ($1, $2, $3::jsonb)', [id, status, json(issues.length ? issues : null)]);
}
