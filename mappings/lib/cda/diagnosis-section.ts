/**
 * Section FR-Diagnostic-du-cancer, written alike by the fiche RCP and the PPS from the tumours read by ./diagnosis.ts:
 * one FR-Liste-des-problemes-cancer concern per tumour, holding the FR-Diagnostic-du-cancer observation: date of
 * diagnosis, ICD-O-3 morphology (value), ICD-10 topography (targetSiteCode, JDV_Tumeur_CISIS) with laterality,
 * clinical TNM stage (75620-5) with T/N/M (21905-5, 21906-3, 21907-1), other stage classifications (21918-8) and a
 * comment.
 */
import type { Condition } from '@medplum/fhirtypes';
import type { Issue } from '../../../src/engine/issues.js';
import { cdEl, ele, humanDate, ivlTsEl, nullEl, tsEl, type Coded, type El } from './datatypes.js';
import type { Tumour } from './diagnosis.js';
import { DIAGNOSIS_CODES as CODES, TNM_UICC } from './diagnosis-codes.js';
import { commentAct, entryRelationship, section, simpleObservation } from './entries.js';
import type { CdaHeader } from './header.js';
import { table, type Cell, type ContentIds } from './narrative.js';
import { CS } from './oids.js';

const SECTION_TEMPLATES = ['2.16.840.1.113883.10.20.1.11', '1.3.6.1.4.1.19376.1.5.3.1.3.6', '1.3.6.1.4.1.19376.1.7.3.1.3.14.1', '1.2.250.1.213.1.1.2.27'];
const CONCERN_TEMPLATES = ['2.16.840.1.113883.10.20.1.27', '1.3.6.1.4.1.19376.1.5.3.1.4.5.1', '1.3.6.1.4.1.19376.1.5.3.1.4.5.2', '1.2.250.1.213.1.1.3.39', '1.2.250.1.213.1.1.3.39.1'];
const DIAGNOSIS_TEMPLATES = ['2.16.840.1.113883.10.20.1.28', '1.3.6.1.4.1.19376.1.5.3.1.4.5', '1.2.250.1.213.1.1.3.37', '1.3.6.1.4.1.19376.1.7.3.1.4.14.1', '1.2.250.1.213.1.1.3.113'];
const TNM_STAGE_TEMPLATE = '1.3.6.1.4.1.19376.1.7.3.1.4.14.2';
const DIAGNOSTIC_INTERPRETATION: Coded = { code: '282291009', displayName: 'interprétation diagnostique', codeSystem: CS.SNOMED, codeSystemName: 'SNOMED CT' };

/** What the writer needs of the volet's body context (FrcpContext, PpsContext). */
export interface DiagnosisSectionContext {
  header: CdaHeader;
  /** `structuredBody`: the section is appended to it. */
  body: El;
  ids: ContentIds;
  issues: Issue[];
}

/** A deterministic id for a part of the section. */
const uuid = (ctx: DiagnosisSectionContext, part: string): string => ctx.header.uuid(part);

const tnmText = (c: Coded | undefined) => (c ? `${c.code}${c.displayName ? ` : ${c.displayName}` : ''}` : '');

function concernStatus(c: Condition): string {
  const s = c.clinicalStatus?.coding?.[0]?.code;
  return s === 'resolved' || s === 'remission' || s === 'inactive' ? 'completed' : 'active';
}

export function writeDiagnosisSection(ctx: DiagnosisSectionContext, tumours: Tumour[]): void {
  const { section: s, text } = section(ctx.body, { templateIds: SECTION_TEMPLATES, id: uuid(ctx, 'diagnostic'), code: CODES.SECTION, title: 'TUMEUR' });
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
      cdEl(q, 'name', CODES.LATERALITE);
      cdEl(q, 'value', { ...t.laterality, codeSystemName: 'SNOMED CT', originalTextRef: `#${ref.lat}` });
    }
    if (t.tnm) writeTnm(ctx, o, t, n, ref);
    t.others.forEach((other, i) => writeOtherStage(ctx, o, t, other, `${n}/${i}`, ref.others[i]!));
    if (t.comment) commentAct(entryRelationship(o, 'SUBJ', true), { textRef: `#${ref.comment}`, path: t.path }, ctx.issues);
  });
}

