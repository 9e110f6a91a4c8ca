import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { compileChannel } from '../engine/pipeline.js';
import type { LoadedChannel } from '../engine/channel-loader.js';
import type { Registry } from '../engine/registry.js';
import { runOffline } from './offline.js';

const partSchema = z.strictObject({
  status: z.enum(['rejected', 'held', 'filtered', 'routed']),
  issues: z.array(z.string()).default([]).describe('expected issue codes, warnings included, in order'),
  outputs: z.record(z.string(), z.string()).optional().describe('destination id → file with the expected encoded output'),
});
const caseSchema = z.strictObject({
  name: z.string(),
  input: z.string().describe('input file, relative to the test file'),
  now: z.string().datetime().optional().describe('fixed receipt time, for deterministic outputs'),
  status: z.enum(['rejected', 'processed']).default('processed'),
  issues: z.array(z.string()).default([]).describe('expected file-level issue codes'),
  parts: z.array(partSchema).optional(),
});
export const channelTestFileSchema = z.strictObject({ cases: z.array(caseSchema).min(1) });

export interface CaseResult {
  channel: string;
  name: string;
  failures: string[];
}

const codes = (issues: { code: string }[]) => issues.map((i) => i.code);

/** What `--update` writes: JSON pretty-printed for review (compared as data, so the layout does not matter). */
function reviewable(expectedFile: string, content: Buffer): Buffer | string {
  if (!expectedFile.endsWith('.json')) return content;
  try {
    return `${JSON.stringify(JSON.parse(content.toString('utf8')), null, 2)}\n`;
  } catch {
    return content;
  }
}

function sameOutput(expectedFile: string, actual: Buffer): boolean {
  const expected = fs.readFileSync(expectedFile);
  if (expectedFile.endsWith('.json')) {
    try {
      return isDeepStrictEqual(JSON.parse(expected.toString('utf8')), JSON.parse(actual.toString('utf8')));
    } catch {
      return false;
    }
  }
  return expected.equals(actual);
}

/**
 * Runs `<channel>.test.yaml` beside a channel file: each case feeds an input file through the channel offline and
 * compares statuses, issue codes and encoded outputs. With `update`, expected output files are (re)written.
 */
export async function runChannelTests(ch: LoadedChannel, reg: Registry, opts: { update?: boolean } = {}): Promise<CaseResult[] | undefined> {
  const testFile = ch.file.replace(/\.ya?ml$/, '.test.yaml');
  if (!fs.existsSync(testFile)) return undefined;
  const spec = channelTestFileSchema.parse(parseYaml(fs.readFileSync(testFile, 'utf8')));
  const compiled = await compileChannel(ch, reg, { offline: true });
  const dir = path.dirname(testFile);
  const results: CaseResult[] = [];
  for (const c of spec.cases) {
    const failures: string[] = [];
    const run = await runOffline(compiled, fs.readFileSync(path.resolve(dir, c.input)), path.basename(c.input), c.now ? new Date(c.now) : new Date('2026-01-01T00:00:00Z'));
    if (run.status !== c.status) failures.push(`file status: expected ${c.status}, got ${run.status} (${codes(run.issues).join(', ')})`);
    if (!isDeepStrictEqual(codes(run.issues), c.issues)) failures.push(`file issues: expected [${c.issues.join(', ')}], got [${codes(run.issues).join(', ')}]`);
    if (c.parts) {
      if (c.parts.length !== run.parts.length) failures.push(`expected ${c.parts.length} parts, got ${run.parts.length}`);
      c.parts.forEach((want, i) => {
        const got = run.parts[i];
        if (!got) return;
        const where = `part ${i + 1} (${got.ref})`;
        if (got.result.status !== want.status) failures.push(`${where}: expected ${want.status}, got ${got.result.status} [${got.result.issues.map((x) => `${x.code}: ${x.message}`).join('; ')}]`);
        if (!isDeepStrictEqual(codes(got.result.issues), want.issues)) failures.push(`${where}: expected issues [${want.issues.join(', ')}], got [${codes(got.result.issues).join(', ')}]`);
        for (const [dest, file] of Object.entries(want.outputs ?? {})) {
          const out = got.result.outputs.find((o) => o.destinationId === dest);
          const expectedFile = path.resolve(dir, file);
          if (!out) failures.push(`${where}: no output for destination ${dest}`);
          else if (opts.update) fs.mkdirSync(path.dirname(expectedFile), { recursive: true }), fs.writeFileSync(expectedFile, reviewable(expectedFile, out.encoded.content));
          else if (!fs.existsSync(expectedFile)) failures.push(`${where}: expected output file ${file} is missing (run with --update to create it)`);
          else if (!sameOutput(expectedFile, out.encoded.content)) failures.push(`${where}: output for ${dest} differs from ${file}`);
        }
      });
    }
    results.push({ channel: ch.config.id, name: c.name, failures });
  }
  return results;
}
