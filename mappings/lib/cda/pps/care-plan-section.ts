/**
 * The two FR-Plan-de-soins sections (LOINC 18776-5) [1..1] each:
 * - PROGRAMME THÉRAPEUTIQUE ET DE SUIVI (translation MED-566): treatments (MED-568), prevention and management of
 *   side effects (MED-569), associated measures (MED-570), follow-up (MED-571), and the end of all active treatment
 *   (FR-Simple-Observation MED-052, from an Observation of the section).
 * - SOINS ONCOLOGIQUES DE SUPPORT, ACCOMPAGNEMENT SOCIAL ET SOCIOPROFESSIONNEL (MED-567): supportive care (MED-572),
 *   social and socio-professional support (MED-573).
 * Each care step (care-steps.ts) becomes one FR-Acte with its provisional dates, rhythm / at home, side effects,
 * weight and comment, and a row of the section's table.
 */
import type { CarePlan, Observation } from '@medplum/fhirtypes';
import { error, info, warning } from '../../../../src/engine/issues.js';
import { cdEl, humanDate, ivlTsEl, nullEl, type El } from '../datatypes.js';
import { commentAct, entryRelationship, simpleObservation, type ObsValue } from '../entries.js';
import { hasCode, notesOf } from '../fhir-find.js';
import { paragraph, table, type Cell } from '../narrative.js';
import { C, type PlanSectionKind } from './codes.js';
import { readCareSteps, type CareStep } from './care-steps.js';
import { booleanValueEl, PPS_TPL, resourceUuid, templates, type PpsContext } from './context.js';
import { anyValue, booleanOf, effectiveOf } from './observations.js';
import { placeAndPeopleLabel, writePerformer, writePlace } from './performers.js';
import { entry, findSection, openSection, sectionEntries, SECTION_KEYS } from './sections.js';

const SECTION_TEMPLATES = ['2.16.840.1.113883.10.20.1.10', '1.3.6.1.4.1.19376.1.5.3.1.3.36', '1.2.250.1.213.1.1.2.158'];

const PLAN = {
  programme: { key: SECTION_KEYS.programme, title: 'PROGRAMME THÉRAPEUTIQUE ET DE SUIVI', name: 'Programme thérapeutique et de suivi', empty: 'Aucun traitement ni suivi programmé.' },
  support: {
    key: SECTION_KEYS.support,
    title: 'SOINS ONCOLOGIQUES DE SUPPORT, ACCOMPAGNEMENT SOCIAL ET SOCIOPROFESSIONNEL',
    name: 'Soins oncologiques de support, accompagnement social et socioprofessionnel',
    empty: 'Aucun soin oncologique de support ni accompagnement social ou socioprofessionnel prévu.',
  },
} as const;

/** FR-Habitus-Mode-de-vie (CCD social history, IHE PCC social history observation, CI-SIS). */
const HABIT_TEMPLATES = ['2.16.840.1.113883.10.20.1.33', '1.3.6.1.4.1.19376.1.5.3.1.4.13', '1.3.6.1.4.1.19376.1.5.3.1.4.13.4', '1.2.250.1.213.1.1.3.52'];

interface StepIds {
  label: string;
  habits: { id: string; value: ObsValue }[];
  provisional?: string;
  rhythm?: string;
  sideEffects?: string;
  weight?: string;
  comment?: string;
}

const dates = (p: { start?: string; end?: string } | undefined): string =>
  p ? [p.start ? humanDate(p.start) : '?', p.end ? humanDate(p.end) : '?'].join(' → ') : '';

