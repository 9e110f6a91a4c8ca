/**
 * Section FR-Raison-de-la-recommandation [1..1]: type of RCP (nature of the discussion, organ system and organs for
 * an organ RCP, treatment/care for a transversal RCP, recourse, paediatric) and reason (diagnostic opinion,
 * treatment proposal, recourse, paediatrics, status of the case), plus the FR-Probleme "reason" entry.
 *
 * FHIR: Observation GEN-098 (nature, components ORG-118/ORG-119/ORG-138/ORG-184/ORG-185, note = comment) and
 * Observation ORG-186 (reason, components MED-235/ORG-114/ORG-115/ORG-116 booleans, ORG-127 status, note).
 */
import { cdEl, humanDate, tsEl, type Coded, type El } from '../../datatypes.js';
import { commentAct, entryRelationship, section, simpleObservation, type Effective } from '../../entries.js';
import { componentWithCode, notesOf } from '../../fhir-find.js';
import { table, yesNo, type Cell } from '../../narrative.js';
import { CS } from '../../oids.js';
import { SECTION, TA } from '../codes.js';
import { codedIn, componentBool, observation, uuid, type FrcpContext } from '../context.js';
import { NATURE_DISCUSSION, RCP_APPAREIL, RCP_ORGANE, STATUT_CAS_PRESENTE, TRAITEMENT_SOINS } from '../value-sets.js';

const TEMPLATES = ['1.3.6.1.4.1.19376.1.5.3.1.3.1', '1.3.6.1.4.1.19376.1.5.3.1.3.2', '1.2.250.1.213.1.1.2.128'];
const PROBLEM_TEMPLATES = ['2.16.840.1.113883.10.20.1.28', '1.3.6.1.4.1.19376.1.5.3.1.4.5', '1.2.250.1.213.1.1.3.37'];

/** What the narrative needs from the type-of-RCP and reason observations. */
interface RcpType {
  nature?: Coded;
  appareil?: Coded;
  organes: Coded[];
  traitementSoins?: Coded;
  recours?: boolean;
  pediatrique?: boolean;
  comment?: string;
}

function readType(ctx: FrcpContext): RcpType & { path: string; obs?: ReturnType<typeof observation>['obs'] } {
  const { obs, path } = observation(ctx, TA.NATURE_DISCUSSION, 'the nature of the discussion (type of RCP)', true);
  if (!obs) return { organes: [], path };
  const nature = codedIn(ctx, obs, NATURE_DISCUSSION, 'nature of the discussion', path);
  const appareilComp = componentWithCode(obs, TA.APPAREIL);
  const organeComps = (obs.component ?? []).filter((c) => c.code.coding?.some((k) => k.code === TA.ORGANE.code));
  const soinsComp = componentWithCode(obs, TA.TRAITEMENT_SOINS);
  const isOrgan = nature?.code === TA.RCP_APPAREIL_ORGANES.code;
  const isTransversal = nature?.code === TA.RCP_TRANSVERSALE.code;
  const cpath = (code: string) => `${path}.component.where(code.coding.code='${code}')`;
  const appareil = appareilComp || isOrgan ? codedIn(ctx, appareilComp, RCP_APPAREIL, 'the organ system of an organ RCP', cpath(TA.APPAREIL.code)) : undefined;
  const organes = organeComps.flatMap((c, i) => {
    const coded = codedIn(ctx, c, RCP_ORGANE, 'organ', `${cpath(TA.ORGANE.code)}[${i}]`);
    return coded ? [coded] : [];
  });
  const traitementSoins = soinsComp || isTransversal ? codedIn(ctx, soinsComp, TRAITEMENT_SOINS, 'the treatment / care of a transversal RCP', cpath(TA.TRAITEMENT_SOINS.code)) : undefined;
  return {
    obs,
    path,
    nature,
    appareil,
    organes,
    traitementSoins,
    recours: componentBool(ctx, obs, TA.RCP_RECOURS, path),
    pediatrique: componentBool(ctx, obs, TA.RCP_PEDIATRIQUE, path),
    comment: notesOf(obs),
  };
}

const bl = (v: boolean | undefined) => (v === undefined ? undefined : ({ type: 'BL', value: v }) as const);

