import fs from 'node:fs';
import path from 'node:path';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import { z } from 'zod';
import { readSecret, secret, type Secret } from '../../engine/secret.js';

/** PEM material: a file (relative to the channel file) or a secret holding the PEM text. */
export const pemSource = () =>
  z.union([z.string().min(1).describe('PEM file, relative to the channel file'), secret()]).describe('PEM file path, or { env: NAME } holding the PEM text');

export const tlsSchema = z
  .strictObject({
    cert: pemSource().describe('server certificate chain (PEM): file or { env: NAME }'),
    key: pemSource().describe('server private key (PEM): file or { env: NAME }'),
    passphrase: secret().optional().describe('passphrase of an encrypted private key'),
    clientCa: pemSource().optional().describe('CA certificates client certificates are checked against (mutual TLS)'),
    requestClientCert: z.boolean().default(false).describe('ask for a client certificate (mutual TLS); needs clientCa'),
    minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
  })
  .refine((t) => !t.requestClientCert || t.clientCa !== undefined, { message: 'requestClientCert needs clientCa', path: ['clientCa'] });

export type TlsConfig = z.infer<typeof tlsSchema>;

/** Reads PEM text from a file or a secret (an environment value with literal `\n` is accepted, as some tools write). */
export function readPem(source: string | Secret, baseDir: string): string {
  if (typeof source === 'string') return fs.readFileSync(path.resolve(baseDir, source), 'utf8');
  const text = readSecret(source);
  return text.includes('\n') ? text : text.replace(/\\n/g, '\n');
}

/**
 * Node TLS server options. A client certificate, when requested, is verified against `clientCa` but the handshake
 * is not refused (`rejectUnauthorized: false`): the HTTP layer answers 401/403 with a reason instead.
 */
export function serverTlsOptions(t: TlsConfig, baseDir: string): TlsOptions & SecureContextOptions {
  return {
    cert: readPem(t.cert, baseDir),
    key: readPem(t.key, baseDir),
    ...(t.passphrase ? { passphrase: readSecret(t.passphrase) } : {}),
    ...(t.clientCa ? { ca: readPem(t.clientCa, baseDir) } : {}),
    requestCert: t.requestClientCert,
    rejectUnauthorized: false,
    minVersion: t.minVersion,
  };
}
