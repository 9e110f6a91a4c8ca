/**
 * Section FR-Cadre-de-la-proposition-therapeutique [1..1]: clinical practice guideline the proposal follows (name,
 * version and date), proposal of inclusion in a clinical trial, comment.
 * FHIR: Observation MED-249 (valueString = name and version of the guideline, effectiveDateTime = its date),
 * Observation MED-250 (valueBoolean), Composition.section 35510-7 text = comment.
 */
import { humanDate } from '../../datatypes.js';
import { commentAct, section, simpleObservation } from '../../entries.js';
import { sectionWithCode } from '../../fhir-find.js';
import { table, xhtmlToText, yesNo, type Cell } from '../../narrative.js';
import { SECTION, TA } from '../codes.js';
import { observation, required, uuid, type FrcpContext } from '../context.js';

const TEMPLATE = '1.2.250.1.213.1.1.2.175';

export function writeCadre(ctx: FrcpContext): void {
  const ref = observation(ctx, TA.REFERENTIEL, 'the clinical practice guideline', false);
  const trial = observation(ctx, TA.ESSAI_CLINIQUE, 'the proposal of inclusion in a clinical trial', false);
  const guideline = ref.obs?.valueString;
  if (ref.obs && !guideline) required(ctx, 'the name and version of the guideline (valueString)', `${ref.path}.valueString`);
  const guidelineDate = ref.obs?.effectiveDateTime;
  const inTrial = trial.obs?.valueBoolean;
  if (trial.obs && typeof inTrial !== 'boolean') required(ctx, 'valueBoolean on the clinical-trial observation (MED-250)', `${trial.path}.valueBoolean`);
  const found = sectionWithCode(ctx.doc, SECTION.CADRE);
  const comment = found?.section.text?.div ? xhtmlToText(found.section.text.div) : undefined;

  const { section: s, text } = section(ctx.body, { templateIds: [TEMPLATE], id: uuid(ctx, 'cadre'), code: SECTION.CADRE, title: 'CADRE DE LA PROPOSITION THÉRAPEUTIQUE' });
  const ids = { guideline: ctx.ids.next('referentiel'), trial: ctx.ids.next('essai-clinique'), comment: ctx.ids.next('commentaire-cadre') };
  const rows: Cell[][] = [];
  if (guideline) rows.push(['Recommandation / référentiel de pratique clinique', { text: guideline, id: ids.guideline }, guidelineDate ? `Date : ${humanDate(guidelineDate)}` : '-']);
  if (typeof inTrial === 'boolean') rows.push(["Proposition d'inclusion dans un essai clinique", { text: yesNo(inTrial), id: ids.trial }, '']);
  if (comment) rows.push(['Commentaires / Précisions', { text: comment, id: ids.comment, colspan: 2 }]);
  table(text, { head: ['Cadre de la proposition thérapeutique'], rows, empty: 'Non renseigné' });
  if (guideline) {
    simpleObservation(s.ele('entry'), { id: uuid(ctx, 'cadre/referentiel'), code: TA.REFERENTIEL, textRef: `#${ids.guideline}`, effective: guidelineDate ? { at: guidelineDate } : { nullFlavor: 'UNK' }, value: { type: 'ST', text: guideline }, path: ref.path }, ctx.issues);
  }
  if (typeof inTrial === 'boolean') {
    simpleObservation(s.ele('entry'), { id: uuid(ctx, 'cadre/essai'), code: TA.ESSAI_CLINIQUE, textRef: `#${ids.trial}`, effective: { nullFlavor: 'NA' }, value: { type: 'BL', value: inTrial }, path: trial.path }, ctx.issues);
  }
  if (comment) commentAct(s.ele('entry'), { textRef: `#${ids.comment}`, path: found!.path }, ctx.issues);
}
