import fs from 'node:fs';
import path from 'node:path';
import { readSecret, type Secret } from '../../engine/secret.js';

const PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/**
 * The private key from its secret: the variable holds either the key itself (OpenSSH or PEM text; `\n` escapes, as
 * container environments often carry them, are turned back into line breaks) or the path of a key file, relative to
 * the channel file's folder.
 */
export function loadPrivateKey(secret: Secret, baseDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = readSecret(secret, env);
  if (PEM.test(value)) return value.includes('\n') ? value : value.replace(/\\n/g, '\n');
  const file = path.resolve(baseDir, value);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`SFTP private key: ${secret.env} is neither a private key nor a readable key file (${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!PEM.test(text)) throw new Error(`SFTP private key: ${file} (from ${secret.env}) does not contain a private key`);
  return text;
}
