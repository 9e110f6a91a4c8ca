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

describe('deliverMessages when the store fails to record', () => {
  it('fails the run once every lane is done, without an unhandled rejection on the way', async () => {
    const { deliverMessages } = await import('./deliver.worker.js');
    const input = (id: string) => ({
      messageId: id,
      delivery: { status: 'pending' as const, attempts: 0, job_id: null },
      message: { seq: id, ordering_key: null, received_at: new Date() },
      encoded: { content: Buffer.from(id), contentType: 'text/plain' },
    });
    const sent: string[] = [];
    const ch = {
      config: { id: 'ch', queue: { concurrency: 1 }, retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 10, maxAgeMs: 60_000 }, route: [{ id: 'out' }] },
    } as unknown as Parameters<typeof deliverMessages>[0];
    const sender = { send: async (e: { content: Buffer }) => (await new Promise((r) => setTimeout(r, 80)), sent.push(e.content.toString()), { detail: 'ok' }), close: async () => undefined };
    const deps = {
      store: { deliveryInputs: async () => [input('m1'), input('m2')], recordDeliveries: async () => Promise.reject(new Error('store down')) },
      metrics: { deliveries: { inc: () => undefined }, endToEndSeconds: { observe: () => undefined } },
      logger: { warn: () => undefined },
    } as unknown as Parameters<typeof deliverMessages>[4];
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      // m1's record fails (50 ms linger) while m2 is still being sent
      await expect(deliverMessages(ch, sender, 'out', ['m1', 'm2'], deps)).rejects.toThrow('store down');
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(sent).toEqual(['m1', 'm2']);
    expect(unhandled).toEqual([]);
  });
});