function stepRows(step: CareStep, ctx: PpsContext): { rows: Cell[][]; ids: StepIds } {
  const ids: StepIds = { label: ctx.ids.next('soin'), habits: [] };
  const rhythm = [step.rhythm, step.atHome === undefined ? '' : step.atHome ? 'à domicile' : 'hors domicile'].filter(Boolean).join(', ');
  if (step.provisional) ids.provisional = ctx.ids.next('soin-previsionnel');
  if (step.rhythm || step.atHome !== undefined) ids.rhythm = ctx.ids.next('soin-rythme');
  const rows: Cell[][] = [
    [
      step.kind.label,
      { text: step.label, id: ids.label },
      step.statusLabel,
      step.confirmed ? dates(step.confirmed) : 'Non confirmées',
      { text: dates(step.provisional), id: ids.provisional },
      { text: rhythm, id: ids.rhythm },
      placeAndPeopleLabel(step.place, step.atHome, step.performers),
    ],
  ];
  const extra = (name: string, text: string, key: 'sideEffects' | 'weight' | 'comment', prefix: string): void => {
    ids[key] = ctx.ids.next(prefix);
    rows.push([name, { text, id: ids[key], colspan: 6 }]);
  };
  if (step.sideEffects) extra('Effets secondaires notables', step.sideEffects.text, 'sideEffects', 'soin-effets');
  if (step.weight) extra('Poids', `${step.weight.value} ${step.weight.unit}${step.weight.date ? ` (${humanDate(step.weight.date)})` : ''}`, 'weight', 'soin-poids');
  for (const h of step.habits) {
    const id = ctx.ids.next('soin-habitus');
    const { value, text } = anyValue(h.observation, id);
    const date = h.observation.effectiveDateTime;
    rows.push([h.concept.displayName ?? h.concept.code, { text: `${text}${date ? ` (${humanDate(date)})` : ''}`, id, colspan: 6 }]);
    ids.habits.push({ id, value });
  }
  if (step.notes.length) extra('Commentaire', step.notes.join('\n'), 'comment', 'soin-commentaire');
  return { rows, ids };
}

function writeStep(section: El, step: CareStep, ids: StepIds, ctx: PpsContext): void {
  const p = entry(section).ele('procedure', { classCode: 'PROC', moodCode: step.done ? 'EVN' : 'INT', negationInd: 'false' });
  templates(p, [PPS_TPL.procedure.pcc, step.done ? PPS_TPL.procedure.done : PPS_TPL.procedure.planned, PPS_TPL.procedure.cisis]);
  p.ele('id', { root: resourceUuid(ctx, step.carePlan, step.path) });
  const code = cdEl(p, 'code', step.kind.code);
  cdEl(code.ele('qualifier'), 'value', step.concept);
  p.ele('text').ele('reference', { value: `#${ids.label}` });
  p.ele('statusCode', { code: step.status });
  if (step.confirmed) ivlTsEl(p, 'effectiveTime', step.confirmed, step.confirmedPath, ctx.issues);
  else nullEl(p, 'effectiveTime', 'UNK');
  for (const actor of step.performers) writePerformer(p, actor, ctx);
  if (step.place) writePlace(p, step.place, `${step.path}.detail.location.resolve()`, ctx);
  const part = (key: string) => ({ id: resourceUuid(ctx, step.carePlan, `${step.path}#${key}`), path: step.path });
  if (ids.provisional) {
    simpleObservation(entryRelationship(p, 'COMP', false), { ...part('provisional'), code: C.provisionalDates, textRef: `#${ids.provisional}`, effective: { period: step.provisional }, value: { type: 'CD', nullFlavor: 'NA' }, path: step.provisionalPath }, ctx.issues);
  }
  if (ids.rhythm) {
    const o = simpleObservation(entryRelationship(p, 'COMP', false), { ...part('rhythm'), code: C.rhythm, textRef: `#${ids.rhythm}`, effective: { nullFlavor: 'NA' } }, ctx.issues);
    booleanValueEl(o, step.atHome);
  }
  if (ids.sideEffects && step.sideEffects) {
    simpleObservation(
      entryRelationship(p, 'COMP', false),
      { id: resourceUuid(ctx, step.sideEffects.observation), code: C.sideEffects, textRef: `#${ids.sideEffects}`, effective: { nullFlavor: 'NA' }, value: { type: 'CD', nullFlavor: 'OTH', originalTextRef: `#${ids.sideEffects}` }, path: step.path },
      ctx.issues,
    );
  }
  if (ids.comment) commentAct(entryRelationship(p, 'SUBJ', true), { textRef: `#${ids.comment}`, path: `${step.path}.progress` }, ctx.issues);
  if (ids.weight && step.weight) {
    const w = step.weight;
    const o = simpleObservation(entryRelationship(p, 'RSON', false), { id: resourceUuid(ctx, w.observation), code: C.bodyWeight, textRef: `#${ids.weight}`, effective: { at: w.date }, templateIds: [...PPS_TPL.vitalSign], path: w.path }, ctx.issues);
    o.ele('value', { 'xsi:type': 'PQ', value: String(w.value), unit: w.unit });
  }
  step.habits.forEach((h, i) => {
    const { id, value } = ids.habits[i]!;
    simpleObservation(
      entryRelationship(p, 'RSON', false),
      { id: resourceUuid(ctx, h.observation), code: h.concept, textRef: `#${id}`, effective: effectiveOf(h.observation), value, templateIds: HABIT_TEMPLATES, replaceTemplates: true, path: h.path },
      ctx.issues,
    );
  });
}

