import { hasErrors, type Issue } from '../engine/issues.js';
import { runPipeline, splitInput, type CompiledChannel, type PipelineResult } from '../engine/pipeline.js';

export interface OfflinePart {
  ref: string;
  result: PipelineResult;
}

export interface OfflineRun {
  /** File-level outcome: rejected when the batch itself is unusable (encoding, header…). */
  status: 'rejected' | 'processed';
  issues: Issue[];
  parts: OfflinePart[];
}

/** Runs one input through split → parse → map → validate → route with no store, queue or network. */
export async function runOffline(ch: CompiledChannel, input: Buffer, name: string, now = new Date()): Promise<OfflineRun> {
  const split = splitInput(ch, input);
  if (split && hasErrors(split.issues)) return { status: 'rejected', issues: split.issues, parts: [] };
  const parts = split ? split.parts : [{ content: input, ref: name }];
  const out: OfflinePart[] = [];
  for (const [i, p] of parts.entries()) {
    out.push({ ref: p.ref, result: await runPipeline(ch, p.content, { channelId: ch.config.id, messageId: `offline-${i + 1}`, receivedAt: now }) });
  }
  return { status: 'processed', issues: split?.issues ?? [], parts: out };
}
