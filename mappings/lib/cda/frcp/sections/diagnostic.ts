/**
 * The fiche RCP's reading of its cancer diagnosis section (LOINC 72135-7, written by ../../diagnosis-section.ts): every
 * tumour needs its topography, morphology and clinical TNM stage with T, N and M (CDA_FRCP_REQUIRED when absent).
 * The tumours also give the header's topography serviceEvents.
 */
import { readTumours, type DiagnosisRules, type Tumour } from '../../diagnosis.js';
import { DIAGNOSIS_CODES } from '../../diagnosis-codes.js';
import { sectionEntries, sectionWithCode } from '../../fhir-find.js';
import { required, requiredIssue, type Reader } from '../context.js';

const FRCP_RULES: DiagnosisRules = { codeIssue: 'CDA_CODE', missing: requiredIssue };

/** The tumours of the cancer-diagnosis section. */
export function readFrcpTumours(ctx: Reader): Tumour[] {
  const found = sectionWithCode(ctx.doc, DIAGNOSIS_CODES.SECTION);
  const conditions = sectionEntries(ctx.doc, found, ['Condition'], ctx.issues);
  if (!conditions.length) {
    required(ctx, 'the cancer diagnosis: a Composition.section with code 72135-7 listing the tumour Condition(s)', found ? `${found.path}.entry` : 'Composition.section');
  }
  return readTumours(ctx, conditions, FRCP_RULES);
}
