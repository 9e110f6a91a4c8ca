import fs from 'node:fs';
import type { EngineConfig, RuntimeInfo } from '../runtime/config.js';
import { runtimeInfoPath } from '../runtime/config.js';
import { openDb } from '../store/db.js';
import { MessageStore, type FindQuery, type MessageRow } from '../store/message-store.js';
import { replayMessage } from '../runtime/replay.js';

function running(dataDir: string): RuntimeInfo | undefined {
  const file = runtimeInfoPath(dataDir);
  if (!fs.existsSync(file)) return undefined;
  const info = JSON.parse(fs.readFileSync(file, 'utf8')) as RuntimeInfo;
  try {
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined; // stale file from a killed engine
  }
}

/**
 * The CLI's view of the store: through the running engine's admin API when there is one (the embedded PGlite
 * belongs to one process; replays must reach the engine's queues), otherwise straight to the store.
 */
export interface Admin {
  find(q: FindQuery): Promise<MessageRow[]>;
  detail(id: string): Promise<unknown>;
  replay(id: string, destination?: string): Promise<string>;
  close(): Promise<void>;
}

export async function openAdmin(config: EngineConfig): Promise<Admin> {
  const info = running(config.dataDir);
  if (info) {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(config.adminToken ? { authorization: `Bearer ${config.adminToken}` } : {}) };
    const call = async <T>(p: string, init?: RequestInit): Promise<T> => {
      const r = await fetch(`${info.adminUrl}${p}`, { ...init, headers });
      const body = (await r.json()) as T & { error?: string };
      if (!r.ok) throw new Error(body.error ?? `HTTP ${r.status}`);
      return body;
    };
    return {
      find: (q) => {
        const params = new URLSearchParams();
        if (q.channelId) params.set('channel', q.channelId);
        for (const k of ['status', 'key', 'sourceMessageId', 'limit'] as const) if (q[k] !== undefined) params.set(k, String(q[k]));
        if (q.since) params.set('since', q.since.toISOString());
        if (q.until) params.set('until', q.until.toISOString());
        return call(`/api/messages?${params.toString()}`);
      },
      detail: (id) => call(`/api/messages/${encodeURIComponent(id)}`),
      replay: async (id, destination) => (await call<{ result: string }>(`/api/messages/${encodeURIComponent(id)}/replay`, { method: 'POST', body: JSON.stringify({ destination }) })).result,
      close: async () => {},
    };
  }
  const store = await MessageStore.open(await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  return {
    find: (q) => store.find(q),
    detail: async (id) => {
      const message = await store.get(id);
      if (!message) throw new Error(`no message ${id}`);
      return { message, deliveries: await store.deliveries(id), events: await store.events(id), snapshots: await store.snapshots(id), children: await store.children(id) };
    },
    replay: async (id, destination) => `${await replayMessage(store, id, { destination })} (the engine is not running: it will pick it up at start)`,
    close: () => store.close(),
  };
}
