/**
 * Codes of the cancer diagnosis section (FR-Diagnostic-du-cancer), which the fiche RCP and the PPS both write: the
 * section, the clinical TNM stage and its T, N, M, the other stage classifications, the laterality qualifier, and the
 * FHIR systems and extension they are read from.
 */
import type { Coded } from './datatypes.js';
import { CS } from './oids.js';

const loinc = (code: string, displayName: string): Coded => ({ code, displayName, codeSystem: CS.LOINC, codeSystemName: 'LOINC' });
const ta = (code: string, displayName: string): Coded => ({ code, displayName, codeSystem: CS.TA_ASIP, codeSystemName: 'TA_ASIP' });

export const DIAGNOSIS_CODES = {
  /** Section code (LOINC): the FHIR Composition.section carries the same code. */
  SECTION: loinc('72135-7', 'Diagnostic du cancer'),
  TNM_CLINIQUE: loinc('75620-5', 'Stade TNM Clinique'),
  TNM_T: loinc('21905-5', 'TNM Clinique T'),
  TNM_N: loinc('21906-3', 'TNM Clinique N'),
  TNM_M: loinc('21907-1', 'TNM Clinique M'),
  STADE_CLINIQUE: loinc('21909-7', 'Stade clinique'),
  VERSION_TNM: loinc('21917-0', 'Version TNM Classification'),
  AUTRE_CLASSIFICATION: loinc('21918-8', 'Autre classification du stade'),
  CLASSIFICATION_NOM: ta('GEN-101', 'Nom de la classification'),
  CLASSIFICATION_VERSION: ta('GEN-102', 'Version de la classification'),
  LATERALITE: loinc('20228-3', 'Latéralité'),
} as const;

/** TNM UICC code system (CD.codeSystem of T, N, M values and the clinical stage). */
export const TNM_UICC = '2.16.840.1.113883.15.6';

/** mCODE extension carrying the ICD-O-3 morphology of a cancer Condition. */
export const MORPHOLOGY_EXTENSION_URL = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior';
