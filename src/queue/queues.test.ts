import { describe, expect, it } from 'vitest';
import { backoffDelay } from './queues.js';

describe('backoffDelay', () => {
  const policy = { initialDelayMs: 1000, maxDelayMs: 300_000 };
  it('doubles per attempt with jitter in [exp/2, exp]', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(500);
    expect(backoffDelay(1, policy, () => 1)).toBe(1000);
    expect(backoffDelay(4, policy, () => 0)).toBe(4000);
    expect(backoffDelay(4, policy, () => 1)).toBe(8000);
  });
  it('is capped by maxDelayMs', () => {
    expect(backoffDelay(30, policy, () => 1)).toBe(300_000);
    expect(backoffDelay(30, policy, () => 0)).toBe(150_000);
  });
});
