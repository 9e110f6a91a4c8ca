/**
 * Finding the PPS sections in the Composition and writing the common part of a CDA section.
 *
 * A Composition section is recognised by its code: the TA_ASIP translation when the volet needs one to tell two
 * sections apart (18776-5 MED-566 / MED-567, 55112-7 GEN-293 / GEN-294), else the LOINC code.
 */
import type { CompositionSection, Resource } from '@medplum/fhirtypes';
import { error, warning } from '../../../../src/engine/issues.js';
import type { Coded, El } from '../datatypes.js';
import { section } from '../entries.js';
import { hasCode as conceptHasCode, sectionEntries as resolveEntries } from '../fhir-find.js';
import { C } from './codes.js';
import type { PpsContext } from './context.js';

/** How a PPS section is recognised: its LOINC code and, for the shared LOINC codes, its TA_ASIP translation. */
export interface SectionKey {
  loinc: Coded;
  translation?: Coded;
}

const hasCode = (s: CompositionSection, c: Coded): boolean => conceptHasCode(s.code, c);

/** The Composition sections with this key, with their FHIRPath. */
export function findSections(ctx: PpsContext, key: SectionKey): { section: CompositionSection; path: string }[] {
  const found: { section: CompositionSection; path: string }[] = [];
  (ctx.doc.composition.section ?? []).forEach((section, i) => {
    if (!hasCode(section, key.loinc)) return;
    if (key.translation && !hasCode(section, key.translation)) return;
    found.push({ section, path: `Composition.section[${i}]` });
  });
  return found;
}

/** The one section with this key; more than one is an error (the PPS allows each section once). */
export function findSection(ctx: PpsContext, key: SectionKey, name: string): { section: CompositionSection; path: string } | undefined {
  const found = findSections(ctx, key);
  if (found.length > 1) ctx.issues.push(error('PPS_SECTION_REPEATED', `the PPS has one "${name}" section; found ${found.length}`, found[1]!.path));
  return found[0];
}

type ResourceOf<K extends Resource['resourceType']> = Extract<Resource, { resourceType: K }>;

/** The entries of a section resolved to the allowed types (others are CDA_REFERENCE issues), with their paths. */
export const sectionEntries = <K extends Resource['resourceType']>(
  ctx: PpsContext,
  found: { section: CompositionSection; path: string } | undefined,
  types: readonly K[],
): { resource: ResourceOf<K>; path: string }[] => resolveEntries(ctx.doc, found, types, ctx.issues);

/** `PPS_ENTRY_NOT_WRITTEN` (warning) for the entries of a section that the volet has no place for. */
export function warnUnused(ctx: PpsContext, entries: { resource: Resource; path: string }[], used: readonly (Resource | undefined)[], where: string): void {
  for (const e of entries) {
    if (!used.includes(e.resource)) ctx.issues.push(warning('PPS_ENTRY_NOT_WRITTEN', `this ${e.resource.resourceType} has no place in the "${where}" section of the PPS: it is not written`, e.path));
  }
}

/** Composition sections whose code matches none of the PPS sections: their content is not written (warning). */
export function unknownSections(ctx: PpsContext, keys: readonly SectionKey[]): string[] {
  const paths: string[] = [];
  (ctx.doc.composition.section ?? []).forEach((s, i) => {
    const known = keys.some((k) => hasCode(s, k.loinc) && (!k.translation || hasCode(s, k.translation)));
    if (!known) paths.push(`Composition.section[${i}]`);
  });
  return paths;
}

export interface SectionHead {
  templateIds: readonly string[];
  key: SectionKey;
  title: string;
  /** Seed of the section id (derived UUID). */
  idPart: string;
}

/** Appends `component/section` (../entries.ts) with templateIds, id, code (+ TA_ASIP translation), title and an empty `text`. */
export function openSection(head: SectionHead, ctx: PpsContext): { section: El; text: El } {
  const code = head.key.translation ? { ...head.key.loinc, translations: [head.key.translation] } : head.key.loinc;
  return section(ctx.body, { templateIds: [...head.templateIds], id: ctx.header.uuid(`section:${head.idPart}`), code, title: head.title });
}

/** `entry` element of a section (entries follow the text). */
export const entry = (section: El): El => section.ele('entry');

export const SECTION_KEYS = {
  patientComment: { loinc: C.commentSection, translation: C.patientComment },
  pediatrics: { loinc: C.recommendationReason },
  diagnosis: { loinc: C.cancerDiagnosisSection },
  discovery: { loinc: C.observedEvents },
  phase: { loinc: C.progressNote },
  programme: { loinc: C.carePlanSection, translation: C.therapeuticProgramme },
  support: { loinc: C.carePlanSection, translation: C.supportiveCare },
  status: { loinc: C.completionStatus },
  references: { loinc: C.referencedDocuments },
  privacy: { loinc: C.commentSection, translation: C.privacyInformation },
} as const satisfies Record<string, SectionKey>;
