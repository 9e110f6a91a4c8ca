/**
 * Programme personnalisé de soins (CI-SIS volet CANCER-PPS 2022.01, LOINC 18776-5) from a FHIR document Bundle.
 * The header comes from the shared builder (../header.ts) with the PPS participants (referents and contacts) and
 * service event; the body has every section of the volet, in the order of the ANS examples, each with its
 * human-readable narrative and coded entries. Where each element lives in FHIR: docs/mappings/pps.md.
 */
import { warning, type Issue } from '../../../../src/engine/issues.js';
import { resolveActor, type HealthActor } from '../actors.js';
import { contactInformants } from '../contact-informants.js';
import type { DocumentBundle } from '../document-bundle.js';
import { buildCdaHeader, serializeCda, type CdaServiceEvent } from '../header.js';
import { ContentIds } from '../narrative.js';
import type { CdaVolet, CdaVoletResult } from '../volet.js';
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

/**
 * The act the PPS documents (documentationOf/serviceEvent, no code): Composition.event[0].period, else from the
 * document date; performed by the authors.
 */
function ppsServiceEvent(doc: DocumentBundle, issues: Issue[]): CdaServiceEvent {
  const c = doc.composition;
  const performers = (c.author ?? []).flatMap((ref, i): HealthActor[] => {
    const actor = resolveActor(doc, ref, `Composition.author[${i}]`, []);
    return actor ? [actor] : [];
  });
  const period = c.event?.[0]?.period ?? (c.date ? { start: c.date } : undefined);
  if (!period) issues.push(warning('PPS_SERVICE_EVENT', 'no date for the documented act (Composition.event.period or Composition.date)', 'Composition.event'));
  return { period, performers, path: c.event?.[0] ? 'Composition.event[0]' : 'Composition.date' };
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

function build(doc: DocumentBundle): CdaVoletResult {
  const headerIssues: Issue[] = [];
  const header = buildCdaHeader(doc, {
    templateIds: [PPS_DOCUMENT.templateId],
    code: PPS_DOCUMENT.code,
    encounterRequired: true,
    participants: ppsParticipants(doc, headerIssues),
    informants: contactInformants(doc.resolve(doc.composition.subject, ['Patient'], 'Composition.subject', []), headerIssues),
    documentationOf: [ppsServiceEvent(doc, headerIssues)],
  });
  const ctx: PpsContext = { doc, header, body: header.root.ele('component').ele('structuredBody'), ids: new ContentIds(), issues: [] };
  writePpsBody(ctx);
  return { xml: serializeCda(header), issues: [...header.issues, ...headerIssues, ...ctx.issues], header };
}

export const ppsVolet: CdaVolet = {
  name: 'CANCER-PPS 2022.01 (programme personnalisé de soins)',
  loinc: PPS_DOCUMENT.code.code,
  build,
};
