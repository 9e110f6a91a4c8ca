import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestSshd, type TestSshd } from '../../test/sshd-server.js';
import { sftpSourceHarness } from '../../test/sftp-source-harness.js';
import { eventually } from '../../test/helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

/** The sftp source against a real OpenSSH sshd, a real PostgreSQL store and real Redis locks. */
describe('sftp source (real sshd)', () => {
  let sshd: TestSshd;
  let h: Awaited<ReturnType<typeof sftpSourceHarness>>;

  beforeAll(async () => {
    sshd = await startTestSshd();
    h = await sftpSourceHarness({ redisUrl: inject('redisUrl'), postgresUrl: inject('postgresUrl'), name: 'sftpsrc', sshd });
  });
  afterAll(async () => {
    await h?.close();
    await sshd?.stop();
  });

  const messages = (channelId: string) => h.store.find({ channelId, limit: 1000 });

  it('takes a stable file: claimed, stored with its sftp:// reference, archived under archive/YYYY/MM', async () => {
    const run = await h.start('basic', { directories: [{ path: 'basic', patterns: ['*.csv'] }], contentType: 'text/csv' });
    h.drop('basic', 'one.csv', 'a;b\n1;2\n');
    h.drop('basic', 'ignored.txt', 'not a csv');
    await eventually(() => h.list('basic', 'archive', h.month()).includes('one.csv'), 10_000, 'one.csv archived');
    const [m] = await messages('basic');
    expect(m).toMatchObject({ status: 'received', source_ref: `sftp://127.0.0.1:${sshd.port}/basic/one.csv` });
    expect(m!.source_message_id).toMatch(/^one\.csv:8:\d+$/);
    expect(m!.dedup_key).toBe(`sha256:${sha(Buffer.from('a;b\n1;2\n'))}`);
    expect((await h.store.snapshot(m!.id, 'raw'))).toEqual({ content: Buffer.from('a;b\n1;2\n'), contentType: 'text/csv' });
    expect(h.list('basic', 'processing')).toEqual([]);
    expect(h.list('basic')).toEqual(['archive', 'ignored.txt', 'processing']); // no error folder: nothing went wrong
    expect(run.received).toHaveLength(1);
    // logs carry ids, never file names
    expect(JSON.stringify(run.logs)).not.toContain('one.csv');
    await run.stop();
  });

  it('does not take a file that is still growing', async () => {
    const run = await h.start('growing', { directories: [{ path: 'growing' }], stableMs: 700 });
    fs.mkdirSync(h.local('growing'), { recursive: true });
    const file = h.local('growing', 'big.dat');
    const chunks: Buffer[] = [];
    for (let i = 0; i < 12; i++) {
      const c = crypto.randomBytes(1000);
      chunks.push(c);
      fs.appendFileSync(file, c);
      await sleep(150);
    }
    expect(run.received).toHaveLength(0); // 1.8 s of appends, never 700 ms unchanged
    expect(fs.existsSync(file)).toBe(true);
    await eventually(() => run.received.length === 1, 10_000, 'taken once stable');
    expect(run.received[0]!.content).toEqual(Buffer.concat(chunks));
    await run.stop();
  });

  it('the same content twice is stored once; both files are archived', async () => {
    const run = await h.start('dups', { directories: [{ path: 'dups' }], stableMs: 0 });
    h.drop('dups', 'first.csv', 'same bytes\n');
    await eventually(() => h.list('dups', 'archive', h.month()).includes('first.csv'));
    h.drop('dups', 'again.csv', 'same bytes\n');
    h.drop('dups', 'first.csv', 'same bytes\n'); // and the same name again: archived beside the first as first.csv.1
    await eventually(() => h.list('dups', 'archive', h.month()).length === 3, 10_000, 'three files archived');
    expect(h.list('dups', 'archive', h.month())).toEqual(['again.csv', 'first.csv', 'first.csv.1']);
    expect(run.received).toHaveLength(3);
    expect(await messages('dups')).toHaveLength(1);
    await run.stop();
  });
});
