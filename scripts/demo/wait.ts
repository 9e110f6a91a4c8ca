import type { MessageRow } from '../../src/store/message-store.js';
import type { Engine } from '../../src/runtime/engine.js';

const FINAL = new Set(['delivered', 'rejected', 'filtered', 'held', 'error', 'split']);

/** Waits until the channel holds `parents` top-level messages and every message is in a final state. */
export async function settled(engine: Engine, channelId: string, parents: number, timeoutMs = 120_000): Promise<MessageRow[]> {
  const deadline = Date.now() + timeoutMs;
  let rows: MessageRow[] = [];
  while (Date.now() < deadline) {
    rows = await engine.store.find({ channelId, limit: 500 });
    if (rows.filter((m) => !m.parent_id).length >= parents && rows.every((m) => FINAL.has(m.status))) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return rows.sort((a, b) => Number(a.seq) - Number(b.seq));
}

export function printMessages(rows: MessageRow[]): void {
  for (const m of rows) {
    const issues = m.issues.filter((i) => i.severity === 'error' || i.severity === 'warning').map((i) => `${i.code}: ${i.message}`).join(' | ');
    console.log(`  ${m.id}  ${m.status.padEnd(9)} ${(m.source_ref ?? '').slice(-34).padEnd(34)} ${issues.slice(0, 160)}`);
  }
}
