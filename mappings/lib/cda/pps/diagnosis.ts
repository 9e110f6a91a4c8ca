/**
 * Section FR-Diagnostic-du-cancer (LOINC 72135-7) [1..1] of the PPS: the same FHIR Conditions and the same CDA as
 * the fiche RCP (../diagnosis.ts reads them, ../diagnosis-section.ts writes the section), read with the PPS
 * obligations: the clinical TNM stage is optional [0..1] in the PPS, so a tumour without staging, or with a stage
 * group only, is accepted (an incomplete TNM is a warning); other stages without text are left out; an unknown date of
 * diagnosis is a warning. Where each element lives in FHIR: docs/mappings/pps.md.
 */
import { error } from '../../../../src/engine/issues.js';
import { readTumours, type DiagnosisRules } from '../diagnosis.js';
import { writeDiagnosisSection as writeSection } from '../diagnosis-section.js';
import type { PpsContext } from './context.js';
import { findSection, sectionEntries, SECTION_KEYS } from './sections.js';

const PPS_RULES: DiagnosisRules = {
  codeIssue: 'PPS_CODE',
  // PPS_TOPOGRAPHY, PPS_MORPHOLOGY (the TNM being optional, never PPS_TNM)
  missing: (what, path, element) => error(`PPS_${element.toUpperCase()}`, `the PPS requires ${what}`, path),
  optionalTnm: { otherAssessment: 'PPS_TNM_NOT_WRITTEN', incomplete: 'PPS_TNM_INCOMPLETE' },
  unknownDateWarning: 'PPS_DIAGNOSIS_DATE',
  skipEmptyOtherStages: true,
};

export function writeDiagnosisSection(ctx: PpsContext): void {
  const found = findSection(ctx, SECTION_KEYS.diagnosis, 'Diagnostic du cancer');
  const conditions = sectionEntries(ctx, found, ['Condition']);
  if (!conditions.length) {
    ctx.issues.push(
      error('PPS_DIAGNOSIS_MISSING', 'the PPS needs the cancer diagnosis: a Composition section coded LOINC 72135-7 listing the tumour Condition(s)', found ? `${found.path}.entry` : 'Composition.section'),
    );
  }
  writeSection(ctx, readTumours(ctx, conditions, PPS_RULES));
}
