import { z } from 'zod';
import { secret } from '../../engine/secret.js';
import { FINGERPRINT_PATTERN } from './host-key.js';

const fingerprint = z.string().regex(FINGERPRINT_PATTERN, 'an OpenSSH SHA256 fingerprint, e.g. "SHA256:" followed by 43 base64 characters (ssh-keygen -l -f key.pub)');
const suffix = z.string().regex(/^\.[^/\\\s]+$/, 'a file-name suffix starting with a dot, e.g. ".json"');
const folderName = z.string().min(1).describe('a folder on the server; relative: inside the polled folder');

export const directorySchema = z.strictObject({
  path: z.string().min(1).describe('remote folder to poll: absolute, or relative to the login directory'),
  patterns: z.array(z.string().min(1)).min(1).default(['*']).describe('file-name globs ("*.csv", "CR_??.{xml,txt}"); a file is taken when one matches'),
  processingDir: folderName.default('processing').describe('claimed files wait here while they are stored'),
  archiveDir: folderName.default('archive').describe('stored files are moved to <archiveDir>/YYYY/MM/ (UTC)'),
  errorDir: folderName.default('error').describe('files that cannot be taken go here, with <name>.error.txt beside them'),
});

export const sidecarSchema = z.strictObject({
  documentPattern: z.string().min(1).default('*.pdf').describe('file-name glob of the documents'),
  extensions: z.array(suffix).min(1).default(['.json', '.xml']).describe('the sidecar is <document base name><extension>, first found in this order'),
  waitMs: z.number().int().min(0).default(900_000).describe('a ready document (or sidecar) whose partner has not come after this long goes to the error folder'),
});

/**
 * Where and how to connect. Grouped under `server` (not flat `host`/`port`): a source's top-level `port` means a port
 * it listens on to the channel loader, which refuses two channels with the same one.
 */
export const serverSchema = z.strictObject({
  host: z.string().min(1).describe('SFTP server host name or address'),
  port: z.coerce.number().int().min(1).max(65535).default(22),
  username: z.string().min(1),
  privateKey: secret().describe('the private key (OpenSSH or PEM text) or the path of a key file, from the named environment variable'),
  passphrase: secret().optional().describe('passphrase of an encrypted private key'),
  hostKeyFingerprint: z
    .union([fingerprint, z.array(fingerprint).min(1)])
    .describe('pinned host key fingerprint(s), `SHA256:…` as `ssh-keygen -l` prints it; any other host key is refused'),
  keepaliveIntervalMs: z.number().int().min(0).default(10_000).describe('SSH keepalive; 0 disables'),
  keepaliveCountMax: z.number().int().min(1).default(3).describe('unanswered keepalives before the connection counts as dead'),
  connectTimeoutMs: z.number().int().min(100).default(20_000),
  operationTimeoutMs: z.number().int().min(100).default(60_000).describe('a listing, rename, read or write that takes longer drops the connection'),
  reconnect: z
    .strictObject({
      initialDelayMs: z.number().int().min(10).default(1000),
      maxDelayMs: z.number().int().min(10).default(60_000),
    })
    .prefault({})
    .describe('after a failed connection, wait (doubling, with jitter) before the next try'),
});

export const sftpOptions = z.object({
  server: serverSchema,
  directories: z.array(directorySchema).min(1).describe('folders to poll, each with its patterns and its processing, archive and error folders'),
  pollIntervalMs: z.number().int().min(100).default(5000),
  stableMs: z.number().int().min(0).default(5000).describe('ready: size and modification time unchanged for this long (mode "stable")'),
  ready: z
    .enum(['stable', 'companion'])
    .default('stable')
    .describe('"stable": size and mtime unchanged for stableMs; "companion": only once the sender wrote <name><suffix> (e.g. x.csv.done)'),
  companionSuffixes: z.array(suffix).min(1).default(['.done', '.ok']).describe('companion file suffixes (mode "companion"); companions are archived with their file'),
  sidecar: sidecarSchema.optional().describe('take documents only with their sidecar (same base name), received as one sidecar envelope'),
  afterSuccess: z.enum(['archive', 'delete']).default('archive').describe('what to do with a stored file; files are never deleted unless "delete"'),
  contentType: z.string().default('application/octet-stream').describe('content type of received files (not sidecar pairs)'),
  dedup: z
    .enum(['content', 'name'])
    .default('content')
    .describe('"content": the same bytes are received once (sha256); "name": once per file name, size and mtime'),
  maxBytes: z.number().int().min(1).default(100 * 1024 * 1024).describe('larger files go to the error folder'),
  maxAttempts: z.number().int().min(1).default(5).describe('a file the server keeps failing to read goes to the error folder after this many tries'),
  download: z
    .strictObject({
      chunkSize: z.number().int().min(1024).max(256 * 1024).default(64 * 1024).describe('bytes per SFTP read request'),
      concurrency: z.number().int().min(1).max(64).default(16).describe('read requests in flight'),
    })
    .prefault({}),
  lockTtlMs: z.number().int().min(1000).default(30_000).describe('one engine instance polls a folder at a time: lock expiry, renewed every third'),
});

export type SftpOptions = z.infer<typeof sftpOptions>;
export type DirectoryOptions = z.infer<typeof directorySchema>;
export type ServerOptions = z.infer<typeof serverSchema>;
export type SidecarOptions = z.infer<typeof sidecarSchema>;
