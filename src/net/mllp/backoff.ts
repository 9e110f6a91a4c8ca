/** Exponential reconnection backoff with jitter. */
export interface BackoffOptions {
  /** Delay before the first retry. */
  initialDelayMs: number;
  /** Upper bound of any delay. */
  maxDelayMs: number;
  /** Growth per consecutive failure. */
  factor: number;
  /** 0..1: the delay is drawn uniformly in [base * (1 - jitter), base]. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 200, maxDelayMs: 10_000, factor: 2, jitter: 0.5 };

/**
 * Delay before the next connection attempt after `failures` consecutive failures (0 = connect right away).
 * `random` is injectable for tests.
 */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** (failures - 1));
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(base * (1 - jitter * random()));
}
