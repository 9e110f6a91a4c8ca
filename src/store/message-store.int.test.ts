import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPglite, openPostgres, type Db } from './db.js';
import { MessageStore, type ProcessingRecord } from './message-store.js';
import { error } from '../engine/issues.js';

const backends: [string, () => Promise<Db>][] = [
  ['pglite', () => openPglite(fs.mkdtempSync(path.join(os.tmpdir(), 'relais-pglite-')))],
  ['postgres', () => openPostgres(inject('postgresUrl'), { schema: `store_test_${process.pid}_${Date.now()}` })],
];

describe.each(backends)('MessageStore on %s', (_name, open) => {
  let store: MessageStore;
  beforeAll(async () => {
    store = await MessageStore.open(await open());
  });
  afterAll(() => store.close());

  it('stores a message with its raw snapshot and first event, once per dedup key', async () => {
    const raw = { content: Buffer.from('a;b\n1;2\n'), sourceRef: 'in.csv', contentType: 'text/csv' };
    const a = await store.receive('ch1', raw);
    expect(a.duplicate).toBe(false);
    const b = await store.receive('ch1', { ...raw, sourceRef: 'again.csv' });
    expect(b).toEqual({ id: a.id, duplicate: true, status: 'received', sameContent: true });
    const other = await store.receive('ch2', raw);
    expect(other.duplicate).toBe(false);
    expect((await store.snapshot(a.id, 'raw'))?.content.toString()).toBe('a;b\n1;2\n');
    expect((await store.events(a.id)).map((e) => e.status)).toEqual(['received']);
    expect((await store.get(a.id))?.source_ref).toBe('in.csv');
  });

  it('deduplicates on the source message id when one is given', async () => {
    const a = await store.receive('ch1', { content: Buffer.from('x'), sourceMessageId: 'MSG-1' });
    const b = await store.receive('ch1', { content: Buffer.from('different bytes'), sourceMessageId: 'MSG-1' });
    expect(b.duplicate).toBe(true);
    expect(b.id).toBe(a.id);
    expect(b.sameContent).toBe(false);
  });

  it('counts a duplicate only within the dedup window; an older one gives up its key and the input is stored anew', async () => {
    const raw = { content: Buffer.from('MSH|window'), dedupKey: 'APP|FAC|W-1', dedupWindowMs: 400 };
    const a = await store.receive('win', raw);
    const inside = await store.receive('win', raw);
    expect(inside).toMatchObject({ id: a.id, duplicate: true, sameContent: true });
    await new Promise((r) => setTimeout(r, 600));
    const outside = await store.receive('win', raw);
    expect(outside.duplicate).toBe(false);
    expect(outside.id).not.toBe(a.id);
    // the first message is kept (renamed key), the new one now holds the key
    expect((await store.get(a.id))?.dedup_key).toBe(`APP|FAC|W-1@${a.id}`);
    expect(await store.receive('win', raw)).toMatchObject({ id: outside.id, duplicate: true });
    // without a window a key is never released
    const b = await store.receive('win', { content: Buffer.from('x'), dedupKey: 'forever' });
    await new Promise((r) => setTimeout(r, 50));
    expect(await store.receive('win', { content: Buffer.from('x'), dedupKey: 'forever' })).toMatchObject({ id: b.id, duplicate: true });
  });

  it('stores binary payloads byte for byte', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const a = await store.receive('bin', { content: bytes });
    expect((await store.snapshot(a.id, 'raw'))?.content.equals(bytes)).toBe(true);
  });

  it('records processing, deliveries and derives the message status', async () => {
    const { id } = await store.receive('ch3', { content: Buffer.from('p1') });
    await store.recordProcessing(id, {
      status: 'routed',
      issues: [],
      snapshots: [
        { stage: 'mapped', content: Buffer.from('{}'), contentType: 'application/fhir+json' },
        { stage: 'encoded', destinationId: 'fhir', content: Buffer.from('{"a":1}'), contentType: 'application/fhir+json' },
      ],
      keys: { patient: ['urn:oid:1.2.250.1.213.1.4.8|1234567890123'] },
      orderingKey: 'urn:oid:1.2.250.1.213.1.4.8|1234567890123',
      deliveries: ['fhir', 'file'],
    });
    expect((await store.get(id))?.status).toBe('routed');
    expect(await store.recordDelivery(id, 'fhir', { status: 'pending', attempts: 1, error: 'ECONNREFUSED' })).toBe('routed');
    expect(await store.recordDelivery(id, 'fhir', { status: 'sent', attempts: 2, detail: '201' })).toBe('routed');
    expect(await store.recordDelivery(id, 'file', { status: 'sent', attempts: 1 })).toBe('delivered');
    const found = await store.find({ key: 'urn:oid:1.2.250.1.213.1.4.8|1234567890123' });
    expect(found.map((m) => m.id)).toEqual([id]);
    expect((await store.find({ key: 'patient:urn:oid:1.2.250.1.213.1.4.8|1234567890123', status: 'delivered' })).length).toBe(1);
    expect((await store.find({ key: 'document:nope' })).length).toBe(0);
    expect((await store.events(id)).map((e) => `${e.status}${e.destination_id ? `@${e.destination_id}` : ''}`)).toEqual([
      'received', 'routed', 'retrying@fhir', 'sent@fhir', 'sent@file',
    ]);
  });

  it('holds the message when one destination gives up, and keeps the error list', async () => {
    const { id } = await store.receive('ch4', { content: Buffer.from('p2') });
    await store.recordProcessing(id, { status: 'routed', issues: [], snapshots: [], deliveries: ['a', 'b'] });
    await store.recordDelivery(id, 'a', { status: 'sent', attempts: 1 });
    expect(await store.recordDelivery(id, 'b', { status: 'held', attempts: 12, error: 'HTTP 503' })).toBe('held');
    const rejected = await store.receive('ch4', { content: Buffer.from('bad') }, { status: 'rejected', issues: [error('CSV_ENCODING', 'not UTF-8')] });
    expect((await store.get(rejected.id))?.issues).toEqual([error('CSV_ENCODING', 'not UTF-8')]);
    expect((await store.find({ channelId: 'ch4', status: 'held' })).map((m) => m.id)).toEqual([id]);
  });

  it('concurrent deliveries of one message end in a consistent status', async () => {
    const { id } = await store.receive('ch5', { content: Buffer.from('p3') });
    const dests = Array.from({ length: 8 }, (_, i) => `d${i}`);
    await store.recordProcessing(id, { status: 'routed', issues: [], snapshots: [], deliveries: dests });
    await Promise.all(dests.map((d) => store.recordDelivery(id, d, { status: 'sent', attempts: 1 })));
    expect((await store.get(id))?.status).toBe('delivered');
  });

  it('split parts are idempotent children; retention keeps unfinished trees', async () => {
    const parent = await store.receive('ch6', { content: Buffer.from('batch') });
    const c1 = await store.receive('ch6', { content: Buffer.from('row1') }, { parentId: parent.id, partIndex: 1 });
    const again = await store.receive('ch6', { content: Buffer.from('row1') }, { parentId: parent.id, partIndex: 1 });
    expect(again).toMatchObject({ id: c1.id, duplicate: true });
    await store.setStatus(parent.id, 'split');
    await store.db.query(`update relais_message set received_at = now() - interval '100 days' where channel_id = 'ch6'`);
    expect(await store.purge('ch6', 90)).toBe(0); // child still 'received'
    await store.setStatus(c1.id, 'delivered');
    expect(await store.purge('ch6', 90)).toBe(1);
    expect(await store.get(c1.id)).toBeUndefined();
  });

  it('reads what the workers need in one round trip, with the blocking message of an ordered delivery', async () => {
    const a = await store.receive('ch8', { content: Buffer.from('first') });
    const b = await store.receive('ch8', { content: Buffer.from('second') });
    expect((await store.processingInput(a.id))?.raw?.content.toString()).toBe('first');
    expect((await store.processingInput(a.id))?.message).toEqual(await store.get(a.id));
    expect(await store.processingInput('nope')).toBeUndefined();
    const record = (id: string) =>
      store.recordProcessing(id, {
        status: 'routed', issues: [], orderingKey: 'k1', deliveries: ['out'],
        snapshots: [{ stage: 'encoded', destinationId: 'out', content: Buffer.from(`enc-${id}`), contentType: 'application/json' }],
      });
    await record(b.id);
    // b waits while a is still `received`
    const waiting = await store.deliveryInput(b.id, 'out', true);
    expect(waiting).toMatchObject({ delivery: { status: 'pending', attempts: 0 }, message: { ordering_key: 'k1' }, blocker: a.id });
    expect(waiting?.encoded?.content.toString()).toBe(`enc-${b.id}`);
    expect((await store.deliveryInput(b.id, 'out', false))?.blocker).toBeUndefined();
    // then while a (same key) has its delivery pending, and no longer once it is sent
    await record(a.id);
    expect((await store.deliveryInput(b.id, 'out', true))?.blocker).toBe(a.id);
    await store.recordDelivery(a.id, 'out', { status: 'sent', attempts: 1 });
    expect((await store.deliveryInput(b.id, 'out', true))?.blocker).toBeUndefined();
    expect(await store.deliveryInput(b.id, 'other', true)).toBeUndefined();
    // a delivery that does not exist leaves the status alone
    expect(await store.recordDelivery(a.id, 'other', { status: 'held', attempts: 1 })).toBe('delivered');
  });

  it('lists messages stored but not yet processed, with the job carrying each, for recovery at start', async () => {
    const { id } = await store.receive('ch7', { content: Buffer.from('waiting') });
    expect(await store.waitingForProcessing('ch7')).toEqual([{ id, job_id: null }]);
  });

  it('stores processed split parts in one write, in part order, once, each with its raw bytes, outcome and place in receive order', async () => {
    const parent = await store.receive('ch9', { content: Buffer.from('a\nb\nc') });
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
    const record = (id: string, i: number): ProcessingRecord =>
      i === 1
        ? { id, status: 'rejected', issues: [{ severity: 'error', code: 'BAD', message: 'bad row' }], snapshots: [] }
        : { id, status: 'routed', issues: [], snapshots: [{ stage: 'mapped', content: Buffer.from(`m${i}`), contentType: 'text/plain' }, { stage: 'encoded', destinationId: 'out', content: Buffer.from(`e${i}`), contentType: 'text/plain' }], keys: { patient: [`P${i}`] }, deliveries: ['out'], deliveryJobs: { out: 'db-job' } };
    const parts = [Buffer.from('a'), bytes, Buffer.from('c')].map((x, i) => {
      const id = `part-${parent.id}-${i}`;
      return { id, partIndex: i + 1, content: x, sourceRef: `f#${i + 1}`, record: record(id, i) };
    });
    expect([...(await store.receiveProcessedParts('ch9', parent.id, 'text/csv', parts))].sort()).toEqual(parts.map((p) => p.id).sort());
    const children = await store.children(parent.id);
    const parentSeq = (await store.get(parent.id))!.seq;
    expect(children.map((c) => [c.id, c.part_index, c.status, c.order_seq])).toEqual(parts.map((p, i) => [p.id, p.partIndex, i === 1 ? 'rejected' : 'routed', parentSeq]));
    expect(Number(children[0]!.seq)).toBeLessThan(Number(children[2]!.seq));
    for (const p of parts) expect((await store.snapshot(p.id, 'raw'))?.content.equals(p.content)).toBe(true);
    expect((await store.snapshot(parts[2]!.id, 'encoded', 'out'))?.content.toString()).toBe('e2');
    expect((await store.events(parts[1]!.id)).map((e) => [e.status, e.detail])).toEqual([['received', []], ['rejected', [{ severity: 'error', code: 'BAD', message: 'bad row' }]]]);
    expect(await store.deliveries(parts[0]!.id)).toMatchObject([{ destination_id: 'out', status: 'pending', job_id: 'db-job' }]);
    expect(await store.deliveries(parts[1]!.id)).toEqual([]);
    expect((await store.find({ key: 'patient:P2' })).map((m) => m.id)).toEqual([parts[2]!.id]);
    expect((await store.partsOf(parent.id)).map((p) => [p.part_index, p.status])).toEqual([[1, 'routed'], [2, 'rejected'], [3, 'routed']]);
    // stored again after a crash: nothing is stored twice
    const again = parts.map((p) => ({ ...p, id: `${p.id}-again`, record: { ...p.record, id: `${p.id}-again` } }));
    expect(await store.receiveProcessedParts('ch9', parent.id, 'text/csv', again)).toEqual(new Set());
    expect((await store.children(parent.id)).length).toBe(3);
  });

  it('records a batch of outcomes in one write, only for messages still received', async () => {
    const a = await store.receive('ch10', { content: Buffer.from('1') });
    const b = await store.receive('ch10', { content: Buffer.from('2') });
    const c = await store.receive('ch10', { content: Buffer.from('3') });
    await store.setStatus(c.id, 'rejected');
    const enc = (id: string) => ({ stage: 'encoded' as const, destinationId: 'out', content: Buffer.concat([Buffer.from(`enc-${id}`), Buffer.from([0, 255, 10])]), contentType: 'text/plain' });
    const recorded = await store.recordProcessingMany([
      { id: a.id, status: 'routed', issues: [], snapshots: [enc(a.id)], keys: { patient: ['p1'] }, orderingKey: 'p1', deliveries: ['out'], deliveryJobs: { out: 'db-x-out' } },
      { id: b.id, status: 'rejected', issues: [error('BAD', 'no')], snapshots: [] },
      { id: c.id, status: 'routed', issues: [], snapshots: [enc(c.id)], deliveries: ['out'] },
    ]);
    expect([...recorded].sort()).toEqual([a.id, b.id].sort());
    expect(await store.deliveries(c.id)).toEqual([]);
    expect((await store.get(c.id))?.status).toBe('rejected');
    expect((await store.get(b.id))?.issues).toEqual([error('BAD', 'no')]);
    expect(await store.delivery(a.id, 'out')).toMatchObject({ status: 'pending', job_id: 'db-x-out' });
    expect((await store.find({ key: 'patient:p1' })).map((m) => m.id)).toEqual([a.id]);
    expect((await store.snapshot(a.id, 'encoded', 'out'))?.content.equals(enc(a.id).content)).toBe(true);
    // a second outcome for the same message is not recorded
    expect(await store.recordProcessing(a.id, { status: 'filtered', issues: [], snapshots: [] })).toBe(false);
    expect((await store.get(a.id))?.status).toBe('routed');
  });

  it('reads and records a batch of deliveries; the blocker leaves out the batch itself', async () => {
    const ids: string[] = [];
    for (const k of ['k1', 'k1', 'k2']) {
      const { id } = await store.receive('ch11', { content: Buffer.from(`${k}-${ids.length}`) });
      await store.recordProcessing(id, { status: 'routed', issues: [], orderingKey: k, deliveries: ['out'], snapshots: [] });
      ids.push(id);
    }
    const [first, second, third] = ids as [string, string, string];
    expect((await store.deliveryInputs([second, third], 'out', true)).map((i) => [i.messageId, i.blocker])).toEqual([[second, first], [third, undefined]]);
    expect((await store.deliveryInputs(ids, 'out', true)).map((i) => [i.messageId, i.blocker])).toEqual(ids.map((id) => [id, undefined]));
    const statuses = await store.recordDeliveries('out', [
      { id: first, status: 'sent', attempts: 1, detail: '201' },
      { id: second, status: 'pending', attempts: 1, error: 'HTTP 503', jobId: 'db-later-out' },
      { id: third, status: 'held', attempts: 3, error: 'refused' },
    ]);
    expect(Object.fromEntries(statuses)).toEqual({ [first]: 'delivered', [second]: 'routed', [third]: 'held' });
    expect(await store.delivery(second, 'out')).toMatchObject({ status: 'pending', attempts: 1, last_error: 'HTTP 503', job_id: 'db-later-out' });
    expect((await store.events(second)).map((e) => e.status)).toEqual(['received', 'routed', 'retrying']);
    expect(await store.pendingDeliveries('ch11')).toEqual([{ message_id: second, destination_id: 'out', job_id: 'db-later-out' }]);
    expect(await store.pendingDeliveriesOf([third, second, first])).toEqual([{ message_id: second, destination_id: 'out', job_id: 'db-later-out' }]);
  });

  /** `n` routed messages of a channel, each with a pending delivery to each destination. */
  const routedMessages = async (channel: string, n: number, destinations: string[]) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await store.receive(channel, { content: Buffer.from(`${channel}-${i}`) })).id);
    await store.recordProcessingMany(ids.map((id) => ({ id, status: 'routed' as const, issues: [], snapshots: [], deliveries: destinations })));
    return ids;
  };

  it('records a batch of mixed outcomes for many messages across two destinations', async () => {
    const ids = await routedMessages('ch13', 54, ['x', 'y']);
    const outcome = (i: number, k: number) => (['sent', 'pending', 'held'] as const)[(i + k) % 3]!;
    // a first attempt to x for every message (given out of order: the store sorts them), then y, then x again for the
    // ones left pending, some without a detail or job (the earlier ones are kept)
    const first = ids.map((id, i) => ({ id, status: outcome(i, 0), attempts: 1, error: outcome(i, 0) === 'sent' ? undefined : `e${i}`, detail: `x${i}`, jobId: `jx${i}` }));
    const afterX = await store.recordDeliveries('x', [...first].reverse());
    expect(Object.fromEntries(afterX)).toEqual(Object.fromEntries(ids.map((id, i) => [id, outcome(i, 0) === 'held' ? 'held' : 'routed'])));
    const afterY = await store.recordDeliveries('y', ids.map((id, i) => ({ id, status: outcome(i, 1), attempts: 2, detail: `y${i}` })));
    const expected = (x: string, y: string) => (x === 'held' || y === 'held' ? 'held' : x === 'pending' || y === 'pending' ? 'routed' : 'delivered');
    expect(Object.fromEntries(afterY)).toEqual(Object.fromEntries(ids.map((id, i) => [id, expected(outcome(i, 0), outcome(i, 1))])));
    const retried = ids.flatMap((id, i) => (outcome(i, 0) === 'pending' ? [{ id, i }] : []));
    const afterRetry = await store.recordDeliveries('x', retried.map(({ id }) => ({ id, status: 'sent' as const, attempts: 2 })));
    expect(Object.fromEntries(afterRetry)).toEqual(Object.fromEntries(retried.map(({ id, i }) => [id, expected('sent', outcome(i, 1))])));
    for (const [i, id] of ids.entries()) {
      const x = outcome(i, 0) === 'pending' ? 'sent' : outcome(i, 0);
      expect((await store.get(id))?.status).toBe(expected(x, outcome(i, 1)));
      expect(await store.deliveries(id)).toMatchObject([
        { destination_id: 'x', status: x, attempts: outcome(i, 0) === 'pending' ? 2 : 1, last_error: outcome(i, 0) === 'held' ? `e${i}` : null, detail: `x${i}`, job_id: `jx${i}` },
        { destination_id: 'y', status: outcome(i, 1), attempts: 2, last_error: null, detail: `y${i}`, job_id: null },
      ]);
      const event = (status: string, destination: string, detail: object) => ({ status: status === 'pending' ? 'retrying' : status, destination_id: destination, detail });
      expect((await store.events(id)).map((e) => ({ status: e.status, destination_id: e.destination_id, detail: e.detail }))).toEqual([
        { status: 'received', destination_id: null, detail: [] },
        expect.objectContaining({ status: 'routed', destination_id: null }),
        event(outcome(i, 0), 'x', { attempts: 1, ...(outcome(i, 0) === 'sent' ? {} : { error: `e${i}` }), detail: `x${i}` }),
        event(outcome(i, 1), 'y', { attempts: 2, detail: `y${i}` }),
        ...(outcome(i, 0) === 'pending' ? [event('sent', 'x', { attempts: 2 })] : []),
      ]);
    }
  });

  it('records destinations finishing the same messages at the same moment: every message ends delivered, no deadlock', async () => {
    for (let round = 0; round < 4; round++) {
      const ids = await routedMessages(`ch14-${round}`, 50, ['a', 'b', 'c']);
      const sent = (some: string[]) => some.map((id) => ({ id, status: 'sent' as const, attempts: 1 }));
      // a and b record all 50 in one call each (b's given in reverse: the store sorts them), c in two calls of 25, all at once
      const [a, b] = await Promise.all([
        store.recordDeliveries('a', sent(ids)),
        store.recordDeliveries('b', sent([...ids].reverse())),
        store.recordDeliveries('c', sent(ids.slice(0, 25))),
        store.recordDeliveries('c', sent(ids.slice(25))),
      ]);
      expect(a!.size + b!.size).toBe(100);
      const statuses = await store.db.query<{ status: string; n: number }>(
        `select status, count(*)::int as n from relais_message where channel_id = $1 group by status`, [`ch14-${round}`]);
      expect(statuses).toEqual([{ status: 'delivered', n: 50 }]);
    }
  });

  // calls of more than 16 messages take the set-based path of relais_record_deliveries, smaller ones the per-message one
  it('leaves out a record for a message not in the store, in a batch or alone', async () => {
    for (const n of [2, 20]) {
      const [p, q, ...others] = await routedMessages(`ch15-${n}`, n, ['out']);
      const statuses = await store.recordDeliveries('out', [
        { id: p!, status: 'sent', attempts: 1 },
        { id: `not-stored-${n}`, status: 'sent', attempts: 1 },
        { id: q!, status: 'held', attempts: 1, error: 'no' },
        ...others.map((id) => ({ id, status: 'sent' as const, attempts: 1 })),
      ]);
      expect(Object.fromEntries(statuses)).toEqual({ [p!]: 'delivered', [q!]: 'held', ...Object.fromEntries(others.map((id) => [id, 'delivered'])) });
      expect((await store.events(q!)).map((e) => e.status)).toEqual(['received', 'routed', 'held']);
    }
    expect(await store.db.query(`select 1 from relais_event where message_id like 'not-stored-%'`)).toEqual([]);
    expect((await store.recordDeliveries('out', [{ id: 'not-stored-1', status: 'sent', attempts: 1 }])).size).toBe(0);
    await expect(store.recordDelivery('not-stored-3', 'out', { status: 'sent', attempts: 1 })).rejects.toThrow('not in the store');
  });

  it('records the same message twice in one call one record after the other', async () => {
    for (const n of [2, 20]) {
      const [p, ...others] = await routedMessages(`ch16-${n}`, n, ['out']);
      const statuses = await store.recordDeliveries('out', [
        { id: p!, status: 'pending', attempts: 1, error: 'HTTP 503', detail: 'first', jobId: 'j1' },
        ...others.map((id) => ({ id, status: 'sent' as const, attempts: 1 })),
        { id: p!, status: 'sent', attempts: 2 },
      ]);
      expect(Object.fromEntries(statuses)).toEqual({ [p!]: 'delivered', ...Object.fromEntries(others.map((id) => [id, 'delivered'])) });
      expect(await store.delivery(p!, 'out')).toMatchObject({ status: 'sent', attempts: 2, last_error: null, detail: 'first', job_id: 'j1' });
      expect((await store.events(p!)).map((e) => e.status)).toEqual(['received', 'routed', 'retrying', 'sent']);
    }
  });

  it('moves a store made with the earlier indexes to the current ones when it opens, keeping its rows', async () => {
    const { id } = await store.receive('ch12', { content: Buffer.from('before'), sourceMessageId: 'OLD-1' });
    await store.db.exec(`
      drop index relais_message_source_message; create index relais_message_source_id on relais_message (source_message_id);
      drop index relais_message_ordering_position; create index relais_message_ordering on relais_message (channel_id, ordering_key, seq);
      create index relais_message_ordering_key on relais_message (channel_id, ordering_key, seq) where ordering_key is not null;
      drop index relais_delivery_open; create index relais_delivery_status on relais_delivery (status, destination_id);
      alter table relais_event drop constraint relais_event_pkey; alter table relais_event add primary key (id);
      create index relais_event_message on relais_event (message_id, id);`);
    const reopened = await MessageStore.open(store.db);
    const indexes = async () => (await store.db.query<{ name: string; def: string }>(
      `select indexname as name, indexdef as def from pg_indexes where tablename in ('relais_message', 'relais_delivery', 'relais_event') and schemaname = current_schema() order by 1`,
    )).map((i) => `${i.name}: ${i.def.replace(/^.* USING /, '')}`);
    const after = await indexes();
    expect(after).toEqual(expect.arrayContaining([
      'relais_message_source_message: btree (source_message_id) WHERE (source_message_id IS NOT NULL)',
      'relais_message_ordering_position: btree (channel_id, ordering_key, COALESCE(order_seq, seq), COALESCE(part_index, 0)) WHERE (ordering_key IS NOT NULL)',
      "relais_delivery_open: btree (status, destination_id) WHERE (status = ANY (ARRAY['pending'::text, 'held'::text]))",
      'relais_event_pkey: btree (message_id, id)',
    ]));
    expect(after.filter((i) => /relais_message_source_id|relais_message_ordering:|relais_message_ordering_key|relais_delivery_status|relais_event_message/.test(i))).toEqual([]);
    await MessageStore.open(store.db); // idempotent: a second start changes nothing
    expect(await indexes()).toEqual(after);
    expect((await reopened.find({ sourceMessageId: 'OLD-1' })).map((m) => m.id)).toEqual([id]);
    expect((await reopened.events(id)).map((e) => e.status)).toEqual(['received']);
  });
});
