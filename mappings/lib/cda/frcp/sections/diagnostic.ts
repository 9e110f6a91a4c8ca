/**
 * Section FR-Diagnostic-du-cancer: one FR-Liste-des-problemes-cancer concern per tumour, holding the
 * FR-Diagnostic-du-cancer observation: date of diagnosis, ICD-O-3 morphology (value), ICD-10 topography
 * (targetSiteCode, JDV_Tumeur_CISIS) with laterality, clinical TNM stage (75620-5) with T/N/M (21905-5, 21906-3,
 * 21907-1), other stage classifications (21918-8) and a comment.
 *
 * FHIR: the Conditions listed in Composition.section (LOINC 72135-7). Condition.code = ICD-10 topography;
 * extension mcode-histology-morphology-behavior = ICD-O-3 morphology; bodySite = laterality
 * (JDV_ModificateurTopographique_CISIS); onsetDateTime = date of diagnosis; stage with summary in TNM UICC
 * (urn:oid:2.16.840.1.113883.15.6, version = edition) and assessment → Observations 21905-5/21906-3/21907-1;
 * other stages (summary text, type text = classification name, summary.coding.version); note = comment.
 */
import type { CodeableConcept, Condition, ConditionStage, Observation } from '@medplum/fhirtypes';
import { error } from '../../../../../src/engine/issues.js';
import { cdEl, codedOf, ele, humanDate, ivlTsEl, nullEl, tsEl, type Coded, type El } from '../../datatypes.js';
import { commentAct, entryRelationship, section, simpleObservation } from '../../entries.js';
import { hasCode, labelOf, notesOf, sectionEntries, sectionWithCode } from '../../fhir-find.js';
import { table, type Cell } from '../../narrative.js';
import { CS, oidOfSystem } from '../../oids.js';
import { inValueSet } from '../../value-set.js';
import { LOINC_CODES, MORPHOLOGY_EXTENSION_URL, SECTION, TA, TNM_UICC } from '../codes.js';
import { required, uuid, type FrcpContext, type Reader } from '../context.js';
import { MODIFICATEUR_TOPOGRAPHIQUE } from '../value-sets.js';

const SECTION_TEMPLATES = ['2.16.840.1.113883.10.20.1.11', '1.3.6.1.4.1.19376.1.5.3.1.3.6', '1.3.6.1.4.1.19376.1.7.3.1.3.14.1', '1.2.250.1.213.1.1.2.27'];
const CONCERN_TEMPLATES = ['2.16.840.1.113883.10.20.1.27', '1.3.6.1.4.1.19376.1.5.3.1.4.5.1', '1.3.6.1.4.1.19376.1.5.3.1.4.5.2', '1.2.250.1.213.1.1.3.39', '1.2.250.1.213.1.1.3.39.1'];
const DIAGNOSIS_TEMPLATES = ['2.16.840.1.113883.10.20.1.28', '1.3.6.1.4.1.19376.1.5.3.1.4.5', '1.2.250.1.213.1.1.3.37', '1.3.6.1.4.1.19376.1.7.3.1.4.14.1', '1.2.250.1.213.1.1.3.113'];
const TNM_STAGE_TEMPLATE = '1.3.6.1.4.1.19376.1.7.3.1.4.14.2';
const DIAGNOSTIC_INTERPRETATION: Coded = { code: '282291009', displayName: 'interprétation diagnostique', codeSystem: CS.SNOMED, codeSystemName: 'SNOMED CT' };
const ICD10 = /^[A-Z]\d{2}(\.\d{1,2})?$/;
const ICDO3_MORPHOLOGY = /^\d{4}\/\d$/;

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

const tnmCoded = (concept: CodeableConcept | undefined): Coded | undefined => {
  const c = concept?.coding?.find((k) => oidOfSystem(k.system) === TNM_UICC && k.code);
  return c ? { code: c.code!, displayName: c.display, codeSystem: TNM_UICC, codeSystemName: 'TNM_UICC' } : undefined;
};

