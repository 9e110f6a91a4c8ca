import { createHash } from 'node:crypto';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';

/** The SQL surface the store needs; the same SQL runs on PostgreSQL (pg) and on embedded PGlite. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  kind: 'postgres' | 'pglite';
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Return BIGINT and NUMERIC as strings is pg's default; timestamps as Date. Make bytea a Buffer on both drivers.
const toBuffer = (v: unknown) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);
function normaliseRow<T>(row: Record<string, unknown>): T {
  for (const k of Object.keys(row)) row[k] = toBuffer(row[k]);
  return row as T;
}

/**
 * Named (prepared) statements: PostgreSQL parses and plans each statement once per connection instead of on every
 * call (about a third of the server's CPU per message in bench/pipeline). The store's SQL texts are a small fixed
 * set, so the number of prepared statements per connection stays bounded.
 */
const statementNames = new Map<string, string>();
function prepared(text: string, values?: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (!name) {
    name = `relais_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return { name, text, values: values as unknown[] };
}

export async function openPostgres(url: string, opts: { max?: number; schema?: string } = {}): Promise<Db> {
  // a schema is set per connection at startup (`options`), never by a query racing the pool's first statement
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, ...(opts.schema ? { options: `-c search_path="${opts.schema}"` } : {}) });
  // An idle client dropped by the server emits 'error' on the pool; unhandled, it would crash the process. The pool
  // discards that client and the next query gets a fresh one (or fails, and that failure is handled where it happens).
  pool.on('error', () => undefined);
  if (opts.schema) await pool.query(`create schema if not exists "${opts.schema}"`);
  return {
    kind: 'postgres',
    async query<T>(sql: string, params?: unknown[]) {
      const r = await pool.query(prepared(sql, params));
      return r.rows as T[];
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async tx(fn) {
      const c = await pool.connect();
      try {
        await c.query('begin');
        const out = await fn({ query: async <T>(s: string, p?: unknown[]) => (await c.query(prepared(s, p))).rows as T[] });
        await c.query('commit');
        return out;
      } catch (e) {
        await c.query('rollback').catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Embedded PostgreSQL (WASM) persisted to `dataDir`; one process owns it. */
export async function openPglite(dataDir: string): Promise<Db> {
  const db = await PGlite.create(dataDir);
  const q = async <T>(runner: Pick<PGlite, 'query'>, sql: string, params?: unknown[]) =>
    (await runner.query<Record<string, unknown>>(sql, params)).rows.map((r) => normaliseRow<T>(r));
  return {
    kind: 'pglite',
    query: (sql, params) => q(db, sql, params),
    async exec(sql) {
      await db.exec(sql);
    },
    tx: (fn) => db.transaction((t) => fn({ query: (s, p) => q(t, s, p) })),
    close: () => db.close(),
  };
}

/** `DATABASE_URL` set → PostgreSQL; otherwise PGlite under the data directory. */
export function openDb(env: { databaseUrl?: string; dataDir: string }): Promise<Db> {
  return env.databaseUrl ? openPostgres(env.databaseUrl) : openPglite(`${env.dataDir}/pglite`);
}
