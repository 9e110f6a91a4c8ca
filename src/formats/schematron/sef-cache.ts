/**
 * Cache of compiled stylesheets (SEF), in memory for the process and, when a directory is given, on disk as
 * `<key>.sef.json` (next to the generated `<key>.xsl`, kept for inspection). The key is computed by the caller from
 * every input (see `schematron-validator.ts`), so a changed .sch file or generator version never hits a stale entry.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { compileXsltFile } from './xslt3-compiler.js';

const memory = new Map<string, Promise<object>>();

/** Where a SEF came from, for timing and tests. */
export type SefSource = 'memory' | 'disk' | 'compiled';

/** SHA-256 hex of the JSON of `parts`. */
export function cacheKey(parts: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function compileInto(dir: string, key: string, xslt: string): Promise<string> {
  const xslFile = path.join(dir, `${key}.xsl`);
  const sefFile = path.join(dir, `${key}.sef.json`);
  const tmp = `${sefFile}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(xslFile, xslt, 'utf8');
  try {
    await compileXsltFile(xslFile, tmp);
    const text = await fs.readFile(tmp, 'utf8');
    await fs.rename(tmp, sefFile); // atomic: concurrent compilers of the same key write identical content
    return text;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

async function loadOrCompile(key: string, xslt: string, cacheDir: string | undefined, report: (s: SefSource) => void): Promise<object> {
  if (cacheDir !== undefined) {
    await fs.mkdir(cacheDir, { recursive: true });
    const cached = await readIfPresent(path.join(cacheDir, `${key}.sef.json`));
    if (cached !== undefined) {
      report('disk');
      return JSON.parse(cached) as object;
    }
    const text = await compileInto(cacheDir, key, xslt);
    report('compiled');
    return JSON.parse(text) as object;
  }
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'relais-sch-'));
  try {
    const text = await compileInto(dir, key, xslt);
    report('compiled');
    return JSON.parse(text) as object;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Returns the compiled form of `xslt`: from memory, else from `cacheDir`, else by compiling it (and storing it).
 * Concurrent calls with the same key share one compilation.
 */
export async function getSef(key: string, xslt: string, cacheDir?: string): Promise<{ sef: object; source: SefSource }> {
  const existing = memory.get(key);
  if (existing) return { sef: await existing, source: 'memory' };
  let source: SefSource = 'compiled';
  const pending = loadOrCompile(key, xslt, cacheDir, (s) => (source = s));
  memory.set(key, pending);
  try {
    return { sef: await pending, source };
  } catch (e) {
    memory.delete(key);
    throw e;
  }
}

/** Forgets the in-memory entries (tests, or to pick up files changed on disk without restarting). */
export function clearSefMemoryCache(): void {
  memory.clear();
}
