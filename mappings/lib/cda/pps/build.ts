/**
 * FHIR document Bundle (PPS) → CDA R2 document of the CI-SIS volet CANCER-PPS 2022.01, with the shared header
 * builder (../header.ts) and the PPS body writers. Pure and deterministic: same Bundle → same bytes.
 */
import { error, hasErrors, warning, type Issue } from '../../../../src/engine/issues.js';
import type { BusinessKeys } from '../../../../src/engine/define.js';
import { iiKey } from '../datatypes.js';
import { readDocumentBundle, type DocumentBundle } from '../document-bundle.js';
import { buildCdaHeader, serializeCda, type CdaVoletHeader } from '../header.js';
import { ContentIds } from '../narrative.js';
import { writePlanSection } from './care-plan-section.js';
import { writeDiscoverySection, writePediatricsSection, writePhaseSection } from './clinical-sections.js';
import { PPS_DOCUMENT } from './codes.js';
import type { PpsContext } from './context.js';
import { writeDiagnosisSection } from './diagnosis.js';
import { ppsParticipants } from './participants.js';
import { writeReferencesSection } from './references-section.js';
import { SECTION_KEYS, unknownSections } from './sections.js';
import { writeStatusSection } from './status-section.js';
import { writePatientCommentSection, writePrivacySection } from './text-sections.js';

/** What the header builder needs to know about the PPS volet. */
export function ppsHeader(doc: DocumentBundle, issues: Issue[]): CdaVoletHeader {
  return { templateIds: [PPS_DOCUMENT.templateId], code: PPS_DOCUMENT.code, encounterRequired: true, participants: ppsParticipants(doc, issues) };
}

/** Appends the PPS sections to `ctx.body`, in the order of the volet. */
export function writePpsBody(ctx: PpsContext): void {
  writePatientCommentSection(ctx);
  writePediatricsSection(ctx);
  writeDiagnosisSection(ctx);
  writeDiscoverySection(ctx);
  writePhaseSection(ctx);
  writePlanSection('programme', ctx);
  writePlanSection('support', ctx);
  writeStatusSection(ctx);
  writeReferencesSection(ctx);
  writePrivacySection(ctx);
  for (const path of unknownSections(ctx, Object.values(SECTION_KEYS))) {
    ctx.issues.push(warning('PPS_SECTION_NOT_WRITTEN', 'this Composition section matches no section of the PPS volet: its content is not written', path));
  }
}

export interface PpsBuildResult {
  /** The CDA XML, when the document has no error issue. */
  xml?: string;
  issues: Issue[];
  keys: BusinessKeys;
}

/** Builds the PPS CDA document from a parsed FHIR JSON value. */
export function buildPps(value: unknown): PpsBuildResult {
  const read = readDocumentBundle(value);
  if (!read.doc) return { issues: read.issues, keys: {} };
  const doc = read.doc;
  const issues: Issue[] = [...read.issues];
  const participants: Issue[] = [];
  const header = buildCdaHeader(doc, ppsHeader(doc, participants));
  issues.push(...header.issues, ...participants);
  const body = header.root.ele('component').ele('structuredBody');
  writePpsBody({ doc, header, body, ids: new ContentIds(), issues });
  if (!body.node.hasChildNodes()) issues.push(error('PPS_EMPTY', 'the document has no section', 'Composition.section'));
  const keys: BusinessKeys = {
    patient: header.identity?.ids.map(iiKey) ?? [],
    document: [header.id, header.setId].flatMap((id) => (id ? [iiKey(id)] : [])),
  };
  return { xml: hasErrors(issues) ? undefined : serializeCda(header), issues, keys };
}
