/**
 * Section FR-Statut-du-document (LOINC 33557-0) [1..1]:
 * - FR-Statut-document (GEN-065) [1..1] ← an Observation GEN-065 of the section (valueCodeableConcept in
 *   JDV_StatutDoc_CISIS, note → comment), else Composition.status (preliminary → "en cours d'exécution",
 *   final / amended → "approuvé"); effectiveTime ← the observation's date, else Composition.date.
 * - Motif de mise à jour (GEN-037) [0..1] ← an Observation GEN-037 of the section (JDV_MotifMiseAJour_CISIS, note →
 *   précision); a document replacing an earlier version without it gets a warning.
 * - Date de la RCP (ORG-189) [1..1] ← an Observation ORG-189 of the section (effectiveDateTime), else the referenced
 *   fiche RCP (DocumentReference LOINC 34794-8, context.period.start).
 * - Date de remise du document au patient (GEN-178) [1..1] ← the announcement consultation, Composition.encounter:
 *   period.start is the consultation date (value) and, unless an Observation GEN-178 of the section gives another
 *   effectiveDateTime, the handing-over date; the professional who hands the PPS over is the Observation's performer,
 *   else the Encounter's first participant.
 */
import type { Observation } from '@medplum/fhirtypes';
import { error, warning } from '../../../../src/engine/issues.js';
import { resolveActor, type HealthActor } from '../actors.js';
import { STATUT_DOC } from '../cancer-value-sets.js';
import { humanDate } from '../datatypes.js';
import { commentAct, entryRelationship, simpleObservation, type Effective, type ObsValue } from '../entries.js';
import { notesOf } from '../fhir-find.js';
import { table, type Cell } from '../narrative.js';
import { CS } from '../oids.js';
import { conceptOf } from '../value-set.js';
import { C, JDV_MOTIF_MISE_A_JOUR } from './codes.js';
import { dateValueEl, resourceUuid, type PpsContext } from './context.js';
import { valueSetValue, withCode } from './observations.js';
import { placeAndPeopleLabel, writePerformer } from './performers.js';
import { frcpReference } from './references-section.js';
import { entry, findSection, openSection, sectionEntries, SECTION_KEYS, warnUnused } from './sections.js';

/** FR-Statut-document: an FR-Simple-Observation with its own template. */
const STATUS_TEMPLATE = '1.2.250.1.213.1.1.3.48.16';
const STATUS_OF_COMPOSITION: Record<string, string> = { preliminary: '385651009', final: '9571008', amended: '9571008' };

interface Written {
  id: string;
  concept: typeof C.documentStatus;
  effective: Effective;
  effectivePath: string;
  /** A coded value, or a date written as EIVL_TS. */
  value: ObsValue | { date: string | undefined; path: string };
  source?: Observation;
  commentId?: string;
  performer?: HealthActor;
  templateIds?: string[];
}

