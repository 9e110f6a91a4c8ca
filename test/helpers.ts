import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const made: string[] = [];
/** Removes the folders `tmpDir` made (run after each test file's own hooks, see test/setup-cleanup.ts). */
export function removeTmpDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}
/** A fresh temporary folder, removed once the test file is done. */
export const tmpDir = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `relais-${prefix}-`));
  made.push(d);
  return d;
};

/** A fresh database on the test PostgreSQL server; returns its URL. */
export async function freshDatabase(serverUrl: string, name: string): Promise<string> {
  const c = new pg.Client(serverUrl);
  await c.connect();
  const db = `${name}_${process.pid}_${Date.now().toString(36)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await c.query(`create database "${db}"`);
  await c.end();
  const u = new URL(serverUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Polls until `check` returns a truthy value (or throws after timeoutMs with the last value seen). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 30_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last as NonNullable<T>;
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}${lastErr ? `; last error: ${(lastErr as Error).message}` : ''}`);
}

/** Builds a valid NIR from 13 characters (Corsica 2A → 19, 2B → 18 for the key). */
export const nirWithKey = (body: string) => body + String(97 - Number(BigInt(body.replace('2A', '19').replace('2B', '18')) % 97n)).padStart(2, '0');

/** Identity CSV text with `n` qualified patients (distinct INS and IPP). */
export function identityCsv(n: number, start = 0): string {
  const head = 'ins;nom_naissance;prenoms_naissance;date_naissance;sexe;lieu_naissance_insee;ipp;ipp_autorite;fiabilite\n';
  const rows = Array.from({ length: n }, (_, k) => {
    const i = start + k;
    const body = `1${String(50 + (i % 50)).padStart(2, '0')}0175${String(100 + (i % 900)).padStart(3, '0')}${String(i % 1000).padStart(3, '0')}`;
    return `${nirWithKey(body)};NOM${i};Prenom${i};1960-01-01;M;75056;IPP${String(i).padStart(6, '0')};1.2.250.1.71.4.2.2;VALI`;
  });
  return head + rows.join('\n') + '\n';
}
