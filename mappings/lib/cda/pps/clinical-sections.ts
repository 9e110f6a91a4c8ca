/**
 * The short clinical sections of the PPS, each from the Observations listed in its Composition section:
 * - PÉDIATRIE (FR-Raison-de-la-recommandation, LOINC 42349-1) [0..1]: Observation TA_ASIP ORG-116 (valueBoolean).
 * - MODE DE DÉCOUVERTE DU CANCER (FR-Resultats-evenements, LOINC 42545-4) [1..1]: Observations [1..*], e.g. LOINC
 *   63921-1 "Dépistage du cancer" (valueBoolean, effectiveDateTime).
 * - PHASE CLINIQUE DE LA MALADIE (FR-Note-de-progression, LOINC 18733-6) [0..1]: Observation MED-243 (phase,
 *   JDV_PhaseCancer_CISIS) and Observation MED-245 (progression, valueBoolean) with components MED-246/247/248.
 * Observation.note → FR-Commentaire-ER.
 */
import type { Observation } from '@medplum/fhirtypes';
import { error } from '../../../../src/engine/issues.js';
import { PHASE_CANCER } from '../cancer-value-sets.js';
import { cdEl, codedOf, humanDate, type Coded } from '../datatypes.js';
import { commentAct, entryRelationship, simpleObservation, type ObsValue } from '../entries.js';
import { hasCode, notesOf } from '../fhir-find.js';
import { paragraph, table, type Cell } from '../narrative.js';
import { C } from './codes.js';
import { PPS_TPL, booleanValueEl, resourceUuid, templates, type PpsContext } from './context.js';
import { anyValue, booleanOf, effectiveOf, observationDate, valueSetValue, withCode } from './observations.js';
import { entry, findSection, openSection, sectionEntries, SECTION_KEYS, warnUnused } from './sections.js';

export function writePediatricsSection(ctx: PpsContext): void {
  const found = findSection(ctx, SECTION_KEYS.pediatrics, 'Pédiatrie');
  if (!found) return;
  const all = sectionEntries(ctx, found, ['Observation']);
  const first = withCode(all, C.pediatrics)[0];
  warnUnused(ctx, all, [first?.resource], 'Pédiatrie');
  if (!first) {
    ctx.issues.push(error('PPS_PEDIATRICS', 'the pediatrics section needs an Observation coded TA_ASIP ORG-116 (valueBoolean)', `${found.path}.entry`));
    return;
  }
  const { section, text } = openSection({ templateIds: ['1.2.250.1.213.1.1.2.128', '1.3.6.1.4.1.19376.1.5.3.1.3.2', '1.3.6.1.4.1.19376.1.5.3.1.3.1'], key: SECTION_KEYS.pediatrics, title: 'PÉDIATRIE', idPart: 'pediatrics' }, ctx);
  const valueId = ctx.ids.next('pediatrie');
  const { value, text: answer } = booleanOf(first.resource, 'the pediatrics observation', first.path, ctx);
  const note = notesOf(first.resource);
  const commentId = note ? ctx.ids.next('commentaire-pediatrie') : undefined;
  paragraph(text, `Pédiatrie : ${answer}`, valueId);
  if (note) paragraph(text, note, commentId);
  const o = simpleObservation(entry(section), { id: resourceUuid(ctx, first.resource), code: C.pediatrics, textRef: `#${valueId}`, effective: effectiveOf(first.resource, 'NI'), path: first.path }, ctx.issues);
  booleanValueEl(o, value);
  if (commentId) commentAct(entryRelationship(o, 'SUBJ', true), { textRef: `#${commentId}`, path: first.path }, ctx.issues);
  // The FR-Raison-de-la-recommandation section holds the "raison de la recommandation" problem entry.
  const p = entry(section).ele('observation', { classCode: 'OBS', moodCode: 'EVN' });
  templates(p, PPS_TPL.problem);
  p.ele('id', { root: resourceUuid(ctx, first.resource, 'reason') });
  cdEl(p, 'code', C.problem);
  p.ele('text').ele('reference', { value: `#${valueId}` });
  p.ele('statusCode', { code: 'completed' });
  p.ele('effectiveTime').ele('low', { nullFlavor: 'UNK' });
  cdEl(p, 'value', { ...C.recommendationReason, originalTextRef: `#${valueId}` }, { 'xsi:type': 'CD' });
}

