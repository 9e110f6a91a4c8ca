/**
 * TLS settings as channel options (zod) and their resolution into the transport's options: PEM material is a file
 * path (relative to the channel file) or a secret `{ env: NAME }` holding the PEM text. Plain TCP must be chosen
 * explicitly with `tls: false`; there is no default.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { readSecret, secret } from '../../engine/secret.js';
import type { MllpClientTlsOptions } from './client-socket.js';
import type { MllpServerTlsOptions } from './server-options.js';

const pem = (what: string) => z.union([z.string().min(1), secret()]).describe(`${what}: a PEM file path (relative to the channel file) or { env: NAME } holding the PEM text`);
type PemOption = z.infer<ReturnType<typeof pem>>;

export const serverTlsOption = z
  .union([
    z.literal(false).describe('plain TCP: only on a protected network, and it must be written'),
    z
      .strictObject({
        cert: pem('server certificate (chain)'),
        key: pem('server private key'),
        ca: pem('CA certificates that client certificates must chain to').optional(),
        requestClientCert: z.boolean().default(false).describe('mutual TLS: a client without a certificate signed by `ca` is refused during the handshake'),
        handshakeTimeoutMs: z.number().int().min(100).default(30_000),
      })
      .refine((t) => !t.requestClientCert || t.ca !== undefined, { message: 'requestClientCert needs ca (the CA client certificates are checked against)', path: ['ca'] }),
  ])
  .describe('TLS (recommended) or `false` for plain TCP; required, there is no implicit plain-text default');

export const clientTlsOption = z
  .union([
    z.literal(false).describe('plain TCP: only on a protected network, and it must be written'),
    z
      .strictObject({
        ca: pem('CA certificates the server certificate must chain to (default: the system roots)').optional(),
        cert: pem('client certificate, for mutual TLS').optional(),
        key: pem('client private key, for mutual TLS').optional(),
        servername: z.string().optional().describe('name to verify in the server certificate (default: host)'),
      })
      .refine((t) => (t.cert === undefined) === (t.key === undefined), { message: 'cert and key go together', path: ['key'] }),
  ])
  .describe('TLS (recommended) or `false` for plain TCP; required. The server certificate is always verified');

export type ServerTlsOption = z.infer<typeof serverTlsOption>;
export type ClientTlsOption = z.infer<typeof clientTlsOption>;

function readPem(p: PemOption, baseDir: string, what: string): string {
  if (typeof p !== 'string') return readSecret(p);
  const file = path.resolve(baseDir, p);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`tls.${what}: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Reads the PEM material; throws a clear error when a file or secret is missing. */
export function resolveServerTls(t: ServerTlsOption, baseDir: string): false | MllpServerTlsOptions {
  if (t === false) return false;
  return {
    cert: readPem(t.cert, baseDir, 'cert'),
    key: readPem(t.key, baseDir, 'key'),
    ...(t.ca !== undefined ? { ca: readPem(t.ca, baseDir, 'ca') } : {}),
    requestCert: t.requestClientCert,
    rejectUnauthorized: t.requestClientCert,
    handshakeTimeoutMs: t.handshakeTimeoutMs,
  };
}

export function resolveClientTls(t: ClientTlsOption, baseDir: string): false | MllpClientTlsOptions {
  if (t === false) return false;
  return {
    ...(t.ca !== undefined ? { ca: readPem(t.ca, baseDir, 'ca') } : {}),
    ...(t.cert !== undefined ? { cert: readPem(t.cert, baseDir, 'cert') } : {}),
    ...(t.key !== undefined ? { key: readPem(t.key, baseDir, 'key') } : {}),
    ...(t.servername !== undefined ? { servername: t.servername } : {}),
    rejectUnauthorized: true,
  };
}
