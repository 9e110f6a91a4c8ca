/** Test helper: records events and lets a test await the first one matching a predicate (past or future). */
export class EventRecorder<E> {
  readonly events: E[] = [];
  private waiters: Array<{ match: (e: E) => boolean; resolve: (e: E) => void }> = [];

  /** Pass this as the `onEvent` listener. */
  readonly listener = (event: E): void => {
    this.events.push(event);
    const hit = this.waiters.filter((w) => w.match(event));
    this.waiters = this.waiters.filter((w) => !w.match(event));
    for (const w of hit) w.resolve(event);
  };

  /** Resolves with the first recorded or future event matching `match`; rejects after timeoutMs. */
  waitFor<T extends E>(match: (e: E) => e is T, timeoutMs?: number): Promise<T>;
  waitFor(match: (e: E) => boolean, timeoutMs?: number): Promise<E>;
  waitFor(match: (e: E) => boolean, timeoutMs = 20_000): Promise<E> {
    const seen = this.events.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timeout waiting for event')), timeoutMs);
      this.waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }
}
