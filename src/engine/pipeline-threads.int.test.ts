import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChannels } from './channel-loader.js';
import { compileChannel, type CompiledChannel } from './pipeline.js';
import { inThreadRunner } from './pipeline-runner.js';
import { PipelineThreads } from './pipeline-threads.js';
import { registry } from './registry.js';
import { identityCsv, repoRoot } from '../../test/helpers.js';

/** Pipelines in worker threads give exactly what the same pipelines give in this thread. */
describe('PipelineThreads', () => {
  let threads: PipelineThreads;
  let ch: CompiledChannel;
  const ctx = (messageId: string) => ({ channelId: 'identity-csv', messageId, receivedAt: new Date('2026-11-24T10:00:00Z') });

  beforeAll(async () => {
    process.env.FR_CORE_DIR = path.resolve(repoRoot, '../shared/fhir/fr-core-2.0.0');
    const channelsDir = path.join(repoRoot, 'channels');
    ch = await compileChannel(loadChannels(channelsDir, registry).channels.find((c) => c.config.id === 'identity-csv')!, registry);
    threads = await PipelineThreads.start(channelsDir, 2, pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await threads?.close();
  });

  it('runs a batch as the main thread would, bytes included', async () => {
    const [header, ...rows] = identityCsv(5).trimEnd().split('\n');
    const bad = `${rows[0]!.replace(/^\d+/, '1234567890123')}`; // wrong NIR key
    const items = [...rows, bad].map((row, i) => ({ raw: Buffer.from(`${header}\n${row}\n`), ctx: ctx(`m${i}`) }));
    const there = await threads.run(ch, items);
    const here = await inThreadRunner.run(ch, items);
    const strip = (xs: typeof here) => xs.map((x) => ('threw' in x ? x : { ...x, timings: undefined, snapshots: x.snapshots.map((s) => ({ ...s, content: s.content.toString('base64') })) }));
    expect(strip(there)).toEqual(strip(here));
    expect(there.map((x) => ('threw' in x ? 'threw' : x.status))).toEqual(['routed', 'routed', 'routed', 'routed', 'routed', 'rejected']);
    for (const x of there) if (!('threw' in x)) for (const s of x.snapshots) expect(Buffer.isBuffer(s.content)).toBe(true);
  });

  it("answers a source's synchronous check", async () => {
    const issues = await threads.check(ch, Buffer.from('ins;nom_naissance\n1;X\n'), ctx('check'));
    expect(issues.some((i) => i.severity === 'error')).toBe(true);
    expect(issues).toEqual(await inThreadRunner.check(ch, Buffer.from('ins;nom_naissance\n1;X\n'), ctx('check')));
  });

  it('refuses a channel it does not know, and starts a thread again after it died', async () => {
    await expect(threads.run({ ...ch, config: { ...ch.config, id: 'nope' } }, [{ raw: Buffer.from('x'), ctx: ctx('x') }])).rejects.toThrow(/channel nope is not in/);
    // both threads die (as after a crash): the next request starts a new one
    const inside = threads as unknown as { threads: { worker?: { terminate(): Promise<number> } }[] };
    await Promise.all(inside.threads.map((t) => t.worker?.terminate()));
    await new Promise((r) => setTimeout(r, 50));
    expect(inside.threads.every((t) => t.worker === undefined)).toBe(true);
    const [header, row] = identityCsv(1).trimEnd().split('\n');
    const [r] = await threads.run(ch, [{ raw: Buffer.from(`${header}\n${row}\n`), ctx: ctx('after') }]);
    expect(r && !('threw' in r) && r.status).toBe('routed');
  });
});
