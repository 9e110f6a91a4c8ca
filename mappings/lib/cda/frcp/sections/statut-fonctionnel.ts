/**
 * Section FR-Evaluation-du-statut-fonctionnel [0..1]: WHO (OMS/ECOG) performance status, in the sub-section
 * FR-Fonctions-physiques, with the mandatory (and, in the fiche RCP, empty) pain sub-section.
 * FHIR: Observation LOINC 89247-1 (ECOG) with valueCodeableConcept LOINC LA9622-7 … LA9626-8, or Observation
 * MED-239 with a JDV_OMSEchPerf_CISIS value; effectiveDateTime.
 */
import type { Observation } from '@medplum/fhirtypes';
import { error } from '../../../../../src/engine/issues.js';
import { codedOf, humanDate, type Coded } from '../../datatypes.js';
import { section, simpleObservation } from '../../entries.js';
import { observationsWithCode } from '../../fhir-find.js';
import { paragraph, table } from '../../narrative.js';
import { CS } from '../../oids.js';
import { conceptOf } from '../../value-set.js';
import { LOINC_CODES, SECTION, TA } from '../codes.js';
import { obsPath, uuid, type FrcpContext } from '../context.js';
import { OMS_ECHELLE, OMS_INTERPRETATION } from '../value-sets.js';

const TEMPLATES = ['2.16.840.1.113883.10.20.1.5', '1.3.6.1.4.1.19376.1.5.3.1.3.17', '1.3.6.1.4.1.19376.1.5.3.1.1.12.2.1', '1.2.250.1.213.1.1.2.111'];
const PAIN_TEMPLATES = ['1.3.6.1.4.1.19376.1.5.3.1.1.12.2.2', '1.2.250.1.213.1.1.2.112'];
const PAIN_ENTRY_TEMPLATES = ['1.3.6.1.4.1.19376.1.5.3.1.4.13', '1.3.6.1.4.1.19376.1.5.3.1.1.12.3.1', '1.2.250.1.213.1.1.3.89'];
const PHYSICAL_TEMPLATES = ['1.3.6.1.4.1.19376.1.5.3.1.1.12.2.5', '1.2.250.1.213.1.1.2.115'];
const OMS_ENTRY_TEMPLATES = ['1.3.6.1.4.1.19376.1.5.3.1.4.13', '2.16.840.1.113883.10.20.1.31', '1.3.6.1.4.1.19376.1.5.3.1.1.12.3.6', '1.2.250.1.213.1.1.3.25'];

/** WHO grade (0…4): JDV_OMSEchPerf code ↔ LOINC ECOG answer (JDV_OMSInterpret). */
const GRADES: [string, string][] = [
  ['MED-240', 'LA9622-7'],
  ['MED-264', 'LA9623-5'],
  ['MED-265', 'LA9624-3'],
  ['MED-266', 'LA9625-0'],
  ['MED-267', 'LA9626-8'],
];

interface Grade {
  grade: number;
  scale: Coded;
  interpretation: Coded;
  date?: string;
}

function readGrade(ctx: FrcpContext, o: Observation, path: string): Grade | undefined {
  const value = codedOf(o.valueCodeableConcept, [CS.LOINC, CS.TA_ASIP]);
  const grade = GRADES.findIndex(([med, la]) => value?.code === (value?.codeSystem === CS.LOINC ? la : med));
  if (grade < 0) {
    ctx.issues.push(error('CDA_CODE', `the WHO performance status must be one of ${GRADES.map(([m, l]) => `${l}/${m}`).join(', ')} (grades 0 to 4)`, `${path}.valueCodeableConcept`));
    return undefined;
  }
  const [med, la] = GRADES[grade]!;
  return { grade, scale: conceptOf(OMS_ECHELLE, med, CS.TA_ASIP)!, interpretation: { ...conceptOf(OMS_INTERPRETATION, la, CS.LOINC)!, codeSystemName: 'LOINC' }, date: o.effectiveDateTime ?? o.effectivePeriod?.start };
}

export function writeStatutFonctionnel(ctx: FrcpContext): void {
  const found = [...observationsWithCode(ctx.doc, LOINC_CODES.ECOG).map((o) => ({ o, path: obsPath(LOINC_CODES.ECOG) })), ...observationsWithCode(ctx.doc, TA.OMS).map((o) => ({ o, path: obsPath(TA.OMS) }))];
  const grades = found.flatMap(({ o, path }) => {
    const g = readGrade(ctx, o, path);
    return g ? [{ ...g, path }] : [];
  });
  if (!grades.length) return;
  const { section: s, text } = section(ctx.body, { templateIds: TEMPLATES, id: uuid(ctx, 'statut-fonctionnel'), code: SECTION.STATUT_FONCTIONNEL, title: 'ÉVALUATION DU STATUT FONCTIONNEL' });
  paragraph(text, 'Échelle de performance OMS (voir ci-dessous).');

  const pain = section(s, { templateIds: PAIN_TEMPLATES, id: uuid(ctx, 'statut-fonctionnel/douleur'), code: SECTION.DOULEUR });
  const painRef = ctx.ids.next('severite-douleur');
  paragraph(pain.text, "Douleur : non évaluée dans la fiche RCP.", painRef);
  const painObs = simpleObservation(pain.section.ele('entry'), { id: uuid(ctx, 'statut-fonctionnel/douleur/obs'), code: LOINC_CODES.PAIN, textRef: `#${painRef}`, effective: { nullFlavor: 'UNK' }, templateIds: PAIN_ENTRY_TEMPLATES, replaceTemplates: true, path: 'Composition' }, ctx.issues);
  painObs.ele('value', { 'xsi:type': 'CO', nullFlavor: 'UNK' });

  const physical = section(s, { templateIds: PHYSICAL_TEMPLATES, id: uuid(ctx, 'statut-fonctionnel/oms'), code: SECTION.FONCTIONS_PHYSIQUES });
  const refs = grades.map(() => ctx.ids.next('performance-oms'));
  table(physical.text, { head: ['Échelle de performance OMS'], rows: grades.map((g, i) => [humanDate(g.date) || '-', { text: `Grade ${g.grade}`, id: refs[i]! }, g.interpretation.displayName ?? '']) });
  grades.forEach((g, i) =>
    simpleObservation(
      physical.section.ele('entry'),
      { id: uuid(ctx, `statut-fonctionnel/oms/${i}`), code: TA.OMS, textRef: `#${refs[i]}`, effective: g.date ? { at: g.date } : { nullFlavor: 'UNK' }, value: { type: 'CD', coded: g.scale }, interpretationCode: g.interpretation, templateIds: OMS_ENTRY_TEMPLATES, replaceTemplates: true, negationInd: false, path: g.path },
      ctx.issues,
    ),
  );
}