function readTnm(ctx: Reader, stage: ConditionStage, path: string): Tumour['tnm'] {
  const summary = tnmCoded(stage.summary);
  const edition = stage.summary?.coding?.find((k) => oidOfSystem(k.system) === TNM_UICC)?.version;
  const assessments = (stage.assessment ?? []).flatMap((ref, i) => {
    const o = ctx.doc.resolve(ref, ['Observation'], `${path}.assessment[${i}]`, ctx.issues);
    return o ? [{ o, path: `${path}.assessment[${i}].resolve()` }] : [];
  });
  const part = (code: Coded, letter: string): Coded | undefined => {
    const a = assessments.find(({ o }) => hasCode(o.code, code));
    if (!a) return void required(ctx, `the clinical TNM ${letter} (an Observation ${code.code} in Condition.stage.assessment)`, `${path}.assessment`);
    const v = tnmCoded(a.o.valueCodeableConcept);
    if (!v) ctx.issues.push(error('CDA_CODE', `the TNM ${letter} value needs a coding in TNM UICC (system urn:oid:${TNM_UICC})`, `${a.path}.valueCodeableConcept`));
    const version = a.o.valueCodeableConcept?.coding?.find((k) => oidOfSystem(k.system) === TNM_UICC)?.version ?? edition;
    return v ? { ...v, ...(version ? { codeSystemVersion: version } : {}) } : undefined;
  };
  const date = (assessments[0]?.o as Observation | undefined)?.effectiveDateTime;
  return { stage: summary, edition, t: part(LOINC_CODES.TNM_T, 'T'), n: part(LOINC_CODES.TNM_N, 'N'), m: part(LOINC_CODES.TNM_M, 'M'), date };
}

