/**
 * Section FR-Diagnostic-du-cancer (LOINC 72135-7) [1..1] of the PPS: the same FHIR Conditions and the same CDA as
 * the fiche RCP (the section writer is ../frcp/sections/diagnostic.ts), read with the PPS obligations: the clinical
 * TNM stage is optional [0..1] in the PPS, so a tumour without staging, or with a stage group only, is accepted.
 *
 * FHIR (docs/mappings/pps.md): Condition.code = CIM-10 topography (JDV_Tumeur_CISIS); extension
 * mcode-histology-morphology-behavior = CIM-O-3 morphology (JDV_Morphologie_CISIS); bodySite = laterality
 * (JDV_ModificateurTopographique_CISIS); onsetDateTime (else onsetPeriod.start, recordedDate) = date of diagnosis;
 * stage.summary in TNM UICC (urn:oid:2.16.840.1.113883.15.6, coding.version = edition) with stage.assessment →
 * Observations LOINC 21905-5 / 21906-3 / 21907-1; other stages (summary text, type text, coding.version); note.
 */
import type { CodeableConcept, Condition, ConditionStage } from '@medplum/fhirtypes';
import { error, warning } from '../../../../src/engine/issues.js';
import { codedOf, type Coded } from '../datatypes.js';
import { hasCode, labelOf, notesOf } from '../fhir-find.js';
import { CS, oidOfSystem } from '../oids.js';
import { inValueSet } from '../value-set.js';
import { LOINC_CODES, MORPHOLOGY_EXTENSION_URL, TNM_UICC } from '../frcp/codes.js';
import { writeDiagnostic, type Tumour } from '../frcp/sections/diagnostic.js';
import { MODIFICATEUR_TOPOGRAPHIQUE } from '../frcp/value-sets.js';
import type { PpsContext } from './context.js';
import { findSection, sectionEntries, SECTION_KEYS } from './sections.js';

const ICD10 = /^[A-Z]\d{2}(\.\d{1,2})?$/;
const ICDO3_MORPHOLOGY = /^\d{4}\/\d$/;

const tnmCoded = (concept: CodeableConcept | undefined): Coded | undefined => {
  const c = concept?.coding?.find((k) => oidOfSystem(k.system) === TNM_UICC && k.code);
  return c ? { code: c.code!, displayName: c.display, codeSystem: TNM_UICC, codeSystemName: 'TNM_UICC', ...(c.version ? { codeSystemVersion: c.version } : {}) } : undefined;
};

const isTnm = (s: ConditionStage): boolean => Boolean(tnmCoded(s.summary)) || (s.assessment ?? []).length > 0;

function readTnm(ctx: PpsContext, stage: ConditionStage, path: string): NonNullable<Tumour['tnm']> {
  const summary = tnmCoded(stage.summary);
  const edition = summary?.codeSystemVersion;
  const assessments = (stage.assessment ?? []).flatMap((ref, i) => {
    const o = ctx.doc.resolve(ref, ['Observation'], `${path}.assessment[${i}]`, ctx.issues);
    return o ? [{ o, path: `${path}.assessment[${i}].resolve()` }] : [];
  });
  for (const a of assessments) {
    if (![LOINC_CODES.TNM_T, LOINC_CODES.TNM_N, LOINC_CODES.TNM_M].some((k) => hasCode(a.o.code, k))) {
      ctx.issues.push(warning('PPS_TNM_NOT_WRITTEN', 'only the clinical TNM observations (LOINC 21905-5, 21906-3, 21907-1) are written in the PPS', `${a.path}.code`));
    }
  }
  const part = (code: Coded, letter: string): Coded | undefined => {
    const a = assessments.find(({ o }) => hasCode(o.code, code));
    if (!a) return undefined;
    const v = tnmCoded(a.o.valueCodeableConcept);
    if (!v) ctx.issues.push(error('PPS_CODE', `the TNM ${letter} value needs a coding in TNM UICC (system urn:oid:${TNM_UICC})`, `${a.path}.valueCodeableConcept`));
    return v ? { ...v, ...(v.codeSystemVersion || !edition ? {} : { codeSystemVersion: edition }) } : undefined;
  };
  const t = part(LOINC_CODES.TNM_T, 'T');
  const n = part(LOINC_CODES.TNM_N, 'N');
  const m = part(LOINC_CODES.TNM_M, 'M');
  if (assessments.length && (!t || !n || !m)) {
    ctx.issues.push(warning('PPS_TNM_INCOMPLETE', 'the clinical TNM lacks T, N or M (written as unknown)', `${path}.assessment`));
  }
  const stageOut = summary ? { code: summary.code, displayName: summary.displayName, codeSystem: TNM_UICC, codeSystemName: 'TNM_UICC' } : undefined;
  return { stage: stageOut, edition, t, n, m, date: assessments[0]?.o.effectiveDateTime };
}

