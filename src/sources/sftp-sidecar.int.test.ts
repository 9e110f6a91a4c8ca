import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestSshd, type TestSshd } from '../../test/sshd-server.js';
import { sftpSourceHarness } from '../../test/sftp-source-harness.js';
import { eventually } from '../../test/helpers.js';
import type { SidecarEnvelope } from './sftp/envelope.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Companion files and document + sidecar pairs, against a real OpenSSH sshd, store and Redis. */
describe('sftp source: companions and sidecars (real sshd)', () => {
  let sshd: TestSshd;
  let h: Awaited<ReturnType<typeof sftpSourceHarness>>;
  const sidecar = { documentPattern: '*.pdf', extensions: ['.json', '.xml'], waitMs: 1000 };
  const pdf = (n: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(2000 + n), Buffer.from('\n%%EOF\n')]);

  beforeAll(async () => {
    sshd = await startTestSshd();
    h = await sftpSourceHarness({ redisUrl: inject('redisUrl'), postgresUrl: inject('postgresUrl'), name: 'sftpside', sshd });
  });
  afterAll(async () => {
    await h?.close();
    await sshd?.stop();
  });

  const messages = (channelId: string) => h.store.find({ channelId, limit: 1000 });
  const envelopeOf = (b: Buffer) => JSON.parse(b.toString('utf8')) as SidecarEnvelope;

  it('companion mode: a file is taken only once its .done (or .ok) exists, and the companion is archived with it', async () => {
    const run = await h.start('companion', { directories: [{ path: 'companion', patterns: ['*.csv'] }], ready: 'companion', stableMs: 0 });
    h.drop('companion', 'a.csv', 'a');
    h.drop('companion', 'b.csv', 'b');
    await sleep(800);
    expect(run.received).toHaveLength(0); // no companion yet, however stable
    h.drop('companion', 'a.csv.done', '');
    h.drop('companion', 'b.csv.ok', '');
    await eventually(() => h.list('companion', 'archive', h.month()).length === 4, 10_000, 'files and companions archived');
    expect(h.list('companion', 'archive', h.month())).toEqual(['a.csv', 'a.csv.done', 'b.csv', 'b.csv.ok']);
    expect(run.received.map((r) => r.content.toString()).sort()).toEqual(['a', 'b']);
    expect(h.list('companion')).toEqual(['archive', 'processing']);
    await run.stop();
  });

  it('a document and its sidecar become one message (sidecar envelope); both are archived', async () => {
    const run = await h.start('pairs', { directories: [{ path: 'pairs' }], sidecar });
    const doc = pdf(1);
    h.drop('pairs', 'CR-001.pdf', doc);
    h.drop('pairs', 'CR-001.json', '{"patient":"é","examen":"biopsie"}');
    const doc2 = pdf(2);
    h.drop('pairs', 'CR-002.pdf', doc2);
    h.drop('pairs', 'CR-002.xml', '<meta/>');
    await eventually(() => h.list('pairs', 'archive', h.month()).length === 4, 10_000, 'two pairs archived');
    expect(h.list('pairs', 'archive', h.month())).toEqual(['CR-001.json', 'CR-001.pdf', 'CR-002.pdf', 'CR-002.xml']);
    const all = await messages('pairs');
    expect(all).toHaveLength(2);
    const first = all.find((m) => m.source_ref?.endsWith('/pairs/CR-001.pdf'))!;
    const raw = (await h.store.snapshot(first.id, 'raw'))!;
    expect(raw.contentType).toBe('application/vnd.relais.sidecar+json');
    expect(envelopeOf(raw.content)).toEqual({
      document: { name: 'CR-001.pdf', contentType: 'application/pdf', base64: doc.toString('base64') },
      sidecar: { name: 'CR-001.json', contentType: 'application/json', text: '{"patient":"é","examen":"biopsie"}' },
    });
    expect(first.source_message_id).toMatch(/^CR-001\.pdf:\d+:\d+\+CR-001\.json:\d+:\d+$/);
    const second = envelopeOf(run.received.find((r) => r.sourceRef!.endsWith('CR-002.pdf'))!.content);
    expect(second.sidecar).toEqual({ name: 'CR-002.xml', contentType: 'application/xml', text: '<meta/>' });
    expect(Buffer.from(second.document.base64, 'base64')).toEqual(doc2);
    await run.stop();
  });

  it('a document waits for a sidecar that comes late (within waitMs)', async () => {
    const run = await h.start('late', { directories: [{ path: 'late' }], stableMs: 200, sidecar: { ...sidecar, waitMs: 5000 } });
    h.drop('late', 'L.pdf', pdf(3));
    await sleep(1200);
    expect(run.received).toHaveLength(0);
    expect(h.list('late')).toContain('L.pdf');
    h.drop('late', 'L.json', '{}');
    await eventually(() => run.received.length === 1, 10_000, 'pair received');
    expect(envelopeOf(run.received[0]!.content).sidecar.name).toBe('L.json');
    await run.stop();
  });

  it('a document whose sidecar never comes, or a sidecar without document, goes to error/ after waitMs, stored as rejected', async () => {
    const run = await h.start('alone', { directories: [{ path: 'alone' }], stableMs: 200, sidecar });
    const doc = pdf(4);
    h.drop('alone', 'D.pdf', doc);
    h.drop('alone', 'S.json', '{"orphan":true}');
    await eventually(() => h.list('alone', 'error').length === 4, 10_000, 'both in error/');
    expect(h.list('alone', 'error')).toEqual(['D.pdf', 'D.pdf.error.txt', 'S.json', 'S.json.error.txt']);
    const all = await messages('alone');
    const d = all.find((m) => m.source_ref?.endsWith('/D.pdf'))!;
    expect(d).toMatchObject({ status: 'rejected' });
    expect(d.issues[0]).toMatchObject({ code: 'SIDECAR_MISSING', message: expect.stringContaining('.json, .xml') });
    expect((await h.store.snapshot(d.id, 'raw'))).toEqual({ content: doc, contentType: 'application/pdf' }); // nothing lost
    expect(all.find((m) => m.source_ref?.endsWith('/S.json'))!.issues[0]).toMatchObject({ code: 'SIDECAR_WITHOUT_DOCUMENT' });
    expect(fs.readFileSync(h.local('alone', 'error', 'D.pdf.error.txt'), 'utf8')).toContain('ERROR SIDECAR_MISSING');
    expect(run.received).toHaveLength(0);
    await run.stop();
  });

  it('a sidecar that is not UTF-8 sends the pair to error/ together', async () => {
    const run = await h.start('latin', { directories: [{ path: 'latin' }], stableMs: 0, sidecar });
    h.drop('latin', 'X.pdf', pdf(5));
    h.drop('latin', 'X.xml', Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><nom>Lef\xe8vre</nom>', 'latin1'));
    await eventually(() => h.list('latin', 'error').length === 4, 10_000, 'pair in error/');
    expect(h.list('latin', 'error')).toEqual(['X.pdf', 'X.pdf.error.txt', 'X.xml', 'X.xml.error.txt']);
    const [m] = await messages('latin');
    expect(m).toMatchObject({ status: 'rejected' });
    expect(m!.issues[0]).toMatchObject({ code: 'SIDECAR_ENCODING', message: 'the sidecar "X.xml" is not valid UTF-8' });
    await run.stop();
  });

  it('after an interruption: a claimed document finds its sidecar still in the inbox; a sidecar left after its archived document is archived', async () => {
    fs.mkdirSync(h.local('resume', 'processing'), { recursive: true });
    const doc = pdf(6);
    fs.writeFileSync(h.local('resume', 'processing', 'R.pdf'), doc); // claimed, then the engine died
    fs.writeFileSync(h.local('resume', 'R.json'), '{"r":1}');
    fs.writeFileSync(h.local('resume', 'processing', 'Done.json'), '{"done":1}'); // its document was archived already
    const run = await h.start('resume', { directories: [{ path: 'resume' }], stableMs: 0, sidecar });
    await eventually(() => h.list('resume', 'archive', h.month()).length === 3, 10_000, 'archived');
    expect(h.list('resume', 'archive', h.month())).toEqual(['Done.json', 'R.json', 'R.pdf']);
    expect(run.received).toHaveLength(1);
    expect(envelopeOf(run.received[0]!.content)).toMatchObject({ sidecar: { name: 'R.json', text: '{"r":1}' } });
    expect(h.list('resume', 'processing')).toEqual([]);
    await run.stop();
  });

  it('sidecars with companion files: the pair is taken once the document’s .done exists', async () => {
    const run = await h.start('pair-done', { directories: [{ path: 'pair-done' }], ready: 'companion', sidecar });
    h.drop('pair-done', 'P.pdf', pdf(7));
    h.drop('pair-done', 'P.json', '{}');
    await sleep(800);
    expect(run.received).toHaveLength(0);
    h.drop('pair-done', 'P.pdf.done', '');
    await eventually(() => h.list('pair-done', 'archive', h.month()).length === 3, 10_000, 'pair and companion archived');
    expect(h.list('pair-done', 'archive', h.month())).toEqual(['P.json', 'P.pdf', 'P.pdf.done']);
    expect(run.received).toHaveLength(1);
    await run.stop();
  });
});
