/**
 * Section FR-Documents-references (LOINC 55107-7) [1..1] with one FR-References-externes entry holding a
 * `reference typeCode="REFR"` per document [1..*]: the DocumentReferences of the Composition section (fiche RCP,
 * CR-GM, earlier PPS…), identified by masterIdentifier (else identifier[0]), plus the version this document replaces
 * (Composition.relatesTo code `replaces`) when it is not already listed.
 *
 * The date of the RCP (statut section) is read from the fiche RCP listed here: a DocumentReference typed LOINC
 * 34794-8 whose context.period.start is the date of the meeting.
 */
import type { DocumentReference } from '@medplum/fhirtypes';
import { error } from '../../../../src/engine/issues.js';
import { cdEl, codedOf, humanDate, iiEl, iiOf, nullEl, type II } from '../datatypes.js';
import { CS, oidOfSystem } from '../oids.js';
import { table } from '../narrative.js';
import { resourceUuid, templates, type PpsContext } from './context.js';
import { entry, findSection, openSection, sectionEntries, SECTION_KEYS } from './sections.js';

/** LOINC type of the fiche RCP (CI-SIS CANCER-FRCP). */
export const FRCP_TYPE = '34794-8';

interface Referenced {
  id: II;
  typeLabel: string;
  description?: string;
  date?: string;
  type?: ReturnType<typeof codedOf>;
}

export const referencedDocuments = (ctx: PpsContext): { resource: DocumentReference; path: string }[] =>
  sectionEntries(ctx, findSection(ctx, SECTION_KEYS.references, 'Documents référencés'), ['DocumentReference']);

/** The fiche RCP among the referenced documents (its context period is the RCP meeting). */
export function frcpReference(ctx: PpsContext): { resource: DocumentReference; path: string } | undefined {
  return referencedDocuments(ctx).find(({ resource }) => resource.type?.coding?.some((c) => c.code === FRCP_TYPE && oidOfSystem(c.system) === CS.LOINC));
}

const sameId = (a: II, b: II): boolean => a.root === b.root && (a.extension ?? '') === (b.extension ?? '');

export function writeReferencesSection(ctx: PpsContext): void {
  const found = findSection(ctx, SECTION_KEYS.references, 'Documents référencés');
  const list: Referenced[] = [];
  for (const { resource: d, path } of sectionEntries(ctx, found, ['DocumentReference'])) {
    const source = d.masterIdentifier ?? d.identifier?.[0];
    const id = iiOf(source, d.masterIdentifier ? `${path}.masterIdentifier` : `${path}.identifier[0]`, ctx.issues);
    if (!source) ctx.issues.push(error('PPS_REFERENCE_ID', 'a referenced document needs its CDA id (DocumentReference.masterIdentifier)', `${path}.masterIdentifier`));
    if (!id) continue;
    const type = codedOf(d.type);
    list.push({ id, type, typeLabel: d.type?.text ?? type?.displayName ?? 'Document', description: d.description, date: d.context?.period?.start ?? d.date });
  }
  const replaces = (ctx.doc.composition.relatesTo ?? []).find((r) => r.code === 'replaces');
  const parentId = replaces ? iiOf(replaces.targetIdentifier ?? replaces.targetReference?.identifier, 'Composition.relatesTo.targetIdentifier', []) : undefined;
  if (parentId && !list.some((r) => sameId(r.id, parentId))) list.push({ id: parentId, typeLabel: 'Version précédente de ce PPS' });
  if (!list.length) {
    ctx.issues.push(
      error('PPS_REFERENCES_MISSING', 'the PPS must reference at least one document (the fiche RCP): a Composition section coded LOINC 55107-7 with DocumentReference entries', found ? `${found.path}.entry` : 'Composition.section'),
    );
  }
  const { section, text } = openSection({ templateIds: ['1.2.250.1.213.1.1.2.55'], key: SECTION_KEYS.references, title: 'DOCUMENTS RÉFÉRENCÉS', idPart: 'references' }, ctx);
  const tableId = ctx.ids.next('documents-references');
  const ids = list.map(() => ctx.ids.next('document-reference'));
  table(text, {
    head: [['Document', 'Identifiant', 'Date']],
    rows: list.map((r, i) => [r.typeLabel, { text: `${r.description ? `${r.description} — ` : ''}n° ${r.id.extension ?? r.id.root}${r.id.extension ? ` (${r.id.root})` : ''}`, id: ids[i] }, r.date ? humanDate(r.date) : '']),
    empty: 'Aucun document référencé',
  }).att('ID', tableId);
  if (!list.length) return;
  const act = entry(section).ele('act', { classCode: 'ACT', moodCode: 'EVN' });
  templates(act, ['1.3.6.1.4.1.19376.1.5.3.1.4.4', '1.2.250.1.213.1.1.3.35']);
  act.ele('id', { root: resourceUuid(ctx, ctx.doc.composition, 'references') });
  nullEl(act, 'code', 'NA');
  act.ele('text').ele('reference', { value: `#${tableId}` });
  list.forEach((r, i) => {
    const doc = act.ele('reference', { typeCode: 'REFR' }).ele('externalDocument', { classCode: 'DOC', moodCode: 'EVN' });
    iiEl(doc, r.id);
    if (r.type) cdEl(doc, 'code', r.type);
    doc.ele('text').ele('reference', { value: `#${ids[i]!}` });
  });
}
