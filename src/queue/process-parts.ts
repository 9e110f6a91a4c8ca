import type { CompiledChannel } from '../engine/pipeline.js';
import type { PipelineOutcome, PipelineThrew } from '../engine/pipeline-runner.js';
import type { MessageRow, ProcessedPart } from '../store/message-store.js';
import { newMessageId } from '../store/ids.js';
import { byJob, processJobId } from './queues.js';
import { enqueueProcess } from './enqueue.js';
import { recordAndRoute, recordsOf, requeueDeliveries } from './outcomes.js';
import type { WorkerDeps } from './deps.js';

type Part = Omit<ProcessedPart, 'record'>;

const MAX_CHUNKS_IN_FLIGHT = 4;

/**
 * The parts of a split batch, processed where they are split: chunks of `queue.batchSize` parts go through the
 * pipeline runner (up to `queue.concurrency` chunks at once, four at most, while earlier ones are written), and each
 * chunk is stored in one statement with its outcomes — the child messages, their raw bytes, stages, keys, deliveries
 * and events — before its delivery jobs are added. The batch's own raw snapshot was stored before its sender was
 * acknowledged; a part is stored once (dedup key `<parent>#<n>`).
 *
 * After a crash mid-split the batch is still `received` and is split again: parts stored before are not run again;
 * those routed get their pending delivery jobs back, those still `received` (stored unprocessed by an earlier
 * version of the engine) their processing jobs.
 */
export async function processParts(ch: CompiledChannel, parent: MessageRow, contentType: string, parts: { content: Buffer; ref: string }[], deps: WorkerDeps): Promise<void> {
  const channel = ch.config.id;
  const stored = await deps.store.partsOf(parent.id);
  if (stored.length) {
    await enqueueProcess(deps.queues, channel, byJob(stored.filter((p) => p.status === 'received').map((p) => ({ id: p.id, jobId: p.job_id })), processJobId));
    await requeueDeliveries(ch, stored.filter((p) => p.status === 'routed').map((p) => p.id), deps);
  }
  const done = new Set(stored.map((p) => p.part_index));
  const todo: Part[] = parts
    .map((part, i) => ({ id: newMessageId(), partIndex: i + 1, content: part.content, sourceRef: `${parent.source_ref ?? parent.id}#${part.ref}` }))
    .filter((p) => !done.has(p.partIndex));
  const size = ch.config.queue.batchSize;
  const chunks = Array.from({ length: Math.ceil(todo.length / size) }, (_, i) => todo.slice(i * size, (i + 1) * size));
  const receivedAt = new Date(parent.received_at);
  const run = (chunk: Part[]) => {
    const outcomes = deps.pipelines.run(ch, chunk.map((p) => ({ raw: p.content, ctx: { channelId: channel, messageId: p.id, receivedAt } })));
    outcomes.catch(() => undefined); // awaited in turn below; a write failing first must not leave it unhandled
    return outcomes;
  };
  // up to `queue.concurrency` chunks run at once (pipeline threads: four at most by default), written one after the
  // other in part order; no more than four held at a time, whatever the concurrency (a chunk may be 1000 parts)
  const depth = Math.min(ch.config.queue.concurrency, MAX_CHUNKS_IN_FLIGHT);
  const running: Promise<(PipelineOutcome | PipelineThrew)[]>[] = chunks.slice(0, depth).map(run);
  for (const [i, chunk] of chunks.entries()) {
    const outcomes = await running.shift()!; // let go of each chunk's outcomes once written (a file may have 500,000 rows)
    if (chunks[i + depth]) running.push(run(chunks[i + depth]!));
    const byId = new Map(chunk.map((p) => [p.id, p]));
    await recordAndRoute(ch, recordsOf(ch, chunk.map((p) => p.id), outcomes, deps), deps, (records) =>
      deps.store.receiveProcessedParts(channel, parent.id, contentType, records.map((record) => ({ ...byId.get(record.id)!, record }))),
    );
  }
}
