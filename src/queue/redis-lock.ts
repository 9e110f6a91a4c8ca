import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { LockHandle } from '../engine/define.js';

/** Extends the expiry only when the lock still holds our token (another instance may have taken it after expiry). */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes the lock only when it still holds our token: never frees a lock another instance took over. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

class RedisLockHandle implements LockHandle {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private expiry?: NodeJS.Timeout;
  private renewing = false;
  private released = false;

  constructor(
    private readonly redis: Redis,
    readonly name: string,
    private readonly key: string,
    private readonly token: string,
    private readonly ttlMs: number,
    /** When the request that last set or extended the expiry was sent: the lock is ours until then + ttlMs. */
    private confirmedAt: number,
    private readonly logger?: Logger,
  ) {
    this.timer = setInterval(() => this.tick(), Math.max(20, Math.floor(ttlMs / 3)));
    this.timer.unref();
    this.confirm(confirmedAt);
  }

  /** Records a confirmed expiry and arms the deadline at which, unconfirmed, the lock counts as lost. */
  private confirm(sentAt: number): void {
    this.confirmedAt = sentAt;
    clearTimeout(this.expiry);
    this.expiry = setTimeout(() => this.lose(`not renewed within ${this.ttlMs} ms`), Math.max(0, sentAt + this.ttlMs - Date.now()));
    this.expiry.unref();
  }

  get lost(): AbortSignal {
    return this.controller.signal;
  }

  get held(): boolean {
    return !this.released && !this.controller.signal.aborted && Date.now() - this.confirmedAt < this.ttlMs;
  }

  private lose(why: string): void {
    if (this.controller.signal.aborted) return;
    clearInterval(this.timer);
    clearTimeout(this.expiry);
    this.logger?.warn({ lock: this.name }, `lock lost: ${why}`);
    this.controller.abort(new Error(`lock ${this.name} lost: ${why}`));
  }

  private tick(): void {
    // Redis unreachable: a renewal may hang (commands queue while reconnecting); the expiry timer decides then
    if (this.renewing || this.released) return;
    this.renewing = true;
    const sentAt = Date.now();
    this.redis
      .eval(RENEW, 1, this.key, this.token, String(this.ttlMs))
      .then((r) => {
        if (this.released) return;
        if (this.controller.signal.aborted) return;
        if (Number(r) === 1) this.confirm(sentAt);
        else this.lose('expired and taken by another instance, or deleted');
      })
      .catch((e: Error) => this.logger?.warn({ lock: this.name, err: e.message }, 'lock renewal failed'))
      .finally(() => (this.renewing = false));
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    clearTimeout(this.expiry);
    if (this.controller.signal.aborted) return;
    this.controller.abort(new Error(`lock ${this.name} released`));
    // Redis unreachable: do not hang a shutdown; the lock then simply expires after its ttl
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(this.ttlMs, 2000))));
    await Promise.race([this.redis.eval(RELEASE, 1, this.key, this.token).catch((e: Error) => this.logger?.warn({ lock: this.name, err: e.message }, 'lock release failed')), timeout]);
    clearTimeout(timer);
  }
}

/**
 * Mutual exclusion between engine instances sharing one Redis: `SET key token NX PX ttl` to take, a token-checked
 * `PEXPIRE` every ttl/3 to keep, a token-checked `DEL` to free. A holder that cannot renew (Redis unreachable,
 * process paused) considers the lock lost after ttl, at the latest when another instance may take it.
 */
export class RedisLocks {
  constructor(
    private readonly redis: Redis,
    /** Key prefix, e.g. `<queue prefix>:lock`. */
    private readonly prefix: string,
    private readonly logger?: Logger,
  ) {}

  keyOf(name: string): string {
    return `${this.prefix}:${name}`;
  }

  async acquire(name: string, ttlMs: number): Promise<LockHandle | undefined> {
    if (!Number.isInteger(ttlMs) || ttlMs < 100) throw new Error(`lock ttl must be an integer of at least 100 ms, got ${ttlMs}`);
    const token = crypto.randomUUID();
    const sentAt = Date.now();
    // Redis unreachable: commands wait for the reconnection; answer "not taken" instead of hanging the caller (a SET
    // that lands later only leaves a lock that expires after ttlMs, nobody renews it)
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.min(ttlMs, 5000))));
    const r = await Promise.race([this.redis.set(this.keyOf(name), token, 'PX', ttlMs, 'NX'), timeout]).finally(() => clearTimeout(timer));
    if (r === 'timeout') this.logger?.warn({ lock: name }, 'lock not taken: Redis did not answer');
    if (r !== 'OK') return undefined;
    return new RedisLockHandle(this.redis, name, this.keyOf(name), token, ttlMs, sentAt, this.logger);
  }
}
