import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { loadPrivateKey } from './private-key.js';

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';

it('reads the key from the variable, also with escaped line breaks', () => {
  expect(loadPrivateKey({ env: 'K' }, '/', { K: KEY })).toBe(KEY);
  expect(loadPrivateKey({ env: 'K' }, '/', { K: KEY.replace(/\n/g, '\\n') })).toBe(KEY);
});

it('reads a key file named by the variable, relative to the channel folder', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-key-'));
  fs.writeFileSync(path.join(dir, 'id_ed25519'), KEY);
  expect(loadPrivateKey({ env: 'K' }, dir, { K: 'id_ed25519' })).toBe(KEY);
  expect(loadPrivateKey({ env: 'K' }, '/', { K: path.join(dir, 'id_ed25519') })).toBe(KEY);
  fs.writeFileSync(path.join(dir, 'not-a-key'), 'hello');
  expect(() => loadPrivateKey({ env: 'K' }, dir, { K: 'not-a-key' })).toThrow(/does not contain a private key/);
  expect(() => loadPrivateKey({ env: 'K' }, dir, { K: 'missing' })).toThrow(/neither a private key nor a readable key file .*ENOENT/);
  expect(() => loadPrivateKey({ env: 'K' }, dir, {})).toThrow(/K is not set/);
  fs.rmSync(dir, { recursive: true });
});