export function writeDiscoverySection(ctx: PpsContext): void {
  const found = findSection(ctx, SECTION_KEYS.discovery, 'Mode de découverte du cancer');
  const obs = sectionEntries(ctx, found, ['Observation']);
  if (!obs.length) {
    ctx.issues.push(
      error(
        'PPS_DISCOVERY_MISSING',
        'the PPS needs the mode of discovery of the cancer: a Composition section coded LOINC 42545-4 with at least one Observation (e.g. LOINC 63921-1 "Dépistage du cancer", valueBoolean)',
        found ? `${found.path}.entry` : 'Composition.section',
      ),
    );
  }
  const { section, text } = openSection({ templateIds: ['1.3.6.1.4.1.19376.1.5.3.1.1.21.2.9', '1.3.6.1.4.1.19376.1.7.3.1.1.13.7', '1.2.250.1.213.1.1.2.163'], key: SECTION_KEYS.discovery, title: 'MODE DE DÉCOUVERTE DU CANCER', idPart: 'discovery' }, ctx);
  const rows: Cell[][] = [];
  const written: { o: Observation; path: string; id: string; commentId?: string; code: Coded; value: ObsValue }[] = [];
  for (const { resource: o, path } of obs) {
    const c = codedOf(o.code);
    if (!c) {
      ctx.issues.push(error('PPS_CODE', 'the observation needs a code in a system with an OID (e.g. LOINC 63921-1)', `${path}.code`));
      continue;
    }
    const id = ctx.ids.next('decouverte');
    const screening = hasCode(o.code, C.screening);
    const answer = screening ? booleanOf(o, 'the screening observation (63921-1)', path, ctx) : undefined;
    const { value, text: shown } = answer ? { value: answer.value === undefined ? ({ type: 'CD', nullFlavor: 'UNK' } as ObsValue) : ({ type: 'BL', value: answer.value } as ObsValue), text: answer.text } : anyValue(o, id);
    const name = screening ? 'Patient issu du dépistage' : (o.code.text ?? c.displayName ?? c.code);
    const note = notesOf(o);
    const commentId = note ? ctx.ids.next('commentaire-decouverte') : undefined;
    const date = observationDate(o);
    rows.push([name, { text: shown, id }, date ? humanDate(date) : '']);
    if (note) rows.push(['Commentaire', { text: note, id: commentId, colspan: 2 }]);
    written.push({ o, path, id, commentId, code: { ...c, displayName: c.displayName ?? name }, value });
  }
  table(text, { head: ['Mode de découverte du cancer'], rows, empty: 'Mode de découverte non renseigné' });
  for (const w of written) {
    const e = simpleObservation(entry(section), { id: resourceUuid(ctx, w.o), code: w.code, textRef: `#${w.id}`, effective: effectiveOf(w.o), value: w.value, path: w.path }, ctx.issues);
    if (w.commentId) commentAct(entryRelationship(e, 'SUBJ', true), { textRef: `#${w.commentId}`, path: w.path }, ctx.issues);
  }
}

const PROGRESSION_PARTS: { concept: Coded; label: string }[] = [
  { concept: C.localProgression, label: 'locale' },
  { concept: C.regionalProgression, label: 'régionale' },
  { concept: C.distantProgression, label: 'à distance' },
];

