/**
 * The message store schema. Idempotent (runs at every start). Payloads live only here; queues hold ids.
 * - relais_message: one row per received message (a split batch's parts are child messages).
 * - relais_snapshot: the bytes of each stage: raw, parsed, mapped, and encoded per destination.
 * - relais_delivery: one row per (message, destination) with its attempts and state.
 * - relais_event: status history (who did what when, with issues).
 * - relais_message_key: indexed business keys (patient identifiers, document ids, correlation ids).
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
create index if not exists relais_message_source_id on relais_message (source_message_id);
create index if not exists relais_message_parent on relais_message (parent_id);
create index if not exists relais_message_ordering on relais_message (channel_id, ordering_key, seq);
create index if not exists relais_message_waiting on relais_message (channel_id, seq) where status = 'received';

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
create index if not exists relais_delivery_status on relais_delivery (status, destination_id);

create table if not exists relais_event (
  id bigserial primary key,
  message_id text not null references relais_message(id) on delete cascade,
  at timestamptz not null default now(),
  status text not null,
  destination_id text,
  detail jsonb
);
create index if not exists relais_event_message on relais_event (message_id, id);

-- One delivery attempt, in one round trip. The message row is locked first; each later statement of a volatile
-- function takes a fresh snapshot, so a destination finishing at the same moment is counted with its new status.
create or replace function relais_record_delivery(p_id text, p_destination text, p_status text, p_attempts integer,
  p_error text, p_detail text, p_event text, p_event_detail jsonb) returns text language plpgsql volatile as $fn$
declare
  new_status text;
begin
  perform 1 from relais_message where id = p_id for update;
  update relais_delivery set status = p_status, attempts = p_attempts, last_error = p_error,
    detail = coalesce(p_detail, detail), updated_at = now()
    where message_id = p_id and destination_id = p_destination;
  insert into relais_event (message_id, status, destination_id, detail) values (p_id, p_event, p_destination, p_event_detail);
  update relais_message set updated_at = now(), status = case
      when exists (select 1 from relais_delivery where message_id = p_id and status = 'held') then 'held'
      when exists (select 1 from relais_delivery where message_id = p_id and status = 'pending') then 'routed'
      else 'delivered' end
    where id = p_id returning status into new_status;
  return new_status;
end
$fn$;
`;
