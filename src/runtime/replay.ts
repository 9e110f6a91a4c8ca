import type { MessageStore } from '../store/message-store.js';
import { deliverJobId } from '../queue/queues.js';

export interface ReplayTarget {
  process(channelId: string, messageId: string): Promise<void>;
  deliver(channelId: string, messageId: string, destinationId: string): Promise<void>;
}

/**
 * Replays a message: with a destination, sends its stored encoded output there again; without, processes it again
 * from its raw snapshot (parse → map → validate → route). The store is updated first; `target` (the running engine's
 * queues) is optional: without it, the engine's recovery sweep picks the message up when it next runs.
 */
export async function replayMessage(store: MessageStore, id: string, opts: { destination?: string }, target?: ReplayTarget): Promise<string> {
  const msg = await store.get(id);
  if (!msg) throw new Error(`no message ${id}`);
  if (opts.destination) {
    const d = await store.delivery(id, opts.destination);
    if (!d) throw new Error(`message ${id} has no delivery to "${opts.destination}" (has: ${(await store.deliveries(id)).map((x) => x.destination_id).join(', ') || 'none'})`);
    // carried by its own job from now on, whichever batch job carried it before
    await store.recordDelivery(id, opts.destination, { status: 'pending', attempts: 0, detail: 'replay requested', jobId: deliverJobId(id, opts.destination) });
    await target?.deliver(msg.channel_id, id, opts.destination);
    return `delivery of ${id} to ${opts.destination} queued again`;
  }
  await store.setStatus(id, 'received', []);
  await target?.process(msg.channel_id, id);
  return `${id} queued for processing again`;
}
