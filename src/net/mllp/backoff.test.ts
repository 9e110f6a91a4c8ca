import { describe, expect, test } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';

const opts: BackoffOptions = { initialDelayMs: 100, maxDelayMs: 1_000, factor: 2, jitter: 0.5 };

describe('backoffDelay', () => {
  test('no failure, no delay', () => {
    expect(backoffDelay(0, opts, () => 0)).toBe(0);
  });

  test('grows exponentially without jitter (random = 0) and is capped', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => backoffDelay(n, opts, () => 0))).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  test('jitter shrinks the delay by at most the jitter fraction', () => {
    expect(backoffDelay(3, opts, () => 0.999999)).toBe(200);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(300);
    for (let i = 0; i < 1_000; i++) {
      const d = backoffDelay(4, opts);
      expect(d).toBeGreaterThanOrEqual(400);
      expect(d).toBeLessThanOrEqual(800);
    }
  });

  test('never exceeds maxDelayMs, even for huge failure counts', () => {
    expect(backoffDelay(10_000, DEFAULT_BACKOFF, () => 0)).toBe(DEFAULT_BACKOFF.maxDelayMs);
  });

  test('out-of-range jitter is clamped', () => {
    expect(backoffDelay(1, { ...opts, jitter: 5 }, () => 1)).toBe(0);
    expect(backoffDelay(1, { ...opts, jitter: -1 }, () => 1)).toBe(100);
  });
});
