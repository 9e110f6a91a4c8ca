/**
 * Section FR-Plan-de-soins [1..1]: the proposal of the RCP: referral to a recourse RCP, complementary examinations
 * or expertise, surveillance, therapeutic proposals (first intention and alternatives, each a sequence of
 * treatments), and a comment.
 *
 * FHIR: the CarePlan of Composition.section 18776-5 (else the Bundle's CarePlan). Each CarePlan.activity.detail:
 * code ORG-120 → referral to a recourse RCP; ORG-064 → examination request (description, scheduledPeriod);
 * MED-226 → surveillance (description); any other code → a therapeutic proposal, code from
 * JDV_TypeTraitement_FRCP_CISIS (description = detail, scheduledPeriod), intention number in extension
 * rcp-proposal-intention (1 = first intention, default), sequence = order within its intention.
 * CarePlan.note → comment on the proposal.
 */
import type { CarePlan, CarePlanActivity } from '@medplum/fhirtypes';
import { error } from '../../../../../src/engine/issues.js';
import { cdEl, codedOf, humanDate, ivlTsEl, type Coded, type El } from '../../datatypes.js';
import { commentAct, section } from '../../entries.js';
import { hasCode, labelOf, notesOf, sectionEntries, sectionWithCode } from '../../fhir-find.js';
import { table, type Cell } from '../../narrative.js';
import { inValueSet } from '../../value-set.js';
import { INTENTION_EXTENSION_URL, SECTION, TA } from '../codes.js';
import { required, uuid, type FrcpContext } from '../context.js';
import { TYPE_TRAITEMENT } from '../value-sets.js';

const TEMPLATES = ['2.16.840.1.113883.10.20.1.10', '1.3.6.1.4.1.19376.1.5.3.1.3.36', '1.2.250.1.213.1.1.2.158'];
const ENCOUNTER_TEMPLATES = ['2.16.840.1.113883.10.20.1.25', '1.3.6.1.4.1.19376.1.5.3.1.4.14', '1.2.250.1.213.1.1.3.58'];
const REQUEST_TEMPLATES = ['2.16.840.1.113883.10.20.1.25', '1.3.6.1.4.1.19376.1.5.3.1.1.20.3.1', '1.2.250.1.213.1.1.3.27'];
const ACT_PRIORITY = '2.16.840.1.113883.5.7';
const PROPOSAL_TEMPLATES = ['2.16.840.1.113883.10.20.1.25', '1.3.6.1.4.1.19376.1.5.3.1.4.19', '1.2.250.1.213.1.1.3.62'];

interface Activity {
  activity: CarePlanActivity;
  path: string;
  text: string;
}
interface Proposal extends Activity {
  code: Coded;
  intention: number;
  sequence: number;
}

function findCarePlan(ctx: FrcpContext): { plan?: CarePlan; path: string } {
  const found = sectionWithCode(ctx.doc, SECTION.PLAN_DE_SOINS);
  const listed = sectionEntries(ctx.doc, found, ['CarePlan'], ctx.issues);
  if (listed[0]) return { plan: listed[0].resource, path: listed[0].path };
  const all = ctx.doc.all('CarePlan');
  if (all.length > 1) ctx.issues.push(error('CDA_FRCP_DUPLICATE', `one CarePlan (the proposal of the RCP) is expected, found ${all.length}; list it in Composition.section 18776-5`, 'Bundle.entry.resource.ofType(CarePlan)'));
  return { plan: all[0], path: 'Bundle.entry.resource.ofType(CarePlan)' };
}

