import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as patched from '@medplum/core';
import type { Bundle, OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { MARKER, patchFile, pristinePath, speedUp } from '../../scripts/medplum-validator-speed-up.mjs';
import { loadProfiles } from './profiles.js';
import { ProfileValidator } from './profile-validator.js';
import { repoRoot } from '../../test/helpers.js';
import { loadPristineMedplum, medplumEsmBundle, withTypes, type MedplumCore } from '../../test/medplum-pristine.js';

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

/** A copy of `resource` with `fn` applied to the property at `path` (given its parent object and its key), built on demand. */
function variantAt(resource: Resource, path: (string | number)[], fn: Edit): () => Resource {
  return () => {
    const copy = structuredClone(resource) as unknown as Record<string, unknown>;
    let parent: Record<string, unknown> = copy;
    for (const p of path.slice(0, -1)) parent = parent[p] as Record<string, unknown>;
    fn(parent, String(path[path.length - 1]));
    return copy as unknown as Resource;
  };
}

/**
 * Broken variants of a resource, one change each, at every object and property: removed, emptied, wrong JSON type,
 * array/single swapped, choice type renamed, primitive extension added, unknown property added. Returned as
 * functions that build the variant, so that a sample can be taken before copying anything.
 */
function variants(resource: Resource): (() => Resource)[] {
  const out: (() => Resource)[] = [];
  const visit = (path: (string | number)[], value: unknown): void => {
    const edit = (fn: Edit) => out.push(variantAt(resource, path, fn));
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

const EXTENSION = { extension: [{ url: 'http://example.org/x', valueString: 'x' }] };

/**
 * Variants aimed at the rewritten readers, at every property of a resource: choice-type properties with several
 * types present at once (in either key order), with their `_` primitive extension under the same or another type,
 * with only the `_` form, as arrays, as own keys holding `undefined`; arrays of primitives with `null` and
 * `undefined` items, with and without a `_` partner array.
 */
function choiceVariants(resource: Resource): (() => Resource)[] {
  const out: (() => Resource)[] = [];
  const visit = (path: (string | number)[], value: unknown): void => {
    const edit = (fn: Edit) => out.push(variantAt(resource, path, fn));
    const key = path[path.length - 1];
    const choice = typeof key === 'string' ? /^(value|deceased|multipleBirth|effective|onset|occurrence|abatement|performed)([A-Z]\w*)$/.exec(key) : null;
    if (choice) {
      const [, base, type] = choice;
      const other = (t: string) => `${base}${t}`;
      // a second type present, with a value invalid for it, after or before this one (the validator checks one of them)
      for (const [t, bad] of Object.entries({ Boolean: 'x', Uuid: 'x', UnsignedInt: -1, DateTime: 'not a date' }))
        if (t !== type) {
          edit((o) => (o[other(t)] = bad));
          edit((o, k) => {
            const v = o[k];
            delete o[k];
            o[other(t)] = bad;
            o[k] = v;
          });
        }
      edit((o, k) => (o[`_${k}`] = structuredClone(EXTENSION))); // its primitive extension
      edit((o) => (o[`_${other(type === 'Boolean' ? 'Uuid' : 'Boolean')}`] = { extension: [{ url: 'http://example.org/y' }] })); // another type's, broken
      edit((o, k) => ((o[`_${k}`] = structuredClone(EXTENSION)), delete o[k])); // only the `_` form
      edit((o, k) => (o[k] = [o[k], o[k]])); // an array of values
      edit((o, k) => ((o[k] = [o[k], null]), (o[`_${k}`] = [null, structuredClone(EXTENSION)])));
      edit((o) => ((o[other('Boolean')] = undefined), (o[`_${other('Boolean')}`] = undefined), (o[other('Uuid')] = 'x'))); // own keys holding undefined
      edit((o, k) => ((o[k] = undefined), (o[other('UnsignedInt')] = -1)));
    }
    if (Array.isArray(value) && typeof key === 'string' && value.length && value.every((v) => typeof v !== 'object')) {
      edit((o, k) => (o[k] = [...(o[k] as unknown[]), null]));
      edit((o, k) => (o[k] = [...(o[k] as unknown[]), undefined]));
      edit((o, k) => ((o[k] = [null, ...(o[k] as unknown[])]), (o[`_${k}`] = [structuredClone(EXTENSION)])));
      edit((o, k) => (o[`_${k}`] = (o[k] as unknown[]).map(() => structuredClone(EXTENSION))));
      edit((o, k) => (o[`_${k}`] = [null, null, null, structuredClone(EXTENSION)]));
    }
    if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit([...path, Array.isArray(value) ? Number(k) : k], v);
  };
  visit([], resource);
  return out;
}

/** The installed (sped-up) CJS bundle, with the same type tables as the ESM one the tests import. */
function loadPatchedCjs(): MedplumCore {
  return withTypes(createRequire(import.meta.url)(medplumEsmBundle.replace(/esm\/index\.mjs$/, 'cjs/index.cjs')) as MedplumCore, FR_CORE_DIR);
}

/** What a call gives (or the error it throws), comparable with toEqual. */
function outcome(fn: () => unknown): unknown {
  try {
    return { value: fn() };
  } catch (e) {
    return { threw: `${(e as Error).constructor.name}: ${(e as Error).message}` };
  }
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

  it('gives the original’s issues on choice types (several at once, `_` extensions, arrays) and null items, ESM and CJS', async () => {
    const pristine = await loadPristineMedplum(FR_CORE_DIR);
    const cjs = loadPatchedCjs();
    const profiles = loadProfiles(FR_CORE_DIR);
    let compared = 0;
    let choices = 0;
    // every resource of the fixtures on its own (the bundles hold the same ones), every other variant
    for (const resource of corpus().filter((r) => r.resourceType !== 'Bundle')) {
      const profile = resource.meta?.profile?.map((u) => profiles.get(u)).find(Boolean);
      for (const r of [resource, ...choiceVariants(resource).filter((_, i) => i % 2 === 0).map((make) => make())]) {
        const want = issuesOf(pristine, r, profile);
        expect(issuesOf(patched, r, profile), JSON.stringify(r)).toEqual(want);
        if (compared % 4 === 0) expect(issuesOf(cjs, r, profile), JSON.stringify(r)).toEqual(want);
        compared++;
        if (typeof want !== 'string' && want.some((i) => /choice of type|primitive extension/.test(JSON.stringify(i)))) choices++;
      }
    }
    expect(compared).toBeGreaterThan(2000);
    expect(choices).toBeGreaterThan(1000); // the variants do reach the choice-type checks
  }, 120_000);

  it('reads properties of odd values as the original does (exported readers)', async () => {
    const pristine = await loadPristineMedplum(FR_CORE_DIR);
    const cjs = loadPatchedCjs();
    const inheriting = (proto: object, own: object) => Object.assign(Object.create(proto) as object, own);
    const values: (() => unknown)[] = [
      () => ({ url: 'u', valueString: 'a', valueBoolean: true }),
      () => ({ valueBoolean: true, url: 'u', valueString: 'a' }),
      () => ({ valueCode: 'c', valueBase64Binary: 'QQ==' }),
      () => ({ _valueString: structuredClone(EXTENSION) }),
      () => ({ valueString: 'a', _valueCode: structuredClone(EXTENSION) }),
      () => ({ _valueCode: structuredClone(EXTENSION), valueString: 'a' }),
      () => ({ valueString: undefined, valueBoolean: true, _valueBoolean: undefined }),
      () => ({ valueString: undefined }),
      () => ({ valueInteger: [1, 2], _valueInteger: [null, structuredClone(EXTENSION)] }),
      () => ({ _valueDate: [structuredClone(EXTENSION), null] }),
      () => ({ valueString: '', valueBoolean: false }),
      () => ({ valueString: null, valueInteger: 0 }),
      () => ({ valueQuantity: {}, valueString: 'a' }),
      () => ({ url: 'u', extension: [{ url: 'v', valueCoding: { code: 'c' } }] }),
      () => JSON.parse('{"__proto__":{"valueString":"p"},"valueBoolean":true}'),
      () => Object.assign(Object.create(null) as object, { valueString: 'a', valueBoolean: true }),
      () => inheriting({ valueString: 'inherited' }, { valueBoolean: true }),
      () => inheriting({ valueString: 'inherited' }, {}),
      () => inheriting({ valueBoolean: true }, { valueString: 'a' }),
      () => Object.defineProperty({ valueString: 'a' }, 'valueBoolean', { value: true, enumerable: false }),
      () => Object.defineProperty({ valueBoolean: true }, 'valueString', { value: 'a', enumerable: false }),
      () => Object.assign(new (class { get valueBoolean() { return true; } })(), { valueString: 'a' }),
      () => Object.assign(new String('abc'), { valueString: 'a' }),
      () => 'abc',
      () => 42,
      () => [{ valueString: 'a' }],
      () => ({}),
      () => null,
    ];
    const types = ['Extension', 'Observation', 'Element', 'Patient'];
    const paths = ['value', 'value[x]', 'valueString', 'valueBoolean', 'url', 'extension', 'extension.url', 'extension.value', '$this', 'deceased', 'nope', ''];
    let compared = 0;
    for (const [n, make] of values.entries())
      for (const type of types)
        for (const p of paths)
          for (const mod of [patched, cjs]) {
            const element = mod.getDataType(type).elements['value[x]'];
            const read = (m: MedplumCore) => ({
              plain: outcome(() => m.getTypedPropertyValue({ type, value: make() }, p)),
              withPath: outcome(() => m.getTypedPropertyValueWithPath({ type, value: make(), path: type }, p)),
              nested: outcome(() => m.getNestedProperty({ type, value: make() }, p)),
              nestedWithPath: outcome(() => m.getNestedProperty({ type, value: make(), path: type }, p, { withPath: true })),
              withSchema: element && outcome(() => m.getTypedPropertyValueWithSchema({ type, value: make() }, p, element)),
            });
            expect(read(mod), `value #${n}, ${type}, ${p}`).toEqual(read(pristine));
            compared++;
          }
    expect(compared).toBe(values.length * types.length * paths.length * 2);
  });

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
    expect(patchFile(file)).toMatch(/not patched \(code not found: property reader, additional-property check, nested property reader, null check, path builder\)/);
    expect(fs.readFileSync(file, 'utf8')).toBe('export const other = 1;\n');
  });

  it('leaves a bundle alone when code a rewrite relies on has changed (typed values with more than type and value)', () => {
    const original = fs.readFileSync(pristinePath(medplumEsmBundle), 'utf8');
    expect(speedUp(original).missing).toEqual([]);
    const richer = original.replace(/\{type:e,value:r\}\}/, '{type:e,value:r,extra:1}}');
    expect(richer).not.toBe(original);
    expect(speedUp(richer)).toEqual({ source: richer, missing: ['path builder'], already: false });
  });
});
