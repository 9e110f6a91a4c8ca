/**
 * The message store schema. Idempotent (runs at every start). Payloads live only here; queues hold ids.
 * - relais_message: one row per received message (a split batch's parts are child messages).
 * - relais_snapshot: the bytes of each stage: raw, parsed, mapped, and encoded per destination.
 * - relais_delivery: one row per (message, destination) with its attempts and state.
 * - relais_event: status history (who did what when, with issues).
 * - relais_message_key: indexed business keys (patient identifiers, document ids, correlation ids).
 * `job_id` (message: its processing job; delivery: its delivery job) names the BullMQ job that carries it, so that the
 * recovery sweep re-creates exactly that job (a no-op while it exists) instead of queueing the message a second time;
 * null means the message's own job (`p-<id>`, `d-<id>-<destination>`).
 */
export const SCHEMA_SQL = `
create table if not exists relais_message (
  id text primary key,
  seq bigserial not null,
  channel_id text not null,
  parent_id text references relais_message(id) on delete cascade,
  part_index integer,
  source_ref text,
  source_message_id text,
  dedup_key text not null,
  content_hash text not null,
  status text not null,
  ordering_key text,
  issues jsonb not null default '[]',
  received_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index if not exists relais_message_dedup on relais_message (channel_id, dedup_key);
create index if not exists relais_message_channel_status on relais_message (channel_id, status, received_at desc);
create index if not exists relais_message_received on relais_message (received_at desc);
-- partial: most messages have no source message id (split parts, files) or no ordering key (unordered channels),
-- and each version of a row (a message's row is written three times) inserts into every index it matches
drop index if exists relais_message_source_id;
create index if not exists relais_message_source_message on relais_message (source_message_id) where source_message_id is not null;
create index if not exists relais_message_parent on relais_message (parent_id);
create index if not exists relais_message_waiting on relais_message (channel_id, seq) where status = 'received';
alter table relais_message add column if not exists job_id text;
-- a part of a split batch takes its place in receive order from its batch: (the batch's seq, part index); other
-- messages (and parts stored before this column): (seq, 0). Ordered delivery compares these positions.
alter table relais_message add column if not exists order_seq bigint;
drop index if exists relais_message_ordering;
drop index if exists relais_message_ordering_key;
create index if not exists relais_message_ordering_position on relais_message (channel_id, ordering_key, (coalesce(order_seq, seq)), (coalesce(part_index, 0)))
  where ordering_key is not null;

create table if not exists relais_message_key (
  message_id text not null references relais_message(id) on delete cascade,
  kind text not null,
  value text not null,
  primary key (message_id, kind, value)
);
create index if not exists relais_message_key_lookup on relais_message_key (kind, value);

create table if not exists relais_snapshot (
  message_id text not null references relais_message(id) on delete cascade,
  stage text not null,
  destination_id text not null default '',
  content bytea not null,
  content_type text not null,
  created_at timestamptz not null default now(),
  primary key (message_id, stage, destination_id)
);

create table if not exists relais_delivery (
  message_id text not null references relais_message(id) on delete cascade,
  destination_id text not null,
  status text not null,
  attempts integer not null default 0,
  last_error text,
  detail text,
  updated_at timestamptz not null default now(),
  primary key (message_id, destination_id)
);
-- only the deliveries still to do (pending, or held for an operator): the sweep's index stays as small as the backlog
drop index if exists relais_delivery_status;
create index if not exists relais_delivery_open on relais_delivery (status, destination_id) where status in ('pending', 'held');
alter table relais_delivery add column if not exists job_id text;

-- keyed by (message, id): the one index serves a message's history; stores made before it had a second index
create table if not exists relais_event (
  id bigserial not null,
  message_id text not null references relais_message(id) on delete cascade,
  at timestamptz not null default now(),
  status text not null,
  destination_id text,
  detail jsonb,
  primary key (message_id, id)
);
do $relais_event_key$ begin
  if (select array_length(conkey, 1) from pg_constraint where conrelid = 'relais_event'::regclass and contype = 'p') = 1 then
    alter table relais_event drop constraint relais_event_pkey;
    alter table relais_event add primary key (message_id, id);
  end if;
end $relais_event_key$;
drop index if exists relais_event_message;

-- Delivery attempts to one destination, for several messages, in one round trip. One message after the other, with
-- statements of scalar parameters: their plans are cached (statements over unnested arrays are planned again at every
-- call, which costs more than they save for the one or few messages of most calls). Callers pass the messages in id
-- order, so that two calls lock shared messages in the same order and never wait on each other. Each message row is
-- locked before its status is computed; each statement of a volatile function takes a fresh snapshot, so a
-- destination finishing at the same moment is counted with its new status.
drop function if exists relais_record_delivery(text, text, text, integer, text, text, text, jsonb);
create or replace function relais_record_deliveries(p_ids text[], p_destination text, p_statuses text[], p_attempts integer[],
  p_errors text[], p_details text[], p_events text[], p_event_details text[], p_job_ids text[])
  returns table (r_id text, r_status text) language plpgsql volatile as $fn$
declare
  i integer;
  v_id text;
begin
  for i in 1 .. coalesce(array_length(p_ids, 1), 0) loop
    v_id := p_ids[i];
    perform 1 from relais_message where relais_message.id = v_id for update;
    update relais_delivery set status = p_statuses[i], attempts = p_attempts[i], last_error = p_errors[i],
      detail = coalesce(p_details[i], detail), job_id = coalesce(p_job_ids[i], job_id), updated_at = now()
      where message_id = v_id and destination_id = p_destination;
    insert into relais_event (message_id, status, destination_id, detail) values (v_id, p_events[i], p_destination, p_event_details[i]::jsonb);
    -- the message's deliveries read through its key (a status condition could lead the planner to scan every held
    -- or pending delivery of the store through relais_delivery_open)
    update relais_message m set updated_at = now(), status = (select case
        when bool_or(x.status = 'held') then 'held' when bool_or(x.status = 'pending') then 'routed' else 'delivered' end
        from relais_delivery x where x.message_id = v_id)
      where m.id = v_id returning m.id, m.status into r_id, r_status;
    if found then
      return next;
    end if;
  end loop;
end
$fn$;
`;