export function writePlanDeSoins(ctx: FrcpContext): void {
  const { plan, path } = findCarePlan(ctx);
  if (!plan) required(ctx, 'the proposal of the RCP (a CarePlan, listed in Composition.section 18776-5)', 'Composition.section');
  const activities = (plan?.activity ?? []).map((activity, i) => ({ activity, path: `${path}.activity[${i}]`, text: activity.detail?.description ?? '' }));
  const withCode = (code: Coded) => activities.filter((a) => hasCode(a.activity.detail?.code, code));
  const recours = withCode(TA.PASSAGE_RCP_RECOURS);
  const requests = withCode(TA.DEMANDE_EXAMEN);
  const surveillance = withCode(TA.SURVEILLANCE);
  const counters = new Map<number, number>();
  const proposals: Proposal[] = activities
    .filter((a) => !recours.includes(a) && !requests.includes(a) && !surveillance.includes(a))
    .flatMap((a) => {
      const code = inValueSet(TYPE_TRAITEMENT, codedOf(a.activity.detail?.code), `${a.path}.detail.code`, ctx.issues);
      if (!codedOf(a.activity.detail?.code)) ctx.issues.push(error('CDA_CODE', `a proposed treatment needs a code from ${TYPE_TRAITEMENT.name} (or ORG-120, ORG-064, MED-226)`, `${a.path}.detail.code`));
      const raw = a.activity.extension?.find((e) => e.url === INTENTION_EXTENSION_URL)?.valueInteger;
      if (raw !== undefined && !(Number.isInteger(raw) && raw >= 1)) ctx.issues.push(error('CDA_FRCP_INTENTION', 'the intention number must be a positive integer', `${a.path}.extension('${INTENTION_EXTENSION_URL}')`));
      const intention = raw !== undefined && raw >= 1 ? raw : 1;
      const sequence = (counters.get(intention) ?? 0) + 1;
      counters.set(intention, sequence);
      return code ? [{ ...a, code, intention, sequence, text: a.text }] : [];
    })
    .sort((x, y) => x.intention - y.intention || x.sequence - y.sequence);
  const comment = notesOf(plan);

  const { section: s, text } = section(ctx.body, { templateIds: TEMPLATES, id: uuid(ctx, 'plan'), code: SECTION.PLAN_DE_SOINS, title: 'PROPOSITION DE LA RCP' });
  const id = (p: string) => ctx.ids.next(p);
  const refs = {
    recours: recours.map(() => id('demande-rcp-recours')),
    requests: requests.map(() => id('demande-examen')),
    surveillance: surveillance.map(() => id('surveillance')),
    proposals: proposals.map(() => ({ type: id('traitement-propose'), detail: id('precision-traitement-propose') })),
    comment: id('commentaire-proposition'),
  };
  let first = true;
  const gap = () => (first ? (first = false) : text.ele('br'));
  gap();
  table(text, { head: ['Passage en RCP de recours'], rows: recours.length ? recours.map((r, i) => [{ text: r.text || 'Oui', id: refs.recours[i]! }]) : [['Non']] });
  if (requests.length) {
    gap();
    table(text, {
      head: ['Examens / expertises complémentaires', ['Type', 'Date au plus tôt souhaitée', 'Date au plus tard']],
      rows: requests.map((r, i) => [{ text: r.text || labelOf(r.activity.detail?.code), id: refs.requests[i]! }, humanDate(r.activity.detail?.scheduledPeriod?.start) || '-', humanDate(r.activity.detail?.scheduledPeriod?.end) || '-']),
    });
  }
  gap();
  table(text, { head: ['Surveillance'], rows: surveillance.length ? surveillance.map((r, i) => [{ text: r.text || 'Oui', id: refs.surveillance[i]! }]) : [['Non']] });
  gap();
  table(text, {
    head: ['Proposition(s) thérapeutique(s)', ["Numéro d'intention", 'Numéro séquentiel du traitement', 'Type de traitement', 'Précision sur le traitement', 'Période']],
    rows: proposals.map((p, i): Cell[] => [
      `${p.intention} (${p.intention === 1 ? 'Première intention' : 'Alternative'})`,
      String(p.sequence),
      { text: p.code.displayName ?? p.code.code, id: refs.proposals[i]!.type },
      { text: p.text || '-', id: refs.proposals[i]!.detail },
      [humanDate(p.activity.detail?.scheduledPeriod?.start), humanDate(p.activity.detail?.scheduledPeriod?.end)].filter(Boolean).join(' – ') || '-',
    ]),
    empty: 'Aucune proposition thérapeutique',
  });
  if (comment) {
    gap();
    table(text, { head: ['Commentaires / Précisions sur la proposition de la RCP'], rows: [[{ text: comment, id: refs.comment }]] });
  }

  recours.forEach((r, i) => encounterEntry(ctx, s, r, TA.PASSAGE_RCP_RECOURS, refs.recours[i]!, `plan/recours/${i}`));
  requests.forEach((r, i) => {
    const o = s.ele('entry').ele('observation', { classCode: 'OBS', moodCode: 'PRP' });
    for (const t of REQUEST_TEMPLATES) o.ele('templateId', { root: t });
    o.ele('id', { root: uuid(ctx, `plan/examen/${i}`) });
    cdEl(o, 'code', TA.DEMANDE_EXAMEN);
    o.ele('text').ele('reference', { value: `#${refs.requests[i]}` });
    o.ele('statusCode', { code: 'active' });
    ivlTsEl(o, 'effectiveTime', r.activity.detail?.scheduledPeriod, `${r.path}.detail.scheduledPeriod`, ctx.issues);
  });
  surveillance.forEach((r, i) => encounterEntry(ctx, s, r, TA.SURVEILLANCE, refs.surveillance[i]!, `plan/surveillance/${i}`));
  proposals.forEach((p, i) => {
    const proc = s.ele('entry').ele('procedure', { classCode: 'PROC', moodCode: 'INT', negationInd: 'false' });
    for (const t of PROPOSAL_TEMPLATES) proc.ele('templateId', { root: t });
    proc.ele('id', { root: uuid(ctx, `plan/proposition/${i}`) });
    cdEl(proc, 'code', { ...p.code, originalTextRef: `#${refs.proposals[i]!.type}` });
    proc.ele('text').ele('reference', { value: `#${refs.proposals[i]!.detail}` });
    proc.ele('statusCode', { code: 'active' });
    ivlTsEl(proc, 'effectiveTime', p.activity.detail?.scheduledPeriod, `${p.path}.detail.scheduledPeriod`, ctx.issues);
    proc.ele('priorityCode').ele('originalText').txt(String(p.sequence));
  });
  if (comment) commentAct(s.ele('entry'), { textRef: `#${refs.comment}`, path }, ctx.issues);
}

/**
 * FR-Rencontre requested (moodCode ARQ): its date is the scheduled period when known; otherwise priorityCode CS
 * ("recontacter pour fixer RDV"), as IHE PCC requires one of them.
 */
function encounterEntry(ctx: FrcpContext, s: El, a: Activity, code: Coded, ref: string, key: string): void {
  const e = s.ele('entry').ele('encounter', { classCode: 'ENC', moodCode: 'ARQ' });
  for (const t of ENCOUNTER_TEMPLATES) e.ele('templateId', { root: t });
  e.ele('id', { root: uuid(ctx, key) });
  cdEl(e, 'code', code);
  e.ele('text').ele('reference', { value: `#${ref}` });
  const period = a.activity.detail?.scheduledPeriod;
  if (period?.start || period?.end) ivlTsEl(e, 'effectiveTime', period, `${a.path}.detail.scheduledPeriod`, ctx.issues);
  else cdEl(e, 'priorityCode', { code: 'CS', displayName: 'recontacter pour fixer RDV', codeSystem: ACT_PRIORITY, codeSystemName: 'ActPriority' });
}