export function writePhaseSection(ctx: PpsContext): void {
  const found = findSection(ctx, SECTION_KEYS.phase, 'Phase clinique de la maladie');
  if (!found) return;
  const all = sectionEntries(ctx, found, ['Observation']);
  const phase = withCode(all, C.cancerPhase)[0];
  const progression = withCode(all, C.progression)[0];
  if (!phase) ctx.issues.push(error('PPS_PHASE_MISSING', 'the phase section needs the phase of the cancer: an Observation coded TA_ASIP MED-243 (JDV_PhaseCancer_CISIS)', `${found.path}.entry`));
  warnUnused(ctx, all, [phase?.resource, progression?.resource], 'Phase clinique de la maladie');
  if (!progression) ctx.issues.push(error('PPS_PROGRESSION_MISSING', 'the phase section needs the progression of the cancer: an Observation coded TA_ASIP MED-245 (valueBoolean, components MED-246/247/248)', `${found.path}.entry`));
  const { section, text } = openSection({ templateIds: ['1.3.6.1.4.1.19376.1.5.3.1.1.13.2.7', '1.2.250.1.213.1.1.2.25'], key: SECTION_KEYS.phase, title: 'PHASE CLINIQUE DE LA MALADIE', idPart: 'phase' }, ctx);
  const rows: Cell[][] = [];
  if (phase) {
    const id = ctx.ids.next('phase');
    const { value, text: shown } = valueSetValue(phase.resource, PHASE_CANCER, 'the phase of the cancer', phase.path, ctx);
    const date = observationDate(phase.resource);
    rows.push(['Phase', { text: shown, id }, date ? humanDate(date) : '']);
    const note = notesOf(phase.resource);
    const commentId = note ? ctx.ids.next('commentaire-phase') : undefined;
    if (note) rows.push(['Commentaire / Précisions', { text: note, id: commentId, colspan: 2 }]);
    const withText: ObsValue = value.type === 'CD' && 'coded' in value ? { type: 'CD', coded: { ...value.coded, originalTextRef: `#${id}` } } : value;
    const o = simpleObservation(entry(section), { id: resourceUuid(ctx, phase.resource), code: C.cancerPhase, textRef: `#${id}`, effective: effectiveOf(phase.resource), value: withText, negationInd: false, path: phase.path }, ctx.issues);
    if (commentId) commentAct(entryRelationship(o, 'SUBJ', true), { textRef: `#${commentId}`, date: phase.resource.effectiveDateTime, path: phase.path }, ctx.issues);
  }
  if (progression) {
    const p = progression.resource;
    const id = ctx.ids.next('progression');
    const answer = booleanOf(p, 'the progression of the cancer', progression.path, ctx);
    const date = observationDate(p);
    rows.push(['Progression', { text: answer.text, id }, date ? humanDate(date) : '']);
    const effective = effectiveOf(p);
    const o = simpleObservation(entry(section), { id: resourceUuid(ctx, p), code: C.progression, textRef: `#${id}`, effective, negationInd: false, path: progression.path }, ctx.issues);
    booleanValueEl(o, answer.value);
    PROGRESSION_PARTS.forEach((part) => {
      const k = (p.component ?? []).findIndex((c) => hasCode(c.code, part.concept));
      if (k < 0) {
        if (p.valueBoolean === true) {
          ctx.issues.push(error('PPS_PROGRESSION_DETAIL', `a progressing cancer needs its ${part.label} progression (component ${part.concept.code}, valueBoolean)`, `${progression.path}.component`));
        }
        return;
      }
      const partId = ctx.ids.next('progression-detail');
      const v = booleanOf(p.component![k]!, `the ${part.concept.displayName}`, `${progression.path}.component[${k}]`, ctx);
      rows.push([`Progression ${part.label}`, { text: v.text, id: partId, colspan: 2 }]);
      const c = simpleObservation(entryRelationship(o, 'COMP'), { id: resourceUuid(ctx, p, part.concept.code), code: part.concept, textRef: `#${partId}`, effective, path: `${progression.path}.component[${k}]` }, ctx.issues);
      booleanValueEl(c, v.value);
    });
  }
  if (rows.length) table(text, { head: ['Phase et progression du cancer'], rows });
  else paragraph(text, 'Phase non renseignée.');
}
