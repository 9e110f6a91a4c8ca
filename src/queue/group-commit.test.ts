import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';
import { lanesBy, runLanes } from './lanes.js';

describe('GroupCommit', () => {
  it('writes the first item at once and groups the items added while a write is in flight', async () => {
    const writes: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const gc = new GroupCommit<number, string>(async (items) => {
      writes.push(items);
      if (writes.length === 1) await gate;
      return items.map((i) => `ok ${i}`);
    });
    const first = gc.add(1);
    const rest = [gc.add(2), gc.add(3), gc.add(4)];
    expect(writes).toEqual([[1]]);
    release();
    expect(await first).toBe('ok 1');
    expect(await Promise.all(rest)).toEqual(['ok 2', 'ok 3', 'ok 4']);
    expect(writes).toEqual([[1], [2, 3, 4]]);
  });

  it('lingers to gather items, and writes at once when maxItems are waiting', async () => {
    const writes: number[][] = [];
    const gc = new GroupCommit<number, number>(async (items) => (writes.push(items), items), { lingerMs: 20, maxItems: 3 });
    const first = [gc.add(1), gc.add(2)];
    await new Promise((r) => setTimeout(r, 5));
    expect(writes).toEqual([]); // still lingering
    expect(await Promise.all(first)).toEqual([1, 2]);
    expect(writes).toEqual([[1, 2]]);
    const full = [gc.add(3), gc.add(4), gc.add(5)];
    expect(writes).toEqual([[1, 2], [3, 4, 5]]); // written without waiting
    await Promise.all(full);
  });

  it("rejects a failed write's items only, and goes on with the next ones", async () => {
    let fail = true;
    const gc = new GroupCommit<number, number>(async (items) => {
      if (fail) {
        fail = false;
        throw new Error('store down');
      }
      return items;
    });
    const a = gc.add(1);
    const b = gc.add(2);
    await expect(a).rejects.toThrow('store down');
    expect(await b).toBe(2);
    expect(await gc.add(3)).toBe(3);
  });
});

describe('lanes', () => {
  it('keeps each key in order, a lane per unkeyed item, and runs at most `limit` lanes at a time', async () => {
    const items = [
      { id: 1, k: 'a' }, { id: 2, k: 'b' }, { id: 3, k: 'a' }, { id: 4, k: undefined }, { id: 5, k: undefined }, { id: 6, k: 'b' },
    ];
    const lanes = lanesBy(items, (i) => i.k);
    expect(lanes.map((l) => l.map((i) => i.id))).toEqual([[1, 3], [2, 6], [4], [5]]);
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await runLanes(lanes, 2, async (lane) => {
      running++;
      most = Math.max(most, running);
      for (const it of lane) {
        await new Promise((r) => setTimeout(r, 5));
        done.push(it.id);
      }
      running--;
    });
    expect(most).toBe(2);
    expect(done.indexOf(1)).toBeLessThan(done.indexOf(3));
    expect(done.indexOf(2)).toBeLessThan(done.indexOf(6));
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
