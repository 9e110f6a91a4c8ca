/**
 * Group commit: items added while a write is in flight, or within `lingerMs` of the first one, go together in one
 * write (at most `maxItems`). Callers get their own item's result (or the write's error), so each still waits for its
 * own durable write, but N concurrent writers cost a few round trips instead of N.
 */
export class GroupCommit<T, R> {
  private pending: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private running = false;
  private timer?: NodeJS.Timeout;

  /** `write` stores the items and returns one result per item, in their order. */
  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly opts: { lingerMs?: number; maxItems?: number } = {},
  ) {}

  add(item: T): Promise<R> {
    const done = new Promise<R>((resolve, reject) => this.pending.push({ item, resolve, reject }));
    if (this.running) return done;
    const full = this.pending.length >= (this.opts.maxItems ?? Infinity);
    if (!this.opts.lingerMs || full) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.flush();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.opts.lingerMs);
    }
    return done;
  }

  private async flush(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, this.opts.maxItems ?? this.pending.length);
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