function readTumour(ctx: Reader, condition: Condition, path: string): Tumour {
  const icd10 = codedOf(condition.code, [CS.CIM10]);
  if (icd10 && !ICD10.test(icd10.code)) ctx.issues.push(error('CDA_CODE', `"${icd10.code}" is not an ICD-10 code`, `${path}.code`));
  if (!icd10 && !condition.code?.text) required(ctx, 'the topography of the tumour (Condition.code: ICD-10 coding, or text)', `${path}.code`);
  const morphExt = condition.extension?.find((e) => e.url === MORPHOLOGY_EXTENSION_URL)?.valueCodeableConcept;
  const morphology = codedOf(morphExt, [CS.ICDO3]);
  if (morphology && !ICDO3_MORPHOLOGY.test(morphology.code)) ctx.issues.push(error('CDA_CODE', `"${morphology.code}" is not an ICD-O-3 morphology code (NNNN/N)`, `${path}.extension('${MORPHOLOGY_EXTENSION_URL}')`));
  if (!morphology && !morphExt?.text) required(ctx, `the morphology of the tumour (extension ${MORPHOLOGY_EXTENSION_URL}: ICD-O-3 coding, or text)`, `${path}.extension`);
  const lat = (condition.bodySite ?? []).map((b) => codedOf(b, [CS.SNOMED])).find(Boolean);
  const laterality = lat ? inValueSet(MODIFICATEUR_TOPOGRAPHIQUE, lat, `${path}.bodySite`, ctx.issues) : undefined;
  const stages = (condition.stage ?? []).map((stage, i) => ({ stage, path: `${path}.stage[${i}]` }));
  const isTnm = (s: ConditionStage) => Boolean(tnmCoded(s.summary)) || (s.assessment ?? []).length > 0;
  const tnmStage = stages.find((s) => isTnm(s.stage));
  if (!tnmStage) required(ctx, 'the clinical TNM stage of the tumour (Condition.stage with T, N and M assessments)', `${path}.stage`);
  const others = stages
    .filter((s) => s !== tnmStage)
    .map(({ stage }) => ({ value: labelOf(stage.summary), name: stage.type?.text ?? stage.type?.coding?.[0]?.display, version: stage.summary?.coding?.[0]?.version }));
  const diagnosisDate = condition.onsetDateTime ?? condition.onsetPeriod?.start ?? condition.recordedDate;
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

/** The tumours of the cancer-diagnosis section (also used for the header's topography serviceEvent). */
export function readTumours(ctx: Reader): Tumour[] {
  const found = sectionWithCode(ctx.doc, SECTION.DIAGNOSTIC_CANCER);
  const conditions = sectionEntries(ctx.doc, found, ['Condition'], ctx.issues);
  if (!conditions.length) {
    required(ctx, 'the cancer diagnosis: a Composition.section with code 72135-7 listing the tumour Condition(s)', found ? `${found.path}.entry` : 'Composition.section');
  }
  return conditions.map(({ resource, path }) => readTumour(ctx, resource, path));
}

const tnmText = (c: Coded | undefined) => (c ? `${c.code}${c.displayName ? ` : ${c.displayName}` : ''}` : '');

function concernStatus(c: Condition): string {
  const s = c.clinicalStatus?.coding?.[0]?.code;
  return s === 'resolved' || s === 'remission' || s === 'inactive' ? 'completed' : 'active';
}

export function writeDiagnostic(ctx: FrcpContext, tumours: Tumour[]): void {
  const { section: s, text } = section(ctx.body, { templateIds: SECTION_TEMPLATES, id: uuid(ctx, 'diagnostic'), code: SECTION.DIAGNOSTIC_CANCER, title: 'TUMEUR' });
  tumours.forEach((t, n) => {
    const ref = {
      head: ctx.ids.next('tumeur'),
      topo: ctx.ids.next('topographie'),
      lat: ctx.ids.next('lateralite'),
      morph: ctx.ids.next('morphologie'),
      stage: ctx.ids.next('stade-clinique'),
      t: ctx.ids.next('tnm-t'),
      n: ctx.ids.next('tnm-n'),
      m: ctx.ids.next('tnm-m'),
      others: t.others.map(() => ({ value: ctx.ids.next('autre-stade'), name: ctx.ids.next('autre-stade-nom'), version: ctx.ids.next('autre-stade-version') })),
      comment: ctx.ids.next('commentaire-tumeur'),
    };
    if (n > 0) text.ele('br');
    const rows: Cell[][] = [
      ['Date du diagnostic initial', { text: humanDate(t.diagnosisDate) || 'Inconnue', colspan: 2 }],
      ['Topographie', t.topography ? `${t.topography.code} [CIM-10]` : '', { text: t.topographyText, id: ref.topo }],
    ];
    if (t.laterality) rows.push(['Latéralité', `${t.laterality.code} [SNOMED CT]`, { text: t.laterality.displayName ?? '', id: ref.lat }]);
    rows.push(['Morphologie', t.morphology ? `${t.morphology.code} [CIM-O-3]` : '', { text: t.morphologyText, id: ref.morph }]);
    if (t.tnm) {
      rows.push(['Stade clinique', { text: `${t.tnm.stage?.code ?? ''}${t.tnm.edition ? ` [TNM UICC ${t.tnm.edition}e édition]` : ''}`, id: ref.stage, colspan: 2 }]);
      rows.push(['TNM (T)', { text: tnmText(t.tnm.t), id: ref.t, colspan: 2 }], ['TNM (N)', { text: tnmText(t.tnm.n), id: ref.n, colspan: 2 }], ['TNM (M)', { text: tnmText(t.tnm.m), id: ref.m, colspan: 2 }]);
    }
    t.others.forEach((o, i) => {
      const r = ref.others[i]!;
      rows.push(['Autre stade', { text: o.value, id: r.value, colspan: 2 }]);
      if (o.name) rows.push(['Nom de la classification', { text: o.name, id: r.name, colspan: 2 }]);
      if (o.version) rows.push(['Version de la classification', { text: o.version, id: r.version, colspan: 2 }]);
    });
    if (t.comment) rows.push(['Commentaire sur la tumeur', { text: t.comment, id: ref.comment, colspan: 2 }]);
    const tbl = table(text, { head: [`Tumeur ${tumours.length > 1 ? n + 1 : 'primitive'}`], rows });
    tbl.first().first().first().att('ID', ref.head);

    const concern = s.ele('entry').ele('act', { classCode: 'ACT', moodCode: 'EVN' });
    for (const tpl of CONCERN_TEMPLATES) concern.ele('templateId', { root: tpl });
    concern.ele('id', { root: uuid(ctx, `diagnostic/${n}/concern`) });
    nullEl(concern, 'code', 'NA');
    concern.ele('statusCode', { code: concernStatus(t.condition) });
    diagnosisTime(ctx, concern, t);
    const o = entryRelationship(concern, 'SUBJ', false).ele('observation', { classCode: 'OBS', moodCode: 'EVN', negationInd: 'false' });
    for (const tpl of DIAGNOSIS_TEMPLATES) o.ele('templateId', { root: tpl });
    o.ele('id', { root: uuid(ctx, `diagnostic/${n}/diagnosis`) });
    cdEl(o, 'code', DIAGNOSTIC_INTERPRETATION);
    o.ele('text').ele('reference', { value: `#${ref.head}` });
    o.ele('statusCode', { code: 'completed' });
    diagnosisTime(ctx, o, t);
    if (t.morphology) cdEl(o, 'value', { ...t.morphology, originalTextRef: `#${ref.morph}` }, { 'xsi:type': 'CD' });
    else ele(o, 'value', { 'xsi:type': 'CD', nullFlavor: 'OTH' }).ele('originalText').ele('reference', { value: `#${ref.morph}` });
    const site = t.topography ? cdEl(o, 'targetSiteCode', { ...t.topography, originalTextRef: `#${ref.topo}` }) : nullEl(o, 'targetSiteCode', 'OTH');
    if (!t.topography) site.ele('originalText').ele('reference', { value: `#${ref.topo}` });
    if (t.laterality) {
      const q = site.ele('qualifier');
      cdEl(q, 'name', LOINC_CODES.LATERALITE);
      cdEl(q, 'value', { ...t.laterality, codeSystemName: 'SNOMED CT', originalTextRef: `#${ref.lat}` });
    }
    if (t.tnm) writeTnm(ctx, o, t, n, ref);
    t.others.forEach((other, i) => writeOtherStage(ctx, o, t, other, `${n}/${i}`, ref.others[i]!));
    if (t.comment) commentAct(entryRelationship(o, 'SUBJ', true), { textRef: `#${ref.comment}`, path: t.path }, ctx.issues);
  });
}

/** `<effectiveTime><low …/></effectiveTime>`: the date of diagnosis, `low nullFlavor="UNK"` when unknown (IHE PCC). */
function diagnosisTime(ctx: FrcpContext, parent: El, t: Tumour): void {
  tsEl(parent.ele('effectiveTime'), 'low', t.diagnosisDate, `${t.path}.onsetDateTime`, ctx.issues);
}

function writeTnm(ctx: FrcpContext, o: El, t: Tumour, n: number, ref: { stage: string; t: string; n: string; m: string }): void {
  const tnm = t.tnm!;
  const stage = entryRelationship(o, 'SUBJ', false).ele('observation', { classCode: 'OBS', moodCode: 'EVN', negationInd: 'false' });
  stage.ele('templateId', { root: TNM_STAGE_TEMPLATE });
  cdEl(stage, 'code', LOINC_CODES.TNM_CLINIQUE);
  stage.ele('text').ele('reference', { value: `#${ref.stage}` });
  stage.ele('statusCode', { code: 'completed' });
  ivlTsEl(stage, 'effectiveTime', { start: tnm.date ?? t.diagnosisDate }, `${t.path}.stage`, ctx.issues);
  const value = stage.ele('value', { 'xsi:type': 'CD' });
  if (tnm.stage) {
    const q = value.ele('qualifier');
    cdEl(q, 'name', LOINC_CODES.STADE_CLINIQUE);
    cdEl(q, 'value', tnm.stage, { 'xsi:type': 'CD' });
  }
  if (tnm.edition) {
    const q = value.ele('qualifier');
    cdEl(q, 'name', LOINC_CODES.VERSION_TNM);
    cdEl(q, 'value', { code: tnm.edition, displayName: `TNM UICC ${tnm.edition}e édition`, codeSystem: TNM_UICC, codeSystemName: 'TNM_UICC' }, { 'xsi:type': 'CD' });
  }
  const part = (code: Coded, v: Coded | undefined, textRef: string, key: string) => {
    const obs = simpleObservation(entryRelationship(stage, 'COMP'), { id: uuid(ctx, `diagnostic/${n}/tnm/${key}`), code, textRef: `#${textRef}`, effective: { nullFlavor: 'NA' }, path: `${t.path}.stage` }, ctx.issues);
    if (v) cdEl(obs, 'value', v, { 'xsi:type': 'CD' });
    else ele(obs, 'value', { 'xsi:type': 'CD', nullFlavor: 'NI' });
  };
  part(LOINC_CODES.TNM_T, tnm.t, ref.t, 't');
  part(LOINC_CODES.TNM_N, tnm.n, ref.n, 'n');
  part(LOINC_CODES.TNM_M, tnm.m, ref.m, 'm');
}

function writeOtherStage(ctx: FrcpContext, o: El, t: Tumour, other: Tumour['others'][number], key: string, ref: { value: string; name: string; version: string }): void {
  const path = `${t.path}.stage`;
  const obs = simpleObservation(
    entryRelationship(o, 'SUBJ', false),
    { id: uuid(ctx, `diagnostic/${key}/autre`), code: LOINC_CODES.AUTRE_CLASSIFICATION, textRef: `#${ref.value}`, effective: { nullFlavor: 'NA' }, value: { type: 'CD', nullFlavor: 'OTH', originalTextRef: `#${ref.value}` }, path },
    ctx.issues,
  );
  const part = (code: Coded, textRef: string, k: string) =>
    simpleObservation(entryRelationship(obs, 'COMP'), { id: uuid(ctx, `diagnostic/${key}/${k}`), code, textRef: `#${textRef}`, effective: { nullFlavor: 'NA' }, value: { type: 'CD', nullFlavor: 'OTH', originalTextRef: `#${textRef}` }, path }, ctx.issues);
  if (other.name) part(TA.CLASSIFICATION_NOM, ref.name, 'nom');
  if (other.version) part(TA.CLASSIFICATION_VERSION, ref.version, 'version');
}
