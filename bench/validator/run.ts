/**
 * bench/validator: FHIR profile validation with @medplum/core as installed (sped up by
 * scripts/medplum-validator-speed-up.mjs) against the original copy that script keeps, in the same process, rounds
 * alternated. Inputs: FR Core Patients from the identity channel's own parse and mapping, and the resources of the
 * FHIR document fixtures (fiche RCP, PPS) against their FR Core profile or base type.
 *
 *   npx tsx bench/validator/run.ts [--patients 2000] [--rounds 5]
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Bundle, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { loadChannelFile } from '../../src/engine/channel-loader.js';
import { compileChannel, runPipeline, splitInput } from '../../src/engine/pipeline.js';
import { registry } from '../../src/engine/registry.js';
import { loadProfiles } from '../../src/fhir/profiles.js';
import { ProfileValidator } from '../../src/fhir/profile-validator.js';
import { identityCsv, repoRoot } from '../../test/helpers.js';
import { loadPristineMedplum } from '../../test/medplum-pristine.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const PATIENTS = arg('patients', 2000);
const ROUNDS = arg('rounds', 5);
const FR_CORE_DIR = path.join(repoRoot, '../shared/fhir/fr-core-2.0.0');

async function identityPatients(n: number): Promise<Resource[]> {
  const loaded = loadChannelFile(path.join(repoRoot, 'channels/identity-csv.yaml'), registry);
  if (!('channel' in loaded) || !loaded.channel) throw new Error('channels/identity-csv.yaml does not load');
  const ch = await compileChannel({ ...loaded.channel, config: { ...loaded.channel.config, validate: [] } }, registry, { offline: true });
  const out: Resource[] = [];
  for (const part of splitInput(ch, Buffer.from(identityCsv(n, 4242)))!.parts) {
    const r = await runPipeline(ch, part.content, { messageId: 'bench', channelId: ch.config.id } as never);
    const content = r.mapped?.content as Bundle | Resource;
    out.push(...(content.resourceType === 'Bundle' ? (content.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])) : [content]));
  }
  return out;
}

function documentResources(): Resource[] {
  return ['rcp', 'pps'].flatMap((d) => {
    const dir = path.join(repoRoot, 'fixtures/fhir', d);
    return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).flatMap((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Bundle).entry?.flatMap((e) => (e.resource ? [e.resource] : [])) ?? []);
  });
}

const profiles = loadProfiles(FR_CORE_DIR);
const profileOf = (r: Resource): StructureDefinition | undefined => r.meta?.profile?.map((u) => profiles.get(u)).find(Boolean);
const validators = { patched: new ProfileValidator(), original: new ProfileValidator(await loadPristineMedplum(FR_CORE_DIR)) };
const sets = { 'FR Core Patient (identity channel)': await identityPatients(PATIENTS), 'document resources (RCP, PPS fixtures)': documentResources() };

console.log(`${ROUNDS} rounds, node ${process.version}; µs per resource, original / sped up`);
for (const [name, resources] of Object.entries(sets)) {
  const times: Record<keyof typeof validators, number[]> = { patched: [], original: [] };
  const reps = Math.max(1, Math.round(2000 / resources.length));
  for (let round = 0; round <= ROUNDS; round++) {
    for (const which of round % 2 ? (['patched', 'original'] as const) : (['original', 'patched'] as const)) {
      const t0 = performance.now();
      for (let k = 0; k < reps; k++) for (const r of resources) validators[which].validate(r, profileOf(r));
      if (round > 0) times[which].push(((performance.now() - t0) * 1000) / (reps * resources.length)); // round 0 warms up
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ratios = times.original.map((o, i) => o / times.patched[i]!);
  console.log(`| ${name} | ${resources.length} | ${median(times.original).toFixed(0)} | ${median(times.patched).toFixed(0)} | ${median(ratios).toFixed(2)}× (rounds: ${ratios.map((x) => x.toFixed(2)).join(', ')}) |`);
}
