/**
 * Section FR-Note-de-progression [1..1]: phase of the cancer (initial or relapse, with its date) and progression
 * (local, regional, distant), with a comment on the phase.
 * FHIR: Observation MED-243 (valueCodeableConcept from JDV_PhaseCancer_CISIS, effectiveDateTime = date of the
 * observation or of the relapse, note = comment); Observation MED-245 (valueBoolean, components MED-246/247/248
 * booleans, required when progression is true).
 */
import { PHASE_CANCER } from '../../cancer-value-sets.js';
import { humanDate } from '../../datatypes.js';
import { commentAct, entryRelationship, section, simpleObservation } from '../../entries.js';
import { notesOf } from '../../fhir-find.js';
import { table, yesNo, type Cell } from '../../narrative.js';
import { SECTION, TA } from '../codes.js';
import { codedIn, componentBool, observation, required, uuid, type FrcpContext } from '../context.js';

const TEMPLATES = ['1.3.6.1.4.1.19376.1.5.3.1.1.13.2.7', '1.2.250.1.213.1.1.2.25'];

export function writeProgression(ctx: FrcpContext): void {
  const phaseObs = observation(ctx, TA.PHASE, 'the phase of the cancer', true);
  const phase = phaseObs.obs ? codedIn(ctx, phaseObs.obs, PHASE_CANCER, 'the phase of the cancer', phaseObs.path) : undefined;
  const phaseDate = phaseObs.obs?.effectiveDateTime ?? phaseObs.obs?.effectivePeriod?.start;
  const phaseComment = notesOf(phaseObs.obs);
  const progObs = observation(ctx, TA.PROGRESSION, 'the progression of the cancer', true);
  const progression = progObs.obs?.valueBoolean;
  if (progObs.obs && typeof progression !== 'boolean') required(ctx, 'valueBoolean on the progression observation (MED-245)', `${progObs.path}.valueBoolean`);
  const progDate = progObs.obs?.effectiveDateTime ?? progObs.obs?.effectivePeriod?.start;
  const parts = [
    { code: TA.PROGRESSION_LOCALE, label: 'Locale' },
    { code: TA.PROGRESSION_REGIONALE, label: 'Régionale' },
    { code: TA.PROGRESSION_DISTANCE, label: 'A distance' },
  ].map((p) => ({ ...p, value: componentBool(ctx, progObs.obs, p.code, progObs.path, progression !== true) }));

  const { section: s, text } = section(ctx.body, { templateIds: TEMPLATES, id: uuid(ctx, 'progression'), code: SECTION.NOTE_PROGRESSION, title: 'PHASE CLINIQUE DE LA MALADIE' });
  const ref = { phase: ctx.ids.next('phase'), comment: ctx.ids.next('commentaire-phase'), progression: ctx.ids.next('progression'), parts: parts.map(() => ctx.ids.next('progression')) };
  const rows: Cell[][] = [
    ['Phase', { text: phase?.displayName ?? '', id: ref.phase }, phaseDate ? humanDate(phaseDate) : '-'],
    ['Progression', { text: yesNo(progression), id: ref.progression }, progDate ? humanDate(progDate) : '-'],
  ];
  parts.forEach((p, i) => {
    if (p.value !== undefined) rows.push([`Progression ${p.label.toLowerCase()}`, { text: yesNo(p.value), id: ref.parts[i]! }, '']);
  });
  if (phaseComment) rows.push(['Commentaires / Précisions', { text: phaseComment, id: ref.comment, colspan: 2 }]);
  table(text, { head: ['Phase et progression du cancer'], rows });

  const phaseEntry = simpleObservation(
    s.ele('entry'),
    { id: uuid(ctx, 'progression/phase'), code: TA.PHASE, textRef: `#${ref.phase}`, effective: phaseDate ? { at: phaseDate } : { nullFlavor: 'UNK' }, value: phase ? { type: 'CD', coded: phase } : { type: 'CD', nullFlavor: 'NI' }, negationInd: false, path: phaseObs.path },
    ctx.issues,
  );
  if (phaseComment) commentAct(entryRelationship(phaseEntry, 'SUBJ', true), { textRef: `#${ref.comment}`, date: phaseDate, path: phaseObs.path }, ctx.issues);
  const progEntry = simpleObservation(
    s.ele('entry'),
    {
      id: uuid(ctx, 'progression/progression'),
      code: TA.PROGRESSION,
      textRef: `#${ref.progression}`,
      effective: progDate ? { at: progDate } : { nullFlavor: 'UNK' },
      value: typeof progression === 'boolean' ? { type: 'BL', value: progression } : { type: 'CD', nullFlavor: 'NI' },
      negationInd: false,
      path: progObs.path,
    },
    ctx.issues,
  );
  parts.forEach((p, i) => {
    if (p.value === undefined) return;
    simpleObservation(entryRelationship(progEntry, 'COMP'), { id: uuid(ctx, `progression/${p.code.code}`), code: p.code, textRef: `#${ref.parts[i]}`, effective: { nullFlavor: 'NAV' }, value: { type: 'BL', value: p.value }, path: progObs.path }, ctx.issues);
  });
}
