import type { BusinessKeys, MappingContext } from './define.js';
import type { Issue } from './issues.js';
import { checkInput, runPipeline, type CompiledChannel, type PipelineResult } from './pipeline.js';

/** A stage's bytes, ready for the store. */
export interface StageSnapshot {
  stage: 'parsed' | 'mapped' | 'encoded';
  destinationId?: string;
  content: Buffer;
  contentType: string;
}

/** What the process worker keeps of a pipeline run: plain data and bytes, so it can cross a thread boundary. */
export interface PipelineOutcome {
  status: PipelineResult['status'];
  issues: Issue[];
  snapshots: StageSnapshot[];
  keys?: BusinessKeys;
  orderingKey?: string;
  deliveries: string[];
  timings: PipelineResult['timings'];
}

/** A run that threw (a bug in a mapping or validator): the message is kept in error with this text. */
export interface PipelineThrew {
  threw: string;
}

/** Runs pipelines for the process worker and the sources' dry runs: in this thread, or in worker threads. */
export interface PipelineRunner {
  run(ch: CompiledChannel, items: { raw: Buffer; ctx: MappingContext }[]): Promise<(PipelineOutcome | PipelineThrew)[]>;
  check(ch: CompiledChannel, raw: Buffer, ctx: MappingContext): Promise<Issue[]>;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json';

function snapshotOf(value: unknown, contentType?: string): Pick<StageSnapshot, 'content' | 'contentType'> {
  if (Buffer.isBuffer(value)) return { content: value, contentType: contentType ?? 'application/octet-stream' };
  if (typeof value === 'string') return { content: Buffer.from(value), contentType: contentType ?? 'text/plain' };
  return { content: Buffer.from(JSON.stringify(value)), contentType: contentType ?? JSON_TYPE };
}

/** A pipeline result as the store keeps it: every stage serialised. */
export function outcomeOf(result: PipelineResult): PipelineOutcome {
  const snapshots: StageSnapshot[] = [];
  if (result.parsed !== undefined) snapshots.push({ stage: 'parsed', ...snapshotOf(result.parsed) });
  if (result.mapped) snapshots.push({ stage: 'mapped', ...snapshotOf(result.mapped.content, result.mapped.contentType) });
  for (const o of result.outputs) snapshots.push({ stage: 'encoded', destinationId: o.destinationId, ...o.encoded });
  return {
    status: result.status,
    issues: result.issues,
    snapshots,
    keys: result.keys,
    orderingKey: result.orderingKey,
    deliveries: result.outputs.map((o) => o.destinationId),
    timings: result.timings,
  };
}

/** Runs one item, turning a throw into data. */
export async function runOne(ch: CompiledChannel, raw: Buffer, ctx: MappingContext): Promise<PipelineOutcome | PipelineThrew> {
  try {
    return outcomeOf(await runPipeline(ch, raw, ctx));
  } catch (e) {
    return { threw: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

/** Everything in this thread (channels compiled with a custom registry, `RELAIS_PIPELINE_THREADS=0`). */
export const inThreadRunner: PipelineRunner = {
  async run(ch, items) {
    const out: (PipelineOutcome | PipelineThrew)[] = [];
    for (const it of items) out.push(await runOne(ch, it.raw, it.ctx));
    return out;
  },
  check: (ch, raw, ctx) => checkInput(ch, raw, ctx),
  close: async () => undefined,
};