export function writeStatusSection(ctx: PpsContext): void {
  const c = ctx.doc.composition;
  const found = findSection(ctx, SECTION_KEYS.status, 'Statut du document');
  const obs = sectionEntries(ctx, found, ['Observation']);
  const rows: Cell[][] = [];
  const written: Written[] = [];
  const add = (name: string, shown: string, w: Omit<Written, 'id'>, note?: string, noteName = 'Commentaire'): void => {
    const id = ctx.ids.next('statut');
    rows.push([name, { text: shown, id }]);
    const commentId = note ? ctx.ids.next('statut-commentaire') : undefined;
    if (note) rows.push([noteName, { text: note, id: commentId }]);
    written.push({ ...w, id, commentId });
  };

  // Statut du document
  const statusObs = withCode(obs, C.documentStatus)[0];
  if (statusObs) {
    const { value, text } = valueSetValue(statusObs.resource, STATUT_DOC, 'the document status', statusObs.path, ctx);
    add('Statut du document', text, { concept: C.documentStatus, effective: { at: statusObs.resource.effectiveDateTime ?? c.date }, effectivePath: `${statusObs.path}.effectiveDateTime`, value, source: statusObs.resource, templateIds: [STATUS_TEMPLATE] }, notesOf(statusObs.resource));
  } else {
    const code = STATUS_OF_COMPOSITION[c.status];
    const concept = code ? conceptOf(STATUT_DOC, code, CS.SNOMED) : undefined;
    if (!concept) ctx.issues.push(error('PPS_DOCUMENT_STATUS', `Composition.status "${c.status}" has no PPS document status (JDV_StatutDoc_CISIS)`, 'Composition.status'));
    add('Statut du document', concept?.displayName ?? 'Non renseigné', {
      concept: C.documentStatus,
      effective: { at: c.date },
      effectivePath: 'Composition.date',
      value: concept ? { type: 'CD', coded: { ...concept, codeSystemName: 'SNOMED CT' } } : { type: 'CD', nullFlavor: 'NI' },
      templateIds: [STATUS_TEMPLATE],
    });
  }

  // Motif de mise à jour
  const reason = withCode(obs, C.updateReason)[0];
  if (reason) {
    const { value, text } = valueSetValue(reason.resource, JDV_MOTIF_MISE_A_JOUR, 'the reason for the update', reason.path, ctx);
    add('Motif de mise à jour', text, { concept: C.updateReason, effective: { at: reason.resource.effectiveDateTime ?? c.date }, effectivePath: `${reason.path}.effectiveDateTime`, value, source: reason.resource }, notesOf(reason.resource), 'Précision sur le motif de mise à jour');
  } else if ((c.relatesTo ?? []).some((r) => r.code === 'replaces')) {
    ctx.issues.push(warning('PPS_UPDATE_REASON', 'this PPS replaces an earlier version but gives no reason for the update (Observation TA_ASIP GEN-037, JDV_MotifMiseAJour_CISIS)', found ? `${found.path}.entry` : 'Composition.section'));
  }

  // Date de la RCP
  const rcpObs = withCode(obs, C.rcpDate)[0];
  const frcp = rcpObs ? undefined : frcpReference(ctx);
  const rcpDate = rcpObs?.resource.effectiveDateTime ?? frcp?.resource.context?.period?.start;
  const rcpPath = rcpObs ? `${rcpObs.path}.effectiveDateTime` : frcp ? `${frcp.path}.context.period.start` : 'Composition.section';
  if (!rcpDate) {
    ctx.issues.push(error('PPS_RCP_DATE', 'the PPS needs the date of the RCP: the referenced fiche RCP (DocumentReference LOINC 34794-8) with context.period.start, or an Observation TA_ASIP ORG-189 in the status section', rcpPath));
  }
  add('Date de la RCP', rcpDate ? humanDate(rcpDate) : 'Non renseignée', { concept: C.rcpDate, effective: { at: rcpDate }, effectivePath: rcpPath, value: { date: rcpDate, path: rcpPath }, source: rcpObs?.resource });

  // Date de remise au patient / consultation d'annonce
  const handed = withCode(obs, C.handedToPatient)[0];
  const encounter = ctx.header.encounter;
  const consultation = encounter?.period?.start;
  const handedOn = handed?.resource.effectiveDateTime ?? consultation;
  const handedPath = handed ? `${handed.path}.effectiveDateTime` : 'Composition.encounter.resolve().period.start';
  const performerRef = handed?.resource.performer?.[0] ?? encounter?.participant?.find((p) => p.individual)?.individual;
  const performerPath = handed?.resource.performer?.[0] ? `${handed.path}.performer[0]` : 'Composition.encounter.resolve().participant.individual';
  const performer = performerRef ? resolveActor(ctx.doc, performerRef, performerPath, ctx.issues) : undefined;
  if (!consultation) {
    ctx.issues.push(error('PPS_ANNOUNCEMENT', 'the PPS needs the announcement consultation (Composition.encounter with period.start): its date is the date the PPS is handed to the patient', 'Composition.encounter'));
  }
  const by = performer ? ` par ${placeAndPeopleLabel(undefined, undefined, [performer])}` : '';
  if (consultation) rows.push(["Date de la consultation d'annonce", humanDate(consultation)]);
  add('Date de remise du document au patient', handedOn ? `${humanDate(handedOn)}${by}` : 'Non renseignée', {
    concept: C.handedToPatient,
    effective: { at: handedOn },
    effectivePath: handedPath,
    value: { date: consultation ?? handedOn, path: 'Composition.encounter.resolve().period.start' },
    source: handed?.resource,
    performer,
  });

  warnUnused(ctx, obs, [statusObs?.resource, reason?.resource, rcpObs?.resource, handed?.resource], 'Statut du document');
  const { section, text } = openSection({ templateIds: ['1.2.250.1.213.1.1.2.35'], key: SECTION_KEYS.status, title: 'STATUT DU DOCUMENT', idPart: 'status' }, ctx);
  table(text, { rows });
  for (const w of written) {
    const id = w.source ? resourceUuid(ctx, w.source) : resourceUuid(ctx, c, w.concept.code);
    const coded = 'type' in w.value ? w.value : undefined;
    const o = simpleObservation(entry(section), { id, code: w.concept, textRef: `#${w.id}`, effective: w.effective, value: coded, templateIds: w.templateIds, path: w.effectivePath }, ctx.issues);
    if (!('type' in w.value)) dateValueEl(o, w.value.date, w.value.path, ctx.issues);
    if (w.performer) writePerformer(o, w.performer, ctx);
    if (w.commentId) commentAct(entryRelationship(o, 'SUBJ', true), { textRef: `#${w.commentId}`, path: w.effectivePath }, ctx.issues);
  }
}
