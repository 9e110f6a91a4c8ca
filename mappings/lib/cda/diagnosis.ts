/**
 * Reads the cancer diagnosis Conditions (one per tumour) that the fiche RCP and the PPS both write in their section
 * FR-Diagnostic-du-cancer (./diagnosis-section.ts). What differs between the volets is given as `DiagnosisRules`:
 * issue codes, whether the clinical TNM is required, the warning for an unknown date of diagnosis.
 *
 * FHIR: Condition.code = ICD-10 (CIM-10) topography (JDV_Tumeur_CISIS); extension mcode-histology-morphology-behavior
 * = ICD-O-3 (CIM-O-3) morphology (JDV_Morphologie_CISIS); bodySite = laterality (JDV_ModificateurTopographique_CISIS);
 * onsetDateTime (else onsetPeriod.start, recordedDate) = date of diagnosis; stage with summary in TNM UICC
 * (urn:oid:2.16.840.1.113883.15.6, coding.version = edition) and assessment → Observations LOINC 21905-5 / 21906-3 /
 * 21907-1; other stages (summary text, type text = classification name, summary.coding.version); note = comment.
 */
import type { CodeableConcept, Coding, Condition, ConditionStage } from '@medplum/fhirtypes';
import { error, warning, type Issue } from '../../../src/engine/issues.js';
import { MODIFICATEUR_TOPOGRAPHIQUE } from './cancer-value-sets.js';
import { codedOf, type Coded } from './datatypes.js';
import { DIAGNOSIS_CODES, MORPHOLOGY_EXTENSION_URL, TNM_UICC } from './diagnosis-codes.js';
import type { DocumentBundle } from './document-bundle.js';
import { hasCode, labelOf, notesOf } from './fhir-find.js';
import { CS, oidOfSystem } from './oids.js';
import { inValueSet } from './value-set.js';

const ICD10 = /^[A-Z]\d{2}(\.\d{1,2})?$/;
const ICDO3_MORPHOLOGY = /^\d{4}\/\d$/;
const TNM_PARTS = [DIAGNOSIS_CODES.TNM_T, DIAGNOSIS_CODES.TNM_N, DIAGNOSIS_CODES.TNM_M];

/** A tumour as read from its Condition. */
export interface Tumour {
  condition: Condition;
  path: string;
  topography?: Coded;
  topographyText: string;
  laterality?: Coded;
  morphology?: Coded;
  morphologyText: string;
  diagnosisDate?: string;
  tnm?: { stage?: Coded; edition?: string; t?: Coded; n?: Coded; m?: Coded; date?: string };
  others: { value: string; name?: string; version?: string }[];
  comment?: string;
}

/** What the volet requires of a tumour, and how it reports what is wrong or missing. */
export interface DiagnosisRules {
  /** Issue code of a code of the wrong form: ICD-10 topography, ICD-O-3 morphology, TNM value without TNM UICC coding. */
  codeIssue: string;
  /** The issue for a required element that is absent; `what` names it and where FHIR holds it. */
  missing: (what: string, path: string, element: 'topography' | 'morphology' | 'tnm') => Issue;
  /**
   * Unset: the clinical TNM (a stage with T, N and M assessments) is required, each missing part reported by
   * `missing`. Set: the TNM is optional (PPS [0..1]) and these warning codes report an assessment that is not T, N or M
   * (not written) and a TNM lacking T, N or M (written as unknown).
   */
  optionalTnm?: { otherAssessment: string; incomplete: string };
  /** Warning code when the date of diagnosis is unknown; no warning when unset. */
  unknownDateWarning?: string;
  /** Leave out the other stage classifications that have no text. */
  skipEmptyOtherStages?: boolean;
}

/** What the reader needs: the document and where to report. */
export interface DiagnosisReader {
  doc: DocumentBundle;
  issues: Issue[];
}

const tnmCoding = (concept: CodeableConcept | undefined): Coding | undefined => concept?.coding?.find((k) => oidOfSystem(k.system) === TNM_UICC && k.code);

const tnmCoded = (c: Coding, version?: string): Coded => ({
  code: c.code!,
  displayName: c.display,
  codeSystem: TNM_UICC,
  codeSystemName: 'TNM_UICC',
  ...(version ? { codeSystemVersion: version } : {}),
});

const isTnm = (s: ConditionStage): boolean => Boolean(tnmCoding(s.summary)) || (s.assessment ?? []).length > 0;

