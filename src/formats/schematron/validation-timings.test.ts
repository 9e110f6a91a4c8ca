/**
 * Timings of the FRCP volet (printed, not asserted: they depend on the machine). Figures are copied into
 * docs/validation.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { clearSefMemoryCache } from './sef-cache.js';
import { parseSchematronSource } from './schematron-source.js';
import { compileSchematron } from './schematron-validator.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const kit = path.resolve(repoRoot, '../shared/ans/cda');
const volet = path.join(kit, 'schematrons/CI-SIS_CANCER-FRCP_2022.01.sch');
const phase = 'CI-SIS_CANCER-FRCP_2022.01';
const examples = ['CANCER-FRCP_2022.01_Appareil.xml', 'CANCER-FRCP_2022.01_Transversale.xml'];
const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-sch-timing-'));
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function time<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await f();
  return [value, performance.now() - t0];
}

describe('FRCP volet timings', () => {
  it('compiles once, then validates each document in tens of milliseconds', async () => {
    const [cold, coldMs] = await time(() => compileSchematron(volet, { phase, cacheDir }));
    clearSefMemoryCache();
    const [warm, warmMs] = await time(() => compileSchematron(volet, { phase, cacheDir }));
    expect([cold.sefSource, warm.sefSource]).toEqual(['compiled', 'disk']);
    console.log(`FRCP volet: compile ${coldMs.toFixed(0)} ms (xslt3), load from disk cache ${warmMs.toFixed(0)} ms`);

    for (const example of examples) {
      const xml = fs.readFileSync(path.join(kit, 'ExemplesCDA', example));
      const [firstIssues, firstMs] = await time(() => warm.validate(xml));
      expect(firstIssues).toEqual([]);
      const runs: number[] = [];
      for (let i = 0; i < 15; i++) runs.push((await time(() => warm.validate(xml)))[1]);
      const parsed = await parseSchematronSource(xml);
      if (!parsed.ok) throw new Error(`${example} does not parse`);
      const preParsed: number[] = [];
      for (let i = 0; i < 15; i++) preParsed.push((await time(() => warm.validate(parsed.source)))[1]);
      console.log(
        `FRCP volet on ${example} (${(xml.length / 1024).toFixed(0)} kB): first ${firstMs.toFixed(0)} ms, ` +
          `median ${median(runs).toFixed(0)} ms (parse included), ${median(preParsed).toFixed(0)} ms pre-parsed`,
      );
    }
  }, 300_000);
});
