import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { hostKeyFingerprint, pinnedHostKey } from './host-key.js';

it('computes the fingerprint exactly as ssh-keygen prints it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-fp-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'k')]);
  const blob = Buffer.from(fs.readFileSync(path.join(dir, 'k.pub'), 'utf8').split(' ')[1]!, 'base64');
  const printed = /SHA256:\S+/.exec(execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', path.join(dir, 'k.pub')], { encoding: 'utf8' }))![0];
  expect(hostKeyFingerprint(blob)).toBe(printed);
  fs.rmSync(dir, { recursive: true });
});

it('accepts only a pinned key and reports both fingerprints otherwise', () => {
  const key = Buffer.from('some key blob');
  const good = hostKeyFingerprint(key);
  const other = 'SHA256:' + 'A'.repeat(43);
  expect(pinnedHostKey([other, good]).verify(key)).toBe(true);
  const pin = pinnedHostKey([other]);
  expect(pin.mismatch('h:22')).toBeUndefined(); // nothing presented yet
  expect(pin.verify(key)).toBe(false);
  const err = pin.mismatch('h:22')!;
  expect(err.message).toContain(`the server presented ${good}, the channel pins ${other}`);
  expect(err.presented).toBe(good);
});