type SectionEntry = { resource: CarePlan | Observation; path: string };

function writeTreatmentsStopped(section: El, text: El, all: SectionEntry[], ctx: PpsContext): void {
  const stop = all.find((e): e is { resource: Observation; path: string } => e.resource.resourceType === 'Observation' && hasCode(e.resource.code, C.treatmentsStopped));
  if (!stop) return;
  const id = ctx.ids.next('arret-traitements');
  const answer = booleanOf(stop.resource, 'the end of all active treatment (MED-052)', stop.path, ctx);
  const when = stop.resource.effectiveDateTime && answer.value ? ` le ${humanDate(stop.resource.effectiveDateTime)}` : '';
  const note = notesOf(stop.resource);
  table(text, { head: ["Situation d'arrêt des traitements"], rows: [['Arrêt de tous les traitements actifs', { text: `${answer.text}${when}${note ? ` — ${note}` : ''}`, id }]] });
  const o = simpleObservation(entry(section), { id: resourceUuid(ctx, stop.resource), code: C.treatmentsStopped, textRef: `#${id}`, effective: effectiveOf(stop.resource), path: stop.path }, ctx.issues);
  booleanValueEl(o, answer.value);
}

/** Writes one of the two plan sections. */
export function writePlanSection(kind: PlanSectionKind, ctx: PpsContext): void {
  const plan = PLAN[kind];
  const found = findSection(ctx, plan.key, plan.name);
  const all = sectionEntries(ctx, found, ['CarePlan', 'Observation']);
  const plans = all.filter((e): e is { resource: CarePlan; path: string } => e.resource.resourceType === 'CarePlan');
  for (const e of all) {
    if (e.resource.resourceType === 'Observation' && !(kind === 'programme' && hasCode(e.resource.code, C.treatmentsStopped))) {
      ctx.issues.push(warning('PPS_ENTRY_NOT_WRITTEN', `this Observation is not part of the "${plan.name}" section model (only the end of all treatment, TA_ASIP MED-052, in the programme)`, e.path));
    }
  }
  if (!found && kind === 'programme') {
    ctx.issues.push(error('PPS_SECTION_MISSING', `the PPS needs its "${plan.name}" section: a Composition section coded LOINC 18776-5 with the TA_ASIP translation ${plan.key.translation.code}, whose entries are CarePlans`, 'Composition.section'));
  } else if (!found) {
    ctx.issues.push(info('PPS_SECTION_EMPTY', `no "${plan.name}" section (LOINC 18776-5 + TA_ASIP ${plan.key.translation.code}): the section says that none is planned`, 'Composition.section'));
  }
  const steps = readCareSteps(plans, kind, ctx);
  if (kind === 'programme' && found && !steps.length) {
    ctx.issues.push(error('PPS_PROGRAMME_EMPTY', 'the therapeutic programme needs at least one care step (CarePlan.activity coded in JDV_TypeTraitementPPS, JDV_GestionEffetsSecondaires, JDV_MesuresAssociees or JDV_TypeDeSuivi)', `${found.path}.entry`));
  }
  const { section, text } = openSection({ templateIds: SECTION_TEMPLATES, key: plan.key, title: plan.title, idPart: kind }, ctx);
  const written = steps.map((s) => ({ step: s, ...stepRows(s, ctx) }));
  if (written.length) {
    table(text, { head: [['Catégorie', 'Soin / traitement', 'Statut', 'Dates confirmées', 'Dates prévisionnelles', 'Rythme', 'Lieu et intervenants']], rows: written.flatMap((w) => w.rows) });
  } else paragraph(text, plan.empty);
  for (const { resource: plan } of plans) {
    // what the plan says about itself has no entry in the volet: it stays in the narrative
    const about = [plan.title, plan.description, notesOf(plan)].filter(Boolean).join('\n');
    if (about) paragraph(text, about);
  }
  if (kind === 'programme') writeTreatmentsStopped(section, text, all, ctx);
  for (const w of written) writeStep(section, w.step, w.ids, ctx);
}
