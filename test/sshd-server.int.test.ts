import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SftpClient from 'ssh2-sftp-client';
import { hostKeyFingerprint } from '../src/sources/sftp/host-key.js';
import { startTestSshd, type TestSshd } from './sshd-server.js';

const quiet = { error: () => undefined, end: () => undefined, close: () => undefined };

/** The harness itself: a real OpenSSH sshd, key login, SFTP in the temporary root, cut and restarted on demand. */
describe('test sshd harness', () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startTestSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  const connect = async () => {
    let seen = '';
    const c = new SftpClient('harness', quiet);
    await c.connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKey: sshd.privateKey,
      hostVerifier: (key: Buffer) => ((seen = hostKeyFingerprint(key)), true),
    });
    return { c, seen };
  };

  it('logs in with the client key, starts in root, and presents the host key it reports', async () => {
    fs.writeFileSync(path.join(sshd.root, 'hello.txt'), 'hello');
    const { c, seen } = await connect();
    expect(seen).toBe(sshd.hostKeyFingerprint);
    expect(sshd.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(await c.cwd()).toBe(sshd.root);
    expect((await c.list('.')).map((f) => f.name)).toContain('hello.txt');
    expect((await c.get('hello.txt')) as Buffer).toEqual(Buffer.from('hello'));
    await c.end();
    expect(sshd.log()).toMatch(/Accepted publickey for/);
  });

  it('refuses a key it does not know', async () => {
    const c = new SftpClient('stranger', quiet);
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    await expect(c.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: other, hostVerifier: () => true })).rejects.toThrow(/authentication/i);
  });

  it('cuts open sessions on demand, keeps listening, and comes back after a restart', async () => {
    const { c } = await connect();
    const closed = new Promise<void>((resolve) => c.on('close', () => resolve()));
    expect(sshd.dropConnections()).toBeGreaterThan(0);
    await closed;
    await expect(c.list('.')).rejects.toThrow();
    const again = await connect();
    await again.c.end();

    await sshd.halt();
    await expect(connect()).rejects.toThrow(/ECONNREFUSED|refused/i);
    await sshd.restart();
    const back = await connect();
    expect(back.seen).toBe(sshd.hostKeyFingerprint); // same host key after a restart
    await back.c.end();
  });
});
