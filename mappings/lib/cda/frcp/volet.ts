/**
 * Fiche de Réunion de Concertation Pluridisciplinaire (CI-SIS volet CANCER-FRCP 2022.01, LOINC 34794-8) from a FHIR
 * document Bundle. The header comes from the shared builder (../header.ts) with the volet's participants, acts and
 * encounter identifiers; the body has every section the volet's schematron requires, in the order of the ANS
 * examples, each with its human-readable narrative and coded entries. Where each element lives in FHIR:
 * docs/mappings/frcp.md.
 */
import type { Issue } from '../../../../src/engine/issues.js';
import { contactInformants } from '../contact-informants.js';
import { writeDiagnosisSection } from '../diagnosis-section.js';
import type { DocumentBundle } from '../document-bundle.js';
import { buildCdaHeader, serializeCda } from '../header.js';
import { ContentIds } from '../narrative.js';
import type { CdaVolet, CdaVoletResult } from '../volet.js';
import { FRCP_DOCUMENT, FRCP_ENCOUNTER_IDS } from './codes.js';
import type { FrcpContext } from './context.js';
import { encounterOf, frcpOrders, frcpParticipants, frcpServiceEvents } from './header-parts.js';
import { writeActes } from './sections/actes.js';
import { writeCadre } from './sections/cadre.js';
import { writeDecouverte } from './sections/decouverte.js';
import { readFrcpTumours } from './sections/diagnostic.js';
import { NARRATIVE_SECTIONS, writeNarrativeSection } from './sections/narrative-sections.js';
import { writePlanDeSoins } from './sections/plan-de-soins.js';
import { writeProgression } from './sections/progression.js';
import { writeRaison } from './sections/raison.js';
import { writeStatutDocument } from './sections/statut-document.js';
import { writeStatutDossier } from './sections/statut-dossier.js';
import { writeStatutFonctionnel } from './sections/statut-fonctionnel.js';

function build(doc: DocumentBundle): CdaVoletResult {
  const headerIssues: Issue[] = [];
  const bodyIssues: Issue[] = [];
  const tumours = readFrcpTumours({ doc, issues: bodyIssues });
  const encounter = encounterOf(doc);
  const participants = frcpParticipants(doc, encounter, headerIssues);
  const header = buildCdaHeader(doc, {
    templateIds: [FRCP_DOCUMENT.templateId],
    code: FRCP_DOCUMENT.code,
    requiredEncounterIds: FRCP_ENCOUNTER_IDS,
    facilityRequired: true,
    participants,
    informants: contactInformants(doc.resolve(doc.composition.subject, ['Patient'], 'Composition.subject', []), headerIssues),
    inFulfillmentOf: frcpOrders(doc, encounter, headerIssues),
    documentationOf: frcpServiceEvents(doc, encounter, participants, tumours),
  });
  const ctx: FrcpContext = { doc, header, body: header.root.ele('component').ele('structuredBody'), ids: new ContentIds(), issues: bodyIssues };
  writeRaison(ctx);
  writeDecouverte(ctx);
  writeDiagnosisSection(ctx, tumours);
  writeNarrativeSection(ctx, NARRATIVE_SECTIONS.antecedents);
  writeNarrativeSection(ctx, NARRATIVE_SECTIONS.problemes);
  writeStatutFonctionnel(ctx);
  writeNarrativeSection(ctx, NARRATIVE_SECTIONS.examens);
  writeProgression(ctx);
  writeActes(ctx);
  writeNarrativeSection(ctx, NARRATIVE_SECTIONS.histoire);
  writeStatutDossier(ctx);
  writePlanDeSoins(ctx);
  writeCadre(ctx);
  writeNarrativeSection(ctx, NARRATIVE_SECTIONS.commentaire);
  writeStatutDocument(ctx);
  return { xml: serializeCda(header), issues: [...header.issues, ...headerIssues, ...bodyIssues], header };
}

export const frcpVolet: CdaVolet = {
  name: 'CANCER-FRCP 2022.01 (fiche RCP)',
  loinc: FRCP_DOCUMENT.code.code,
  build,
};
