import type { RemoteEntry } from './remote-fs.js';

/**
 * Remembers each file's size and modification time across polls: a file is stable once neither has changed for a
 * while. Kept in memory by the poller that holds the folder's lock; a new holder starts afresh (so waits longer).
 */
export class StabilityTracker {
  private readonly seen = new Map<string, { size: number; mtime: number; since: number }>();

  /** How long (ms) the file has been seen with this size and mtime; 0 on the first sighting or after a change. */
  unchangedFor(e: RemoteEntry, now: number): number {
    const prev = this.seen.get(e.name);
    if (!prev || prev.size !== e.size || prev.mtime !== e.mtime) {
      this.seen.set(e.name, { size: e.size, mtime: e.mtime, since: now });
      return 0;
    }
    return now - prev.since;
  }

  isStable(e: RemoteEntry, now: number, stableMs: number): boolean {
    const unchanged = this.unchangedFor(e, now);
    return stableMs === 0 || unchanged >= stableMs;
  }

  /** Forgets files no longer listed. */
  retain(names: ReadonlySet<string>): void {
    for (const name of this.seen.keys()) if (!names.has(name)) this.seen.delete(name);
  }
}

/** Time since something was first seen waiting (e.g. a ready document without its sidecar). */
export class WaitClock {
  private readonly since = new Map<string, number>();

  waited(key: string, now: number): number {
    const s = this.since.get(key);
    if (s === undefined) {
      this.since.set(key, now);
      return 0;
    }
    return now - s;
  }

  /** Keeps only the keys still waiting this poll. */
  retain(keys: ReadonlySet<string>): void {
    for (const k of this.since.keys()) if (!keys.has(k)) this.since.delete(k);
  }
}
