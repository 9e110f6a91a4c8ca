/**
 * Group commit: the first item is written at once; items added while a write is in flight wait and go together in
 * the next write. Callers get their own item's result (or the write's error), so each still waits for its own durable
 * write, but N concurrent writers cost about one round trip per write in flight instead of N.
 */
export class GroupCommit<T, R> {
  private pending: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  /** `write` stores the items and returns one result per item, in their order. */
  constructor(private readonly write: (items: T[]) => Promise<R[]>) {}

  add(item: T): Promise<R> {
    const done = new Promise<R>((resolve, reject) => this.pending.push({ item, resolve, reject }));
    if (!this.running) void this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0);
        try {
          const results = await this.write(batch.map((b) => b.item));
          batch.forEach((b, i) => b.resolve(results[i]!));
        } catch (e) {
          for (const b of batch) b.reject(e);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
