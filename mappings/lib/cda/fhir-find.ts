/** Finding the resources and values a volet needs in a FHIR document Bundle, by code. */
import type { CodeableConcept, CompositionSection, Observation, ObservationComponent, Resource } from '@medplum/fhirtypes';
import type { Issue } from '../../../src/engine/issues.js';
import { codedOf, type Coded } from './datatypes.js';
import type { DocumentBundle } from './document-bundle.js';
import { oidOfSystem } from './oids.js';

/** True when the concept has a coding with this code in this code system (by OID). */
export function hasCode(concept: CodeableConcept | undefined, code: Coded): boolean {
  return (concept?.coding ?? []).some((c) => c.code === code.code && oidOfSystem(c.system) === code.codeSystem);
}

/** Observations of the Bundle with this code (any status but entered-in-error / cancelled), in Bundle order. */
export function observationsWithCode(doc: DocumentBundle, code: Coded): Observation[] {
  return doc.all('Observation').filter((o) => hasCode(o.code, code) && o.status !== 'entered-in-error' && o.status !== 'cancelled');
}

/** The component of an observation with this code. */
export function componentWithCode(o: Observation | undefined, code: Coded): ObservationComponent | undefined {
  return o?.component?.find((c) => hasCode(c.code, code));
}

/** The Composition section with this (LOINC) code, top level or nested. */
export function sectionWithCode(doc: DocumentBundle, code: Coded): { section: CompositionSection; path: string } | undefined {
  const walk = (sections: CompositionSection[] | undefined, path: string): { section: CompositionSection; path: string } | undefined => {
    for (const [i, s] of (sections ?? []).entries()) {
      const p = `${path}.section[${i}]`;
      if (hasCode(s.code, code)) return { section: s, path: p };
      const inner = walk(s.section, p);
      if (inner) return inner;
    }
    return undefined;
  };
  return walk(doc.composition.section, 'Composition');
}

/** The resources listed in a section's entries (resolved in the Bundle), restricted to some types. */
export function sectionEntries<K extends Resource['resourceType']>(
  doc: DocumentBundle,
  found: { section: CompositionSection; path: string } | undefined,
  types: readonly K[],
  issues: Issue[],
): { resource: Extract<Resource, { resourceType: K }>; path: string }[] {
  if (!found) return [];
  return (found.section.entry ?? []).flatMap((ref, i) => {
    const path = `${found.path}.entry[${i}]`;
    const r = doc.resolve(ref, types, path, issues);
    return r ? [{ resource: r, path: `${path}.resolve()` }] : [];
  });
}

/** Human label of a concept: its text, else the display of its first coding, else its first code. */
export function labelOf(concept: CodeableConcept | undefined): string {
  return concept?.text ?? concept?.coding?.find((c) => c.display)?.display ?? concept?.coding?.[0]?.code ?? '';
}

/** The coded value of an Observation (or component) in one of the allowed systems. */
export function codedValueOf(o: { valueCodeableConcept?: CodeableConcept } | undefined, allowed?: readonly string[]): Coded | undefined {
  return codedOf(o?.valueCodeableConcept, allowed);
}

/** The text of all notes of a resource, joined by line breaks. */
export function notesOf(r: { note?: { text?: string }[] } | undefined): string | undefined {
  const text = (r?.note ?? []).map((n) => n.text?.trim()).filter(Boolean).join('\n');
  return text || undefined;
}