function readTnm(ctx: DiagnosisReader, stage: ConditionStage, path: string, rules: DiagnosisRules): NonNullable<Tumour['tnm']> {
  const summary = tnmCoding(stage.summary);
  const edition = stage.summary?.coding?.find((k) => oidOfSystem(k.system) === TNM_UICC)?.version;
  const assessments = (stage.assessment ?? []).flatMap((ref, i) => {
    const o = ctx.doc.resolve(ref, ['Observation'], `${path}.assessment[${i}]`, ctx.issues);
    return o ? [{ o, path: `${path}.assessment[${i}].resolve()` }] : [];
  });
  const optional = rules.optionalTnm;
  if (optional) {
    for (const a of assessments.filter(({ o }) => !TNM_PARTS.some((k) => hasCode(o.code, k)))) {
      ctx.issues.push(warning(optional.otherAssessment, 'only the clinical TNM observations (LOINC 21905-5, 21906-3, 21907-1) are written', `${a.path}.code`));
    }
  }
  const part = (code: Coded, letter: string): Coded | undefined => {
    const a = assessments.find(({ o }) => hasCode(o.code, code));
    if (!a) {
      if (!optional) ctx.issues.push(rules.missing(`the clinical TNM ${letter} (an Observation ${code.code} in Condition.stage.assessment)`, `${path}.assessment`, 'tnm'));
      return undefined;
    }
    const c = tnmCoding(a.o.valueCodeableConcept);
    if (!c) ctx.issues.push(error(rules.codeIssue, `the TNM ${letter} value needs a coding in TNM UICC (system urn:oid:${TNM_UICC})`, `${a.path}.valueCodeableConcept`));
    return c ? tnmCoded(c, c.version || edition) : undefined;
  };
  const t = part(DIAGNOSIS_CODES.TNM_T, 'T');
  const n = part(DIAGNOSIS_CODES.TNM_N, 'N');
  const m = part(DIAGNOSIS_CODES.TNM_M, 'M');
  if (optional && assessments.length && (!t || !n || !m)) {
    ctx.issues.push(warning(optional.incomplete, 'the clinical TNM lacks T, N or M (written as unknown)', `${path}.assessment`));
  }
  return { stage: summary && tnmCoded(summary), edition, t, n, m, date: assessments[0]?.o.effectiveDateTime };
}

function readTumour(ctx: DiagnosisReader, condition: Condition, path: string, rules: DiagnosisRules): Tumour {
  const icd10 = codedOf(condition.code, [CS.CIM10]);
  if (icd10 && !ICD10.test(icd10.code)) ctx.issues.push(error(rules.codeIssue, `"${icd10.code}" is not an ICD-10 code (JDV_Tumeur_CISIS)`, `${path}.code`));
  if (!icd10 && !condition.code?.text) ctx.issues.push(rules.missing('the topography of the tumour (Condition.code: ICD-10 coding, or text)', `${path}.code`, 'topography'));
  const morphExt = condition.extension?.find((e) => e.url === MORPHOLOGY_EXTENSION_URL)?.valueCodeableConcept;
  const morphology = codedOf(morphExt, [CS.ICDO3]);
  if (morphology && !ICDO3_MORPHOLOGY.test(morphology.code)) {
    ctx.issues.push(error(rules.codeIssue, `"${morphology.code}" is not an ICD-O-3 morphology code (NNNN/N, JDV_Morphologie_CISIS)`, `${path}.extension('${MORPHOLOGY_EXTENSION_URL}')`));
  }
  if (!morphology && !morphExt?.text) {
    ctx.issues.push(rules.missing(`the morphology of the tumour (extension ${MORPHOLOGY_EXTENSION_URL}: ICD-O-3 coding, or text)`, `${path}.extension`, 'morphology'));
  }
  const lat = (condition.bodySite ?? []).map((b) => codedOf(b, [CS.SNOMED])).find(Boolean);
  const laterality = lat ? inValueSet(MODIFICATEUR_TOPOGRAPHIQUE, lat, `${path}.bodySite`, ctx.issues) : undefined;
  const stages = (condition.stage ?? []).map((stage, i) => ({ stage, path: `${path}.stage[${i}]` }));
  const tnmStage = stages.find((s) => isTnm(s.stage));
  if (!tnmStage && !rules.optionalTnm) {
    ctx.issues.push(rules.missing('the clinical TNM stage of the tumour (Condition.stage with T, N and M assessments)', `${path}.stage`, 'tnm'));
  }
  const others = stages
    .filter((s) => s !== tnmStage)
    .map(({ stage }) => ({ value: labelOf(stage.summary), name: stage.type?.text ?? stage.type?.coding?.[0]?.display, version: stage.summary?.coding?.[0]?.version }))
    .filter((o) => o.value || !rules.skipEmptyOtherStages);
  const diagnosisDate = condition.onsetDateTime ?? condition.onsetPeriod?.start ?? condition.recordedDate;
  if (!diagnosisDate && rules.unknownDateWarning) {
    ctx.issues.push(warning(rules.unknownDateWarning, 'the date of diagnosis is unknown (Condition.onsetDateTime)', `${path}.onsetDateTime`));
  }
  return {
    condition,
    path,
    topography: icd10,
    topographyText: condition.code?.text ?? icd10?.displayName ?? '',
    laterality,
    morphology: morphology ? { ...morphology, codeSystemName: 'CIM-O-3' } : undefined,
    morphologyText: morphExt?.text ?? morphology?.displayName ?? '',
    diagnosisDate,
    tnm: tnmStage ? readTnm(ctx, tnmStage.stage, tnmStage.path, rules) : undefined,
    others,
    comment: notesOf(condition),
  };
}

/** The tumours of the diagnosis section's Conditions, read with the volet's rules. */
export function readTumours(ctx: DiagnosisReader, conditions: { resource: Condition; path: string }[], rules: DiagnosisRules): Tumour[] {
  return conditions.map(({ resource, path }) => readTumour(ctx, resource, path, rules));
}