export function writeRaison(ctx: FrcpContext): void {
  const type = readType(ctx);
  const motif = observation(ctx, TA.MOTIF, 'the reason for the RCP', true);
  const m = motif.obs;
  const mpath = motif.path;
  const reasons = {
    avis: componentBool(ctx, m, TA.AVIS_DIAGNOSTIQUE, mpath),
    proposition: componentBool(ctx, m, TA.PROPOSITION_TRAITEMENT, mpath),
    recours: componentBool(ctx, m, TA.RECOURS, mpath),
    pediatrie: componentBool(ctx, m, TA.PEDIATRIE, mpath),
  };
  const statut = m ? codedIn(ctx, componentWithCode(m, TA.STATUT_CAS), STATUT_CAS_PRESENTE, 'the status of the case', `${mpath}.component.where(code.coding.code='${TA.STATUT_CAS.code}')`) : undefined;
  const motifComment = notesOf(m);
  const motifDate = m?.effectiveDateTime ?? m?.effectivePeriod?.start;

  const { section: s, text } = section(ctx.body, { templateIds: TEMPLATES, id: uuid(ctx, 'raison'), code: SECTION.RAISON, title: 'TYPE DE RCP / MOTIF DE LA RCP' });
  const id = (p: string) => ctx.ids.next(p);
  const ref = {
    nature: id('nature-discussion'),
    appareil: id('appareil'),
    organes: type.organes.map(() => id('organe')),
    soins: id('traitement-soins'),
    rcpRecours: id('rcp-recours'),
    rcpPediatrique: id('rcp-pediatrique'),
    typeComment: id('commentaire-type-rcp'),
    avis: id('avis-diagnostique'),
    proposition: id('proposition-therapeutique'),
    recours: id('recours'),
    pediatrie: id('pediatrie'),
    statut: id('statut-cas-presente'),
    motifComment: id('commentaire-motif-rcp'),
    raison: id('raison'),
  };
  const typeRows: Cell[][] = [['Nature de la discussion', { text: type.nature?.displayName ?? '', id: ref.nature }]];
  if (type.appareil) typeRows.push(['Appareil', { text: type.appareil.displayName ?? type.appareil.code, id: ref.appareil }]);
  type.organes.forEach((o, i) => typeRows.push(['Organe', { text: o.displayName ?? o.code, id: ref.organes[i]! }]));
  if (type.traitementSoins) typeRows.push(['Traitement / Soins', { text: type.traitementSoins.displayName ?? type.traitementSoins.code, id: ref.soins }]);
  typeRows.push(['RCP de recours', { text: yesNo(type.recours), id: ref.rcpRecours }], ['RCP pédiatrique', { text: yesNo(type.pediatrique), id: ref.rcpPediatrique }]);
  if (type.comment) typeRows.push(['Commentaire', { text: type.comment, id: ref.typeComment }]);
  table(text, { head: ['Type de RCP'], rows: typeRows });
  text.ele('br');
  const motifRows: Cell[][] = [
    ['Avis diagnostique', { text: yesNo(reasons.avis), id: ref.avis }],
    ['Proposition thérapeutique (dont surveillance, ajustement du traitement)', { text: yesNo(reasons.proposition), id: ref.proposition }],
    ['Recours', { text: yesNo(reasons.recours), id: ref.recours }],
    ['Pédiatrique', { text: yesNo(reasons.pediatrie), id: ref.pediatrie }],
    ['Statut du cas présenté', { text: statut?.displayName ?? '', id: ref.statut }],
  ];
  if (motifDate) motifRows.push(['Date', humanDate(motifDate)]);
  if (motifComment) motifRows.push(['Commentaire', { text: motifComment, id: ref.motifComment }]);
  table(text, { head: ['Motif de la RCP'], rows: motifRows });
  const reasonText =
    [reasons.avis && 'avis diagnostique', reasons.proposition && 'proposition thérapeutique', reasons.recours && 'recours', reasons.pediatrie && 'pédiatrie'].filter(Boolean).join(', ') ||
    'non précisée';
  text.ele('paragraph').txt('Raison de la recommandation : ').ele('content', { ID: ref.raison }).txt(reasonText);

  const at = (v: string | undefined): Effective => (v ? { period: { start: v } } : { nullFlavor: 'NAV' });
  const nature = simpleObservation(
    s.ele('entry'),
    { id: uuid(ctx, 'raison/nature'), code: TA.NATURE_DISCUSSION, textRef: `#${ref.nature}`, effective: { nullFlavor: 'NAV' }, value: type.nature ? { type: 'CD', coded: type.nature } : { type: 'CD', nullFlavor: 'NI' }, path: type.path },
    ctx.issues,
  );
  const typeObs = (code: Coded, value: Coded | undefined, textRef: string): El =>
    simpleObservation(entryRelationship(nature, 'SUBJ'), { id: uuid(ctx, `raison/${code.code}`), code, textRef: `#${textRef}`, effective: { nullFlavor: 'NAV' }, value: value ? { type: 'CD', coded: value } : { type: 'CD', nullFlavor: 'NI' }, path: type.path }, ctx.issues);
  const inner = type.traitementSoins && !type.appareil ? typeObs(TA.TRAITEMENT_SOINS, type.traitementSoins, ref.soins) : typeObs(TA.APPAREIL, type.appareil, ref.appareil);
  type.organes.forEach((o, i) =>
    simpleObservation(entryRelationship(inner, 'REFR'), { id: uuid(ctx, `raison/organe/${i}`), code: TA.ORGANE, textRef: `#${ref.organes[i]}`, effective: { nullFlavor: 'NAV' }, value: { type: 'CD', coded: o }, path: type.path }, ctx.issues),
  );
  const boolObs = (parent: El, code: Coded, v: boolean | undefined, textRef: string, eff: Effective, path: string) =>
    simpleObservation(entryRelationship(parent, 'REFR'), { id: uuid(ctx, `raison/${code.code}`), code, textRef: `#${textRef}`, effective: eff, value: bl(v) ?? { type: 'CD', nullFlavor: 'NI' }, path }, ctx.issues);
  boolObs(inner, TA.RCP_RECOURS, type.recours, ref.rcpRecours, { nullFlavor: 'NAV' }, type.path);
  boolObs(inner, TA.RCP_PEDIATRIQUE, type.pediatrique, ref.rcpPediatrique, { nullFlavor: 'NAV' }, type.path);
  if (type.comment) commentAct(entryRelationship(inner, 'SUBJ'), { textRef: `#${ref.typeComment}`, path: type.path }, ctx.issues);

  const motifObs = simpleObservation(
    entryRelationship(nature, 'SUBJ'),
    { id: uuid(ctx, 'raison/motif'), code: TA.MOTIF, textRef: `#${ref.raison}`, effective: { nullFlavor: 'NAV' }, value: { type: 'CD', nullFlavor: 'NA' }, path: mpath },
    ctx.issues,
  );
  boolObs(motifObs, TA.AVIS_DIAGNOSTIQUE, reasons.avis, ref.avis, at(motifDate), mpath);
  boolObs(motifObs, TA.PROPOSITION_TRAITEMENT, reasons.proposition, ref.proposition, at(motifDate), mpath);
  boolObs(motifObs, TA.RECOURS, reasons.recours, ref.recours, at(motifDate), mpath);
  boolObs(motifObs, TA.PEDIATRIE, reasons.pediatrie, ref.pediatrie, at(motifDate), mpath);
  simpleObservation(
    entryRelationship(motifObs, 'REFR'),
    { id: uuid(ctx, 'raison/statut-cas'), code: TA.STATUT_CAS, textRef: `#${ref.statut}`, effective: { nullFlavor: 'NA' }, value: statut ? { type: 'CD', coded: statut } : { type: 'CD', nullFlavor: 'NI' }, path: mpath },
    ctx.issues,
  );
  if (motifComment) commentAct(entryRelationship(motifObs, 'SUBJ'), { textRef: `#${ref.motifComment}`, path: mpath }, ctx.issues);

  // FR-Probleme: the reason for the recommendation as a problem whose value is the narrative text
  const problem = s.ele('entry').ele('observation', { classCode: 'OBS', moodCode: 'EVN', negationInd: 'false' });
  for (const t of PROBLEM_TEMPLATES) problem.ele('templateId', { root: t });
  problem.ele('id', { root: uuid(ctx, 'raison/probleme') });
  cdEl(problem, 'code', { code: '55607006', displayName: 'problème', codeSystem: CS.SNOMED, codeSystemName: 'SNOMED CT' });
  problem.ele('text').ele('reference', { value: `#${ref.raison}` });
  problem.ele('statusCode', { code: 'completed' });
  tsEl(problem.ele('effectiveTime'), 'low', motifDate, `${mpath}.effectiveDateTime`, ctx.issues);
  problem.ele('value', { 'xsi:type': 'CD', nullFlavor: 'NA' }).ele('originalText').ele('reference', { value: `#${ref.raison}` });
}
