import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestSshd, type TestSshd } from '../../test/sshd-server.js';
import { sftpSourceHarness } from '../../test/sftp-source-harness.js';
import { eventually } from '../../test/helpers.js';
import { createLogger } from '../monitor/logger.js';
import { SftpConnection } from './sftp/connection.js';

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
    // dedup by name, size and mtime instead: the same bytes under another name are another message
    const byName = await h.start('dups-by-name', { directories: [{ path: 'dups-by-name' }], stableMs: 0, dedup: 'name' });
    h.drop('dups-by-name', 'one.csv', 'same bytes\n');
    h.drop('dups-by-name', 'two.csv', 'same bytes\n');
    await eventually(() => h.list('dups-by-name', 'archive', h.month()).length === 2, 10_000, 'both archived');
    expect((await messages('dups-by-name')).map((m) => m.dedup_key).sort()).toEqual([expect.stringMatching(/^sftp:dups-by-name\/one\.csv:11:\d+$/), expect.stringMatching(/^sftp:dups-by-name\/two\.csv:11:\d+$/)]);
    await byName.stop();
  });

  it('a file over maxBytes is stored as rejected and moved to error/ with an .error.txt, without being read', async () => {
    const run = await h.start('oversize', { directories: [{ path: 'oversize' }], stableMs: 0, maxBytes: 100 });
    h.drop('oversize', 'big.csv', 'x'.repeat(1000));
    await eventually(() => h.list('oversize', 'error').length === 2, 10_000, 'moved to error/');
    expect(h.list('oversize', 'error')).toEqual(['big.csv', 'big.csv.error.txt']);
    const [m] = await messages('oversize');
    expect(m).toMatchObject({ status: 'rejected', source_ref: `sftp://127.0.0.1:${sshd.port}/oversize/big.csv` });
    expect(m!.issues).toEqual([expect.objectContaining({ code: 'FILE_TOO_LARGE', message: 'file is 1000 bytes, over the 100-byte limit' })]);
    const why = fs.readFileSync(h.local('oversize', 'error', 'big.csv.error.txt'), 'utf8');
    expect(why).toContain(`stored as rejected message: ${m!.id}`);
    expect(why).toContain('ERROR FILE_TOO_LARGE: file is 1000 bytes, over the 100-byte limit');
    expect(run.received).toHaveLength(0);
    expect(fs.readFileSync(h.local('oversize', 'error', 'big.csv'), 'utf8')).toBe('x'.repeat(1000)); // moved, never deleted
    await run.stop();
  });

  it('untrusted names: control characters and backslashes go to error/ renamed; dot files, symlinks and folders are left alone', async () => {
    const run = await h.start('names', { directories: [{ path: 'names', patterns: ['*.csv'] }], stableMs: 0 });
    h.drop('names', 'bell\u0007name.csv', 'a');
    h.drop('names', 'back\\slash.csv', 'b');
    h.drop('names', 'new\nline.csv', 'c');
    h.drop('names', Buffer.from([0x6c, 0x61, 0x74, 0xe9, 0x2e, 0x63, 0x73, 0x76]), 'latin-1 name'); // "laté.csv" in latin-1
    h.drop('names', 'ok.csv', 'fine');
    fs.writeFileSync(h.local('names', '.uploading.csv'), 'partial');
    fs.symlinkSync('/etc/passwd', h.local('names', 'passwd.csv'));
    fs.mkdirSync(h.local('names', 'folder.csv'));
    await eventually(() => h.list('names', 'error').length === 6, 10_000, 'three unsafe files in error/');
    expect(h.list('names', 'error')).toEqual(['back_slash.csv', 'back_slash.csv.error.txt', 'bell_name.csv', 'bell_name.csv.error.txt', 'new_line.csv', 'new_line.csv.error.txt']);
    expect(fs.readFileSync(h.local('names', 'error', 'bell_name.csv.error.txt'), 'utf8')).toContain('file: "bell\\u0007name.csv"');
    await eventually(() => h.list('names', 'archive', h.month()).includes('ok.csv'));
    // the latin-1 name cannot be addressed through a UTF-8 client: recorded once as rejected, left for an operator
    await eventually(async () => (await messages('names')).filter((m) => m.status === 'rejected').length === 4, 10_000, 'four rejections');
    await sleep(600);
    const rejected = (await messages('names')).filter((m) => m.status === 'rejected');
    expect(rejected).toHaveLength(4);
    expect(rejected.every((m) => m.issues[0]?.code === 'FILE_NAME_UNSAFE')).toBe(true);
    expect(rejected.find((m) => m.issues[0]!.message.includes('\uFFFD'))).toBeDefined();
    expect(run.logs.filter((l) => l.msg.startsWith('a file with an unaccepted name cannot be moved'))).toHaveLength(1);
    expect(h.list('names')).toEqual(expect.arrayContaining(['.uploading.csv', 'passwd.csv', 'folder.csv']));
    expect(run.received.map((r) => r.content.toString())).toEqual(['fine']); // the symlink target was never read
    await run.stop();
  });

  it('refuses a server whose host key is not the pinned one, naming both fingerprints, and reads nothing', async () => {
    const pinned = 'SHA256:' + crypto.createHash('sha256').update('another key').digest('base64').replace(/=+$/, '');
    const run = await h.start('hostkey', { directories: [{ path: 'hostkey' }], stableMs: 0, server: { hostKeyFingerprint: pinned } });
    h.drop('hostkey', 'secret.csv', 'must not leave the server');
    const line = await eventually(() => run.logs.find((l) => l.msg === 'sftp host key refused'), 10_000, 'host key refused');
    expect(line.err).toContain(`the server presented ${sshd.hostKeyFingerprint}, the channel pins ${pinned}`);
    await sleep(1000); // several reconnect attempts: logged once, nothing taken
    expect(run.logs.filter((l) => l.msg === 'sftp host key refused')).toHaveLength(1);
    expect(run.received).toHaveLength(0);
    expect(h.list('hostkey')).toEqual(['secret.csv']); // not even claimed: no processing/ folder was created
    await run.stop();
  });

  it('a large file (20 MB) is downloaded intact', async () => {
    const run = await h.start('large', { directories: [{ path: 'large' }], stableMs: 0 });
    const big = crypto.randomBytes(20 * 1024 * 1024);
    h.drop('large', 'scan.pdf', big);
    const [m] = await eventually(async () => ((await messages('large')).length === 1 ? messages('large') : undefined), 30_000, 'large file stored');
    expect(sha(run.received[0]!.content)).toBe(sha(big));
    expect(sha((await h.store.snapshot(m!.id, 'raw'))!.content)).toBe(sha(big));
    await eventually(() => h.list('large', 'archive', h.month()).includes('scan.pdf'));
    await run.stop();
  });

  /** Freezes the server's session processes as soon as `name` is claimed into `dir`/processing/: mid-download. */
  const freezeOnClaim = (dir: string, name: string) => {
    fs.mkdirSync(h.local(dir, 'processing'), { recursive: true });
    let frozen = false;
    const watcher = fs.watch(h.local(dir, 'processing'), () => {
      if (!frozen && fs.existsSync(h.local(dir, 'processing', name))) {
        frozen = sshd.freezeConnections() > 0;
        if (frozen) watcher.close();
      }
    });
    return { frozen: () => frozen, close: () => watcher.close() };
  };

  it('a connection cut mid-download leaves the file claimed; it is taken again at the next poll and stored once', async () => {
    // small sequential reads: the download lasts long enough to be cut in the middle
    const run = await h.start('cut', { directories: [{ path: 'cut' }], stableMs: 0, download: { chunkSize: 16384, concurrency: 1 } });
    const big = crypto.randomBytes(48 * 1024 * 1024);
    const freeze = freezeOnClaim('cut', 'cut.bin');
    h.drop('cut', 'cut.bin', big);
    await eventually(() => freeze.frozen(), 20_000, 'claimed');
    await sleep(300);
    expect(run.received).toHaveLength(0); // frozen in the middle of the download
    expect(h.list('cut', 'processing')).toEqual(['cut.bin']);
    expect(sshd.dropConnections()).toBeGreaterThan(0);
    await eventually(() => h.list('cut', 'archive', h.month()).includes('cut.bin'), 60_000, 'taken again and archived');
    expect(run.received).toHaveLength(1);
    expect(sha(run.received[0]!.content)).toBe(sha(big));
    expect(await messages('cut')).toHaveLength(1);
    expect(run.logs.some((l) => l.msg.startsWith('sftp connection lost'))).toBe(true);
    await run.stop();
  });

  it('a server that stops answering mid-download is detected by SSH keepalive; the file is taken again', async () => {
    const run = await h.start('hang', { directories: [{ path: 'hang' }], stableMs: 0, download: { chunkSize: 16384, concurrency: 1 } });
    const big = crypto.randomBytes(48 * 1024 * 1024);
    const freeze = freezeOnClaim('hang', 'hang.bin');
    h.drop('hang', 'hang.bin', big);
    try {
      await eventually(() => freeze.frozen(), 20_000, 'claimed');
      // keepalive every 500 ms, 2 unanswered: the session is declared dead, a new one takes the file again
      await eventually(() => h.list('hang', 'archive', h.month()).includes('hang.bin'), 60_000, 'taken again over a new session');
      expect(run.logs.find((l) => l.msg.startsWith('sftp connection lost'))?.msg).toMatch(/keepalive/i);
      expect(run.received).toHaveLength(1);
      expect(sha(run.received[0]!.content)).toBe(sha(big));
    } finally {
      freeze.close();
      sshd.dropConnections(); // the frozen session processes
    }
    await run.stop();
  });

  it('reconnects with backoff after the server went away, logging the outage once', async () => {
    const run = await h.start('outage', { directories: [{ path: 'outage' }], stableMs: 0 });
    h.drop('outage', 'before.csv', 'before');
    await eventually(() => h.list('outage', 'archive', h.month()).includes('before.csv'));
    await sshd.halt();
    h.drop('outage', 'during.csv', 'during');
    await sleep(1500); // several attempts, 100 ms doubling to 500 ms
    expect(run.logs.filter((l) => l.msg === 'sftp connection failed')).toHaveLength(1);
    expect(run.logs.filter((l) => l.msg === 'sftp problem persists').length).toBeGreaterThan(0);
    await sshd.restart();
    await eventually(() => h.list('outage', 'archive', h.month()).includes('during.csv'), 10_000, 'taken after the restart');
    expect(run.logs.some((l) => l.msg === 'sftp connection back')).toBe(true);
    await run.stop();
  });

  it('two source instances on one folder: one polls at a time (Redis lock), every file is received exactly once', async () => {
    const opts = { directories: [{ path: 'shared' }], stableMs: 0 };
    const a = await h.start('shared', opts);
    const b = await h.start('shared', opts);
    for (let i = 0; i < 30; i++) h.drop('shared', `f${String(i).padStart(2, '0')}.csv`, `file ${i}\n`);
    await eventually(() => h.list('shared', 'archive', h.month()).length === 30, 30_000, '30 files archived');
    const refs = [...a.received, ...b.received].map((r) => r.sourceRef);
    expect(refs).toHaveLength(30);
    expect(new Set(refs).size).toBe(30);
    const [holder, other] = a.received.length ? [a, b] : [b, a];
    expect(other.received).toHaveLength(0);
    // the holder stops (releases its lock): the other one takes over
    await holder.stop();
    for (let i = 30; i < 35; i++) h.drop('shared', `f${i}.csv`, `file ${i}\n`);
    await eventually(() => other.received.length === 5, 15_000, 'the other instance took over');
    expect(await messages('shared')).toHaveLength(35);
    await other.stop();
  });

  it('files left in processing/ by an interruption are taken again; content already stored is not stored twice', async () => {
    const run = await h.start('retake', { directories: [{ path: 'retake' }], stableMs: 0 });
    h.drop('retake', 'a.csv', 'content A');
    await eventually(() => h.list('retake', 'archive', h.month()).includes('a.csv'));
    // as if an engine had died after storing a-again.csv, and another before storing b.csv
    fs.writeFileSync(h.local('retake', 'processing', 'a-again.csv'), 'content A');
    fs.writeFileSync(h.local('retake', 'processing', 'b.csv'), 'content B');
    await eventually(() => h.list('retake', 'archive', h.month()).length === 3, 10_000, 'both taken again');
    expect(h.list('retake', 'processing')).toEqual([]);
    expect((await messages('retake')).map((m) => m.source_ref).sort()).toEqual([`sftp://127.0.0.1:${sshd.port}/retake/a.csv`, `sftp://127.0.0.1:${sshd.port}/retake/b.csv`]);
    await run.stop();
  });

  it('nothing leaves processing/ before it is stored: a store outage leaves the file claimed until it is stored', async () => {
    const run = await h.start('outage-store', { directories: [{ path: 'store-down' }], stableMs: 0 });
    h.failNextReceives(3);
    h.drop('store-down', 'x.csv', 'x');
    await eventually(() => run.logs.some((l) => l.err === 'store unavailable (test)'), 10_000, 'receive failed');
    expect(h.list('store-down', 'processing')).toEqual(['x.csv']);
    expect(h.list('store-down', 'archive')).toEqual([]);
    await eventually(() => h.list('store-down', 'archive', h.month()).includes('x.csv'), 10_000, 'stored then archived');
    expect(await messages('outage-store')).toHaveLength(1);
    await run.stop();
  });

  it('afterSuccess: delete removes stored files; errors are still kept in error/', async () => {
    const run = await h.start('delete', { directories: [{ path: 'delete' }], stableMs: 0, afterSuccess: 'delete', maxBytes: 10 });
    h.drop('delete', 'small.csv', 'small');
    h.drop('delete', 'large.csv', 'far too large');
    await eventually(() => h.list('delete', 'error').includes('large.csv.error.txt'));
    await eventually(() => !h.list('delete').includes('small.csv') && h.list('delete', 'processing').length === 0);
    expect(h.list('delete')).toEqual(['error', 'processing']);
    expect((await messages('delete')).map((m) => m.status).sort()).toEqual(['received', 'rejected']);
    await run.stop();
  });

  it('the claim is atomic: of two sessions renaming the same file at once, exactly one gets it', async () => {
    const settings = {
      host: sshd.host, port: sshd.port, username: sshd.user, privateKey: sshd.privateKey, hostKeyFingerprints: [sshd.hostKeyFingerprint],
      keepaliveIntervalMs: 0, keepaliveCountMax: 3, connectTimeoutMs: 5000, operationTimeoutMs: 10_000, reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
    };
    const logger = createLogger('silent');
    const [c1, c2] = [new SftpConnection(settings, logger), new SftpConnection(settings, logger)];
    const [x, y] = await Promise.all([c1.session(), c2.session()]);
    fs.mkdirSync(h.local('race', 'processing'), { recursive: true });
    const names = Array.from({ length: 40 }, (_, i) => `r${i}.csv`);
    for (const n of names) fs.writeFileSync(h.local('race', n), n);
    const outcomes = await Promise.all(names.map((n) => Promise.all([x, y].map((s) => s.rename(`race/${n}`, `race/processing/${n}`)))));
    for (const pair of outcomes) expect(pair.filter((o) => o === 'moved')).toHaveLength(1);
    expect(outcomes.flat().filter((o) => o !== 'moved').every((o) => o === 'source-missing' || o === 'target-exists')).toBe(true);
    expect(h.list('race', 'processing')).toEqual([...names].sort());
    for (const n of names) expect(fs.readFileSync(h.local('race', 'processing', n), 'utf8')).toBe(n);
    await Promise.all([c1.close(), c2.close()]);
  });
});
