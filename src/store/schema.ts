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

-- Delivery attempts to one destination, for several messages, in one round trip. Callers pass the messages in id
-- order (collate "C": the order of JavaScript's string comparison), so that two calls lock shared messages in the
-- same order and never wait on each other in a cycle. The message rows are locked before their status is computed;
-- each statement of a volatile function takes a fresh snapshot, so a destination finishing at the same moment (it
-- held the lock) is counted with its new status. A message not in the store is left out (no event, no result row).
-- Up to 16 messages: one after the other, with statements of scalar parameters whose plans are cached. More: four
-- statements for the whole call (lock all the rows in id order, update the deliveries, insert the events, recompute
-- the statuses), started once instead of once per message; they cost ~0.4 ms of planning per call, which 16 messages
-- one after the other cost too. Planned at every call (EXECUTE): a cached generic plan assumes about 10 array
-- elements and keeps the table sizes of the moment it was made, and a store that grew from empty without ANALYZE
-- (PGlite has no autovacuum) could then scan the whole store at every call. Every statement reads the rows through
-- their keys (id = any, never a join the planner could turn into a scan of a destination's deliveries), and
-- enable_seqscan = off keeps the planner from scanning a small table instead (it would for ~80 ids in 20,000 rows).
-- The same id twice in one call is recorded one record after the other, as the loop does.
drop function if exists relais_record_delivery(text, text, text, integer, text, text, text, jsonb);
create or replace function relais_record_deliveries(p_ids text[], p_destination text, p_statuses text[], p_attempts integer[],
  p_errors text[], p_details text[], p_events text[], p_event_details text[], p_job_ids text[])
  returns table (r_id text, r_status text) language plpgsql volatile set enable_seqscan = off as $fn$
declare
  i integer;
  v_id text;
  v_n integer := coalesce(array_length(p_ids, 1), 0);
  v_found integer;
  v_distinct integer;
begin
  if v_n > 16 then
    -- LockRows above the Sort: the rows are locked in this order
    execute $q$select count(*), (select count(distinct u) from unnest($1) u)
      from (select m.id from relais_message m where m.id = any($1) order by m.id collate "C" for update of m) l$q$
      into v_found, v_distinct using p_ids;
    if v_distinct = v_n then
      execute $q$update relais_delivery d set status = u.status, attempts = u.attempts, last_error = u.error,
        detail = coalesce(u.detail, d.detail), job_id = coalesce(u.job_id, d.job_id), updated_at = now()
        from unnest($1, $3, $4, $5, $6, $7) u(id, status, attempts, error, detail, job_id)
        where d.message_id = any($1) and d.destination_id = $2 and d.message_id = u.id$q$
        using p_ids, p_destination, p_statuses, p_attempts, p_errors, p_details, p_job_ids;
      execute $q$insert into relais_event (message_id, status, destination_id, detail)
        select u.id, u.status, $2, u.detail::jsonb from unnest($1, $3, $4) with ordinality u(id, status, detail, ord)
        where $5 or exists (select from relais_message m where m.id = u.id) order by u.ord$q$
        using p_ids, p_destination, p_events, p_event_details, v_found = v_n;
      -- each message's deliveries read through its key (a status condition could lead the planner to scan every held
      -- or pending delivery of the store through relais_delivery_open)
      return query execute $q$update relais_message m set updated_at = now(), status = (select case
          when bool_or(x.status = 'held') then 'held' when bool_or(x.status = 'pending') then 'routed' else 'delivered' end
          from relais_delivery x where x.message_id = m.id)
        where m.id = any($1) returning m.id, m.status$q$
        using p_ids;
      return;
    end if;
    -- the same id twice: below, one record after the other (the rows are locked already)
  end if;
  for i in 1 .. v_n loop
    v_id := p_ids[i];
    perform 1 from relais_message where relais_message.id = v_id for update;
    if not found then
      continue;
    end if;
    update relais_delivery set status = p_statuses[i], attempts = p_attempts[i], last_error = p_errors[i],
      detail = coalesce(p_details[i], detail), job_id = coalesce(p_job_ids[i], job_id), updated_at = now()
      where message_id = v_id and destination_id = p_destination;
    insert into relais_event (message_id, status, destination_id, detail) values (v_id, p_events[i], p_destination, p_event_details[i]::jsonb);
    -- the message's deliveries read through its key (see above)
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