function readTumour(ctx: PpsContext, condition: Condition, path: string): Tumour {
  const icd10 = codedOf(condition.code, [CS.CIM10]);
  if (icd10 && !ICD10.test(icd10.code)) ctx.issues.push(error('PPS_CODE', `"${icd10.code}" is not a CIM-10 code (JDV_Tumeur_CISIS)`, `${path}.code`));
  if (!icd10 && !condition.code?.text) {
    ctx.issues.push(error('PPS_TOPOGRAPHY', 'the tumour needs its topography: Condition.code with a CIM-10 coding (JDV_Tumeur_CISIS), or at least a text', `${path}.code`));
  }
  const morphExt = condition.extension?.find((e) => e.url === MORPHOLOGY_EXTENSION_URL)?.valueCodeableConcept;
  const morphology = codedOf(morphExt, [CS.ICDO3]);
  if (morphology && !ICDO3_MORPHOLOGY.test(morphology.code)) {
    ctx.issues.push(error('PPS_CODE', `"${morphology.code}" is not a CIM-O-3 morphology code (NNNN/N, JDV_Morphologie_CISIS)`, `${path}.extension('${MORPHOLOGY_EXTENSION_URL}')`));
  }
  if (!morphology && !morphExt?.text) {
    ctx.issues.push(error('PPS_MORPHOLOGY', `the tumour needs its morphology: extension ${MORPHOLOGY_EXTENSION_URL} with a CIM-O-3 coding (JDV_Morphologie_CISIS), or at least a text`, `${path}.extension`));
  }
  const lat = (condition.bodySite ?? []).map((b) => codedOf(b, [CS.SNOMED])).find(Boolean);
  const laterality = lat ? inValueSet(MODIFICATEUR_TOPOGRAPHIQUE, lat, `${path}.bodySite`, ctx.issues) : undefined;
  const stages = (condition.stage ?? []).map((stage, i) => ({ stage, path: `${path}.stage[${i}]` }));
  const tnmStage = stages.find((s) => isTnm(s.stage));
  const others = stages
    .filter((s) => s !== tnmStage)
    .map(({ stage }) => ({ value: labelOf(stage.summary), name: stage.type?.text ?? stage.type?.coding?.[0]?.display, version: stage.summary?.coding?.[0]?.version }))
    .filter((o) => o.value);
  const diagnosisDate = condition.onsetDateTime ?? condition.onsetPeriod?.start ?? condition.recordedDate;
  if (!diagnosisDate) ctx.issues.push(warning('PPS_DIAGNOSIS_DATE', 'the date of diagnosis is unknown (Condition.onsetDateTime)', `${path}.onsetDateTime`));
  return {
    condition,
    path,
    topography: icd10,
    topographyText: condition.code?.text ?? icd10?.displayName ?? '',
    laterality,
    morphology: morphology ? { ...morphology, codeSystemName: 'CIM-O-3' } : undefined,
    morphologyText: morphExt?.text ?? morphology?.displayName ?? '',
    diagnosisDate,
    tnm: tnmStage ? readTnm(ctx, tnmStage.stage, tnmStage.path) : undefined,
    others,
    comment: notesOf(condition),
  };
}

export function writeDiagnosisSection(ctx: PpsContext): void {
  const found = findSection(ctx, SECTION_KEYS.diagnosis, 'Diagnostic du cancer');
  const conditions = sectionEntries(ctx, found, ['Condition']);
  if (!conditions.length) {
    ctx.issues.push(
      error('PPS_DIAGNOSIS_MISSING', 'the PPS needs the cancer diagnosis: a Composition section coded LOINC 72135-7 listing the tumour Condition(s)', found ? `${found.path}.entry` : 'Composition.section'),
    );
  }
  writeDiagnostic(ctx, conditions.map(({ resource, path }) => readTumour(ctx, resource, path)));
}
