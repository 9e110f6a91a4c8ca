/**
 * Section FR-Actes-et-interventions [0..1]: past and ongoing treatments of the tumour discussed (done or not).
 * FHIR: the Procedures of Composition.section 29554-3: code from JDV_TypeTraitement_FRCP_CISIS (code.text = detail),
 * status (completed → completed "Déjà réalisé", preparation/in-progress/on-hold → active "En cours",
 * not-done/stopped → cancelled "Non réalisé"), performedPeriod/performedDateTime, note = comment.
 */
import type { Procedure } from '@medplum/fhirtypes';
import { error, warning } from '../../../../../src/engine/issues.js';
import { cdEl, codedOf, humanDate, ivlTsEl } from '../../datatypes.js';
import { commentAct, entryRelationship, section } from '../../entries.js';
import { notesOf, sectionEntries, sectionWithCode } from '../../fhir-find.js';
import { table } from '../../narrative.js';
import { inValueSet } from '../../value-set.js';
import { SECTION } from '../codes.js';
import { uuid, type FrcpContext } from '../context.js';
import { TYPE_TRAITEMENT } from '../value-sets.js';

const TEMPLATES = ['1.3.6.1.4.1.19376.1.5.3.1.1.13.2.11', '1.2.250.1.213.1.1.2.118'];
const ENTRY_TEMPLATES = ['1.3.6.1.4.1.19376.1.5.3.1.4.19', '2.16.840.1.113883.10.20.1.29', '1.2.250.1.213.1.1.3.62'];
const STATUS: Record<string, [string, string]> = {
  completed: ['completed', 'Déjà réalisé'],
  preparation: ['active', 'En cours de réalisation'],
  'in-progress': ['active', 'En cours de réalisation'],
  'on-hold': ['active', 'En cours de réalisation'],
  'not-done': ['cancelled', 'Non réalisé'],
  stopped: ['cancelled', 'Non réalisé'],
};

export function writeActes(ctx: FrcpContext): void {
  const found = sectionWithCode(ctx.doc, SECTION.ACTES);
  const procedures = sectionEntries(ctx.doc, found, ['Procedure'], ctx.issues).flatMap(({ resource: p, path }) => {
    if (p.status === 'entered-in-error') {
      ctx.issues.push(warning('CDA_IGNORED', 'a Procedure entered in error is not written', path));
      return [];
    }
    const status = STATUS[p.status];
    if (!status) ctx.issues.push(error('CDA_CODE', `Procedure.status "${p.status}" cannot be written (completed, in-progress, not-done, …)`, `${path}.status`));
    const code = inValueSet(TYPE_TRAITEMENT, codedOf(p.code), `${path}.code`, ctx.issues);
    if (!codedOf(p.code)) ctx.issues.push(error('CDA_CODE', `the treatment type needs a code from ${TYPE_TRAITEMENT.name}`, `${path}.code`));
    return code && status ? [{ p, path, code, status }] : [];
  });
  if (!procedures.length) return;
  const { section: s, text } = section(ctx.body, { templateIds: TEMPLATES, id: uuid(ctx, 'actes'), code: SECTION.ACTES, title: 'TRAITEMENTS THÉRAPEUTIQUES PASSÉS OU EN COURS (réalisés ou pas)' });
  const refs = procedures.map(() => ({ type: ctx.ids.next('traitement'), detail: ctx.ids.next('precision-traitement'), comment: ctx.ids.next('commentaire-traitement') }));
  const period = (p: Procedure) => p.performedPeriod ?? (p.performedDateTime ? { start: p.performedDateTime } : undefined);
  table(text, {
    head: [['Type de traitement', 'Précision', 'Date de début', 'Date de fin', 'Statut', 'Commentaire']],
    rows: procedures.map(({ p, code, status }, i) => [
      { text: code.displayName ?? code.code, id: refs[i]!.type },
      { text: p.code?.text ?? '-', id: refs[i]!.detail },
      humanDate(period(p)?.start) || '-',
      humanDate(period(p)?.end) || '-',
      status[1],
      { text: notesOf(p) ?? '-', id: refs[i]!.comment },
    ]),
  });
  procedures.forEach(({ p, path, code, status }, i) => {
    const proc = s.ele('entry').ele('procedure', { classCode: 'PROC', moodCode: 'EVN', negationInd: 'false' });
    for (const t of ENTRY_TEMPLATES) proc.ele('templateId', { root: t });
    proc.ele('id', { root: uuid(ctx, `actes/${i}`) });
    cdEl(proc, 'code', { ...code, originalTextRef: `#${refs[i]!.type}` });
    proc.ele('text').ele('reference', { value: `#${refs[i]!.detail}` });
    proc.ele('statusCode', { code: status[0] });
    ivlTsEl(proc, 'effectiveTime', period(p), `${path}.performed`, ctx.issues);
    if (notesOf(p)) commentAct(entryRelationship(proc, 'SUBJ', true), { textRef: `#${refs[i]!.comment}`, path }, ctx.issues);
  });
}
