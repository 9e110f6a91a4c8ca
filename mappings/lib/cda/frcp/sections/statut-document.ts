/**
 * Section FR-Statut-du-document [1..1]: status of the fiche (JDV_StatutDoc_CISIS), its date, a comment.
 * FHIR: Observation GEN-065 (valueCodeableConcept SNOMED from the JDV, effectiveDateTime, note) when given; else
 * from Composition.status: preliminary → 385651009 "en cours d'exécution", final/amended → 398166005 "réalisé";
 * date = Composition.date.
 */
import { STATUT_DOC } from '../../cancer-value-sets.js';
import { humanDate, type Coded } from '../../datatypes.js';
import { commentAct, entryRelationship, section, simpleObservation } from '../../entries.js';
import { notesOf } from '../../fhir-find.js';
import { table, type Cell } from '../../narrative.js';
import { CS } from '../../oids.js';
import { conceptOf } from '../../value-set.js';
import { SECTION, TA } from '../codes.js';
import { codedIn, observation, uuid, type FrcpContext } from '../context.js';

const TEMPLATE = '1.2.250.1.213.1.1.2.35';
const ENTRY_TEMPLATE = '1.2.250.1.213.1.1.3.48.16';

export function writeStatutDocument(ctx: FrcpContext): void {
  const { obs, path } = observation(ctx, TA.STATUT_DOCUMENT, 'the status of the document', false);
  const composition = ctx.doc.composition;
  const fromStatus = conceptOf(STATUT_DOC, composition.status === 'preliminary' ? '385651009' : '398166005', CS.SNOMED);
  const status: Coded | undefined = obs ? codedIn(ctx, obs, STATUT_DOC, 'the status of the document', path) : fromStatus;
  const date = obs?.effectiveDateTime ?? composition.date;
  const comment = notesOf(obs);

  const { section: s, text } = section(ctx.body, { templateIds: [TEMPLATE], id: uuid(ctx, 'statut-document'), code: SECTION.STATUT_DOCUMENT, title: 'STATUT DU DOCUMENT' });
  const ids = { status: ctx.ids.next('statut-document'), comment: ctx.ids.next('commentaire-fiche-rcp') };
  const rows: Cell[][] = [
    ['Statut du document', { text: status?.displayName ?? '', id: ids.status }],
    ['Date du statut du document', humanDate(date)],
  ];
  if (comment) rows.push(['Commentaire sur la fiche RCP', { text: comment, id: ids.comment }]);
  table(text, { rows });
  const o = simpleObservation(
    s.ele('entry'),
    { id: uuid(ctx, 'statut-document/statut'), code: TA.STATUT_DOCUMENT, textRef: `#${ids.status}`, effective: { at: date }, value: status ? { type: 'CD', coded: { ...status, codeSystemName: 'SNOMED CT' } } : { type: 'CD', nullFlavor: 'NI' }, templateIds: [ENTRY_TEMPLATE], path: obs ? path : 'Composition.status' },
    ctx.issues,
  );
  if (comment) commentAct(entryRelationship(o, 'SUBJ'), { id: uuid(ctx, 'statut-document/commentaire'), textRef: `#${ids.comment}`, path }, ctx.issues);
}
