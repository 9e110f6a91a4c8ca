import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as patched from '@medplum/core';
import type { Bundle, OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { MARKER, patchFile, pristinePath } from '../../scripts/medplum-validator-speed-up.mjs';
import { loadProfiles } from './profiles.js';
import { ProfileValidator } from './profile-validator.js';
import { repoRoot } from '../../test/helpers.js';
import { loadPristineMedplum, medplumEsmBundle, type MedplumCore } from '../../test/medplum-pristine.js';

const FR_CORE_DIR = path.join(repoRoot, '../shared/fhir/fr-core-2.0.0');

function issuesOf(mod: MedplumCore, resource: Resource, profile: StructureDefinition | undefined): OperationOutcomeIssue[] | string {
  try {
    return mod.validateResource(resource, profile ? { profile } : undefined);
  } catch (e) {
    if (e instanceof Error && 'outcome' in e) return (e as patched.OperationOutcomeError).outcome.issue ?? [];
    return `threw: ${(e as Error).message}`;
  }
}

/** Every resource of the FHIR fixtures (document bundles, their entries, the identity channel's Patient). */
function corpus(): Resource[] {
  const files = [
    ...['rcp', 'pps'].flatMap((d) => fs.readdirSync(path.join(repoRoot, 'fixtures/fhir', d)).filter((f) => f.endsWith('.json')).map((f) => path.join(repoRoot, 'fixtures/fhir', d, f))),
    path.join(repoRoot, 'fixtures/identity/expected/one-qualified.dcc-fhir.json'),
  ];
  return files.flatMap((f) => {
    const b = JSON.parse(fs.readFileSync(f, 'utf8')) as Bundle;
    return [b, ...(b.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []))];
  });
}

type Edit = (parent: Record<string, unknown>, key: string) => void;

/**
 * Broken variants of a resource, one change each, at every object and property: removed, emptied, wrong JSON type,
 * array/single swapped, choice type renamed, primitive extension added, unknown property added. Returned as
 * functions that build the variant, so that a sample can be taken before copying anything.
 */
function variants(resource: Resource): (() => Resource)[] {
  const out: (() => Resource)[] = [];
  const visit = (path: (string | number)[], value: unknown): void => {
    const edit = (fn: Edit) =>
      out.push(() => {
        const copy = structuredClone(resource) as unknown as Record<string, unknown>;
        let parent: Record<string, unknown> = copy;
        for (const p of path.slice(0, -1)) parent = parent[p] as Record<string, unknown>;
        fn(parent, String(path[path.length - 1]));
        return copy as unknown as Resource;
      });
    const own: Edit = (o, k) => (path.length ? (o[k] as Record<string, unknown>) : o) as never;
    if (path.length && path[0] !== 'resourceType' && typeof path[path.length - 1] === 'string') {
      const key = String(path[path.length - 1]);
      edit((o, k) => delete o[k]);
      for (const wrong of [null, '', 42, true, {}, []]) edit((o, k) => (o[k] = wrong));
      edit((o, k) => (o[k] = Array.isArray(o[k]) ? (o[k] as unknown[])[0] : [o[k]]));
      edit((o, k) => (o[`_${k}`] = { extension: [{ url: 'http://example.org/x', valueString: 'x' }] }));
      const choice = /^(value|deceased|multipleBirth|effective|onset|occurrence)([A-Z]\w*)$/.exec(key);
      if (choice) for (const t of ['String', 'Coding', 'Boolean', 'Period']) edit((o, k) => ((o[`${choice[1]}${t}`] = o[k]), delete o[k]));
    }
    if (value && typeof value === 'object') {
      if (!Array.isArray(value)) {
        edit((o, k) => ((own(o, k) as unknown as Record<string, unknown>).relaisUnknown = 1));
        edit((o, k) => ((own(o, k) as unknown as Record<string, unknown>).valueString = 'x'));
      }
      for (const [k, v] of Object.entries(value)) visit([...path, Array.isArray(value) ? Number(k) : k], v);
    }
  };
  visit([], resource);
  return out;
}

describe('medplum validator speed-up (scripts/medplum-validator-speed-up.mjs, run by npm ci)', () => {
  it('is applied to the installed @medplum/core', () => {
    expect(fs.readFileSync(medplumEsmBundle, 'utf8')).toContain(MARKER);
    expect(fs.readFileSync(medplumEsmBundle.replace(/esm\/index\.mjs$/, 'cjs/index.cjs'), 'utf8')).toContain(MARKER);
  });

  it('gives the original validator’s issues on the FHIR fixtures and on thousands of broken variants of them', async () => {
    const pristine = await loadPristineMedplum(FR_CORE_DIR);
    const profiles = loadProfiles(FR_CORE_DIR);
    const parsedOnce = { patched: new ProfileValidator(), pristine: new ProfileValidator(pristine) };
    let compared = 0;
    let failing = 0;
    const resources = corpus();
    const perResource = Math.ceil(3000 / resources.length);
    for (const resource of resources) {
      const profile = resource.meta?.profile?.map((u) => profiles.get(u)).find(Boolean);
      const all = variants(resource);
      // every variant of small resources; an even, deterministic sample of the largest (document bundles)
      const step = Math.max(1, Math.ceil(all.length / perResource));
      for (const r of [resource, ...all.filter((_, i) => i % step === 0).map((make) => make())]) {
        const want = issuesOf(pristine, r, profile);
        expect(issuesOf(patched, r, profile), JSON.stringify(r)).toEqual(want);
        expect(parsedOnce.patched.validate(r, profile), JSON.stringify(r)).toEqual(parsedOnce.pristine.validate(r, profile));
        compared++;
        if (typeof want === 'string' || want.some((i) => i.severity === 'error')) failing++;
      }
    }
    expect(compared).toBeGreaterThan(2000);
    expect(failing).toBeGreaterThan(compared / 2); // the variants do break the validator's rules
  }, 120_000);

  it('patches a bundle once, keeps its original, and takes a new version’s bundle as the original (upgrade)', () => {
    const original = fs.readFileSync(pristinePath(medplumEsmBundle), 'utf8');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'relais-medplum-')), 'index.mjs');
    fs.writeFileSync(file, original);
    expect(patchFile(file)).toBeUndefined();
    const patchedOnce = fs.readFileSync(file, 'utf8');
    expect(patchedOnce).toContain(MARKER);
    expect(fs.readFileSync(pristinePath(file), 'utf8')).toBe(original);
    expect(patchFile(file)).toBeUndefined(); // again: same bytes
    expect(fs.readFileSync(file, 'utf8')).toBe(patchedOnce);
    const upgraded = `${original}\n/* a newer release */`; // npm replaced the bundle, the old original stayed
    fs.writeFileSync(file, upgraded);
    expect(patchFile(file)).toBeUndefined();
    expect(fs.readFileSync(pristinePath(file), 'utf8')).toBe(upgraded);
    expect(fs.readFileSync(file, 'utf8')).toContain('/* a newer release */');
    fs.writeFileSync(file, 'export const other = 1;\n'); // a release whose code differs: left alone, said
    expect(patchFile(file)).toMatch(/not patched \(code not found: property reader, additional-property check\)/);
    expect(fs.readFileSync(file, 'utf8')).toBe('export const other = 1;\n');
  });
});
