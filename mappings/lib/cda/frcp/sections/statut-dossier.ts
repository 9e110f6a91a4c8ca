/**
 * Section FR-Statut-dossier-RCP [1..1]: whether the file presented was complete, whether the quorum was reached,
 * and a comment. FHIR: Observation GEN-099 "Information RCP" with components GEN-100 (valueBoolean) and ORG-125
 * (valueCodeableConcept from JDV_StatutQuorum_CISIS); note = comment.
 */
import { commentAct, section, simpleObservation } from '../../entries.js';
import { componentWithCode, notesOf } from '../../fhir-find.js';
import { table, yesNo, type Cell } from '../../narrative.js';
import { SECTION, TA } from '../codes.js';
import { codedIn, componentBool, observation, uuid, type FrcpContext } from '../context.js';
import { STATUT_QUORUM } from '../value-sets.js';

const TEMPLATE = '1.2.250.1.213.1.1.2.33';
const ORGANIZER_TEMPLATE = '1.2.250.1.213.1.1.3.7';

export function writeStatutDossier(ctx: FrcpContext): void {
  const { obs, path } = observation(ctx, TA.INFORMATION_RCP, 'the status of the file presented to the RCP (complete file, quorum)', true);
  const complete = componentBool(ctx, obs, TA.DOSSIER_COMPLET, path);
  const quorum = obs ? codedIn(ctx, componentWithCode(obs, TA.QUORUM), STATUT_QUORUM, 'the quorum status', `${path}.component.where(code.coding.code='${TA.QUORUM.code}')`) : undefined;
  const comment = notesOf(obs);

  const { section: s, text } = section(ctx.body, { templateIds: [TEMPLATE], id: uuid(ctx, 'statut-dossier'), code: SECTION.STATUT_DOSSIER, title: 'STATUT DU DOSSIER PRÉSENTÉ À LA RCP' });
  const ref = { complete: ctx.ids.next('dossier-complet'), quorum: ctx.ids.next('quorum'), comment: ctx.ids.next('commentaire-dossier') };
  const rows: Cell[][] = [
    ['Dossier complet', { text: yesNo(complete), id: ref.complete }],
    ['Quorum', { text: quorum?.displayName ?? '', id: ref.quorum }],
  ];
  if (comment) rows.push(['Commentaire', { text: comment, id: ref.comment }]);
  table(text, { head: ['Statut du dossier présenté à la RCP'], rows });

  const organizer = s.ele('entry').ele('organizer', { classCode: 'CLUSTER', moodCode: 'EVN' });
  organizer.ele('templateId', { root: ORGANIZER_TEMPLATE });
  organizer.ele('code', { code: TA.INFORMATION_RCP.code, displayName: TA.INFORMATION_RCP.displayName!, codeSystem: TA.INFORMATION_RCP.codeSystem, codeSystemName: 'TA_ASIP' });
  organizer.ele('statusCode', { code: 'completed' });
  simpleObservation(
    organizer.ele('component'),
    { id: uuid(ctx, 'statut-dossier/complet'), code: TA.DOSSIER_COMPLET, textRef: `#${ref.complete}`, effective: { nullFlavor: 'NA' }, value: typeof complete === 'boolean' ? { type: 'BL', value: complete } : { type: 'CD', nullFlavor: 'NI' }, path },
    ctx.issues,
  );
  simpleObservation(
    organizer.ele('component'),
    { id: uuid(ctx, 'statut-dossier/quorum'), code: TA.QUORUM, textRef: `#${ref.quorum}`, effective: { nullFlavor: 'NA' }, value: quorum ? { type: 'CD', coded: quorum } : { type: 'CD', nullFlavor: 'NI' }, path },
    ctx.issues,
  );
  if (comment) commentAct(organizer.ele('component', { typeCode: 'COMP' }), { textRef: `#${ref.comment}`, path }, ctx.issues);
}