/** `<effectiveTime><low …/></effectiveTime>`: the date of diagnosis, `low nullFlavor="UNK"` when unknown (IHE PCC). */
function diagnosisTime(ctx: DiagnosisSectionContext, parent: El, t: Tumour): void {
  tsEl(parent.ele('effectiveTime'), 'low', t.diagnosisDate, `${t.path}.onsetDateTime`, ctx.issues);
}

function writeTnm(ctx: DiagnosisSectionContext, o: El, t: Tumour, n: number, ref: { stage: string; t: string; n: string; m: string }): void {
  const tnm = t.tnm!;
  const stage = entryRelationship(o, 'SUBJ', false).ele('observation', { classCode: 'OBS', moodCode: 'EVN', negationInd: 'false' });
  stage.ele('templateId', { root: TNM_STAGE_TEMPLATE });
  cdEl(stage, 'code', CODES.TNM_CLINIQUE);
  stage.ele('text').ele('reference', { value: `#${ref.stage}` });
  stage.ele('statusCode', { code: 'completed' });
  ivlTsEl(stage, 'effectiveTime', { start: tnm.date ?? t.diagnosisDate }, `${t.path}.stage`, ctx.issues);
  const value = stage.ele('value', { 'xsi:type': 'CD' });
  if (tnm.stage) {
    const q = value.ele('qualifier');
    cdEl(q, 'name', CODES.STADE_CLINIQUE);
    cdEl(q, 'value', tnm.stage, { 'xsi:type': 'CD' });
  }
  if (tnm.edition) {
    const q = value.ele('qualifier');
    cdEl(q, 'name', CODES.VERSION_TNM);
    cdEl(q, 'value', { code: tnm.edition, displayName: `TNM UICC ${tnm.edition}e édition`, codeSystem: TNM_UICC, codeSystemName: 'TNM_UICC' }, { 'xsi:type': 'CD' });
  }
  const part = (code: Coded, v: Coded | undefined, textRef: string, key: string) => {
    const obs = simpleObservation(entryRelationship(stage, 'COMP'), { id: uuid(ctx, `diagnostic/${n}/tnm/${key}`), code, textRef: `#${textRef}`, effective: { nullFlavor: 'NA' }, path: `${t.path}.stage` }, ctx.issues);
    if (v) cdEl(obs, 'value', v, { 'xsi:type': 'CD' });
    else ele(obs, 'value', { 'xsi:type': 'CD', nullFlavor: 'NI' });
  };
  part(CODES.TNM_T, tnm.t, ref.t, 't');
  part(CODES.TNM_N, tnm.n, ref.n, 'n');
  part(CODES.TNM_M, tnm.m, ref.m, 'm');
}

function writeOtherStage(ctx: DiagnosisSectionContext, o: El, t: Tumour, other: Tumour['others'][number], key: string, ref: { value: string; name: string; version: string }): void {
  const path = `${t.path}.stage`;
  const obs = simpleObservation(
    entryRelationship(o, 'SUBJ', false),
    { id: uuid(ctx, `diagnostic/${key}/autre`), code: CODES.AUTRE_CLASSIFICATION, textRef: `#${ref.value}`, effective: { nullFlavor: 'NA' }, value: { type: 'CD', nullFlavor: 'OTH', originalTextRef: `#${ref.value}` }, path },
    ctx.issues,
  );
  const part = (code: Coded, textRef: string, k: string) =>
    simpleObservation(entryRelationship(obs, 'COMP'), { id: uuid(ctx, `diagnostic/${key}/${k}`), code, textRef: `#${textRef}`, effective: { nullFlavor: 'NA' }, value: { type: 'CD', nullFlavor: 'OTH', originalTextRef: `#${textRef}` }, path }, ctx.issues);
  if (other.name) part(CODES.CLASSIFICATION_NOM, ref.name, 'nom');
  if (other.version) part(CODES.CLASSIFICATION_VERSION, ref.version, 'version');
}
