import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestKeyPair {
  cert: string;
  key: string;
}

/** A throw-away PKI for TLS tests: two unrelated CAs, a server certificate and client certificates. */
export interface TestPki {
  dir: string;
  /** The CA that signs `server` and `client`. */
  ca: TestKeyPair;
  /** An unrelated CA; signs `foreignClient`. */
  otherCa: TestKeyPair;
  /** CN=localhost, SAN IP:127.0.0.1 and DNS:localhost, serverAuth. */
  server: TestKeyPair;
  /** CN=relais-test-client, clientAuth, signed by `ca`. */
  client: TestKeyPair;
  /** CN=intruder, clientAuth, signed by `otherCa`. */
  foreignClient: TestKeyPair;
  remove(): Promise<void>;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

async function makeCa(dir: string, name: string, cn: string): Promise<TestKeyPair> {
  await openssl(dir, ['req', '-x509', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2',
    '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return read(dir, name);
}

async function makeLeaf(dir: string, name: string, subject: string, ca: string, extensions: string[]): Promise<TestKeyPair> {
  await fs.writeFile(path.join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  await openssl(dir, ['req', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial',
    `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`, '-days', '2', '-sha256',
    '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
  return read(dir, name);
}

async function read(dir: string, name: string): Promise<TestKeyPair> {
  const [cert, key] = await Promise.all([
    fs.readFile(path.join(dir, `${name}.crt`), 'utf8'),
    fs.readFile(path.join(dir, `${name}.key`), 'utf8'),
  ]);
  return { cert, key };
}

/** Generates the test PKI (EC P-256, valid 2 days) with the `openssl` CLI in a fresh temp dir. Call once per test file. */
export async function createTestPki(): Promise<TestPki> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'relais-mllp-pki-'));
  const leafBase = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature',
    'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'];
  const [ca, otherCa] = await Promise.all([makeCa(dir, 'ca', 'Relais Test CA'), makeCa(dir, 'other-ca', 'Other Test CA')]);
  const [server, client, foreignClient] = await Promise.all([
    makeLeaf(dir, 'server', '/CN=localhost', 'ca',
      [...leafBase, 'extendedKeyUsage=serverAuth', 'subjectAltName=IP:127.0.0.1,DNS:localhost']),
    makeLeaf(dir, 'client', '/O=Relais Tests/CN=relais-test-client', 'ca', [...leafBase, 'extendedKeyUsage=clientAuth']),
    makeLeaf(dir, 'foreign-client', '/CN=intruder', 'other-ca', [...leafBase, 'extendedKeyUsage=clientAuth']),
  ]);
  return { dir, ca, otherCa, server, client, foreignClient, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}
