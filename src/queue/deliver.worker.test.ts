import { describe, expect, it } from 'vitest';
import { nextRun, type DeliveryOutcome } from './deliver.worker.js';

describe('nextRun: what a delivery job keeps for later', () => {
  const o = (messageId: string, outcome: DeliveryOutcome['outcome'], notBefore?: number): DeliveryOutcome => ({ messageId, outcome, ...(notBefore ? { notBefore } : {}) });

  it('nothing when every message was sent, held or skipped', () => {
    expect(nextRun([o('a', 'sent'), o('b', 'held'), o('c', 'skip')], 3)).toBeUndefined();
  });

  it('keeps retries with their own due times and waits for the earliest', () => {
    const now = Date.now();
    const next = nextRun([o('a', 'sent'), o('b', 'retry', now + 4000), o('c', 'retry', now + 1000)], 0)!;
    expect(next.messageIds).toEqual(['b', 'c']);
    expect(next.notBefore).toEqual({ b: now + 4000, c: now + 1000 });
    expect(next.delayMs).toBeGreaterThan(900);
    expect(next.delayMs).toBeLessThanOrEqual(1000);
    expect(next.blocked).toBe(0);
  });

  it('looks again at blocked messages sooner, backing off only while nothing moves', () => {
    const stuck = nextRun([o('a', 'blocked'), o('b', 'blocked')], 2)!;
    expect(stuck).toMatchObject({ messageIds: ['a', 'b'], blocked: 3, delayMs: 400 });
    const moving = nextRun([o('a', 'sent'), o('b', 'blocked'), o('c', 'retry', Date.now() + 60_000)], 5)!;
    expect(moving).toMatchObject({ messageIds: ['b', 'c'], blocked: 0, delayMs: 50 });
  });
});
