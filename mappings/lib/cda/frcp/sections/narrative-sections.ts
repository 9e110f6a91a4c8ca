/**
 * The fiche RCP sections that are narrative only ("non codé"): medical history (FR-Antecedents-medicaux-non-code),
 * comorbidities (FR-Problemes-actifs-non-code), paraclinical results (FR-Resultats-examens-non-code), case synthesis
 * and question to the RCP (FR-Histoire-de-la-maladie-non-code, mandatory), comment on the patient
 * (FR-Commentaire-non-code).
 *
 * FHIR: the Composition.section with the same LOINC code. Its entries give table rows (Condition: onset + label;
 * Observation: date + label + value; DiagnosticReport: date + label + conclusion; Procedure: date + label); its
 * text (XHTML, as plain text) and its sub-sections (title + text) give paragraphs/tables.
 */
import type { CompositionSection, Resource } from '@medplum/fhirtypes';
import { warning } from '../../../../../src/engine/issues.js';
import { humanDate, type Coded } from '../../datatypes.js';
import { section } from '../../entries.js';
import { labelOf, sectionEntries, sectionWithCode } from '../../fhir-find.js';
import { table, xhtmlToText, type Cell } from '../../narrative.js';
import { SECTION } from '../codes.js';
import { required, uuid, type FrcpContext } from '../context.js';

interface NarrativeSectionSpec {
  key: string;
  code: Coded;
  templateIds: string[];
  title?: string;
  /** Title of the table of entries. */
  head: string;
  /** Title of the free-text part. */
  textHead: string;
  mandatory?: boolean;
  what: string;
}

export const NARRATIVE_SECTIONS = {
  antecedents: { key: 'antecedents', code: SECTION.ANTECEDENTS, templateIds: ['1.2.250.1.213.1.1.2.2'], title: 'ANTÉCÉDENTS MÉDICAUX', head: "Antécédents médicaux (ceux notables pour l'avis)", textHead: 'Précisions', what: 'medical history' },
  problemes: { key: 'problemes-actifs', code: SECTION.PROBLEMES_ACTIFS, templateIds: ['1.2.250.1.213.1.1.2.176'], title: 'COMORBIDITÉS', head: 'Comorbidités', textHead: 'Précisions', what: 'comorbidities' },
  examens: {
    key: 'resultats-examens',
    code: SECTION.RESULTATS_EXAMENS,
    templateIds: ['1.3.6.1.4.1.19376.1.5.3.1.3.27', '1.2.250.1.213.1.1.2.150'],
    title: 'ÉLÉMENTS PARACLINIQUES',
    head: 'Eléments paracliniques',
    textHead: 'Commentaires / Précisions sur les éléments paracliniques',
    what: 'paraclinical results',
  },
  histoire: {
    key: 'histoire-maladie',
    code: SECTION.HISTOIRE_MALADIE,
    templateIds: ['1.3.6.1.4.1.19376.1.5.3.1.3.4', '1.2.250.1.213.1.1.2.130'],
    title: "SYNTHÈSE DU CAS PRÉSENTÉ ET QUESTION POSÉE A LA RCP - AUTRES DONNÉES INDISPENSABLES À L'AVIS DE LA RCP",
    head: 'Éléments',
    textHead: 'Synthèse du cas présenté et question posée à la RCP',
    mandatory: true,
    what: 'the synthesis of the case and the question to the RCP (Composition.section 10164-2 with text)',
  },
  commentaire: {
    key: 'commentaire',
    code: SECTION.COMMENTAIRE,
    templateIds: ['2.16.840.1.113883.10.12.201', '1.3.6.1.4.1.19376.1.4.1.2.16', '1.2.250.1.213.1.1.2.73'],
    title: 'COMMENTAIRES / PRÉCISIONS SUR LE PATIENT',
    head: 'Éléments',
    textHead: 'Commentaires / précisions sur le patient',
    what: 'comment on the patient',
  },
} satisfies Record<string, NarrativeSectionSpec>;

function rowOf(r: Resource): Cell[] | undefined {
  switch (r.resourceType) {
    case 'Condition':
      return [humanDate(r.onsetDateTime ?? r.onsetPeriod?.start ?? r.onsetString ?? r.recordedDate) || '-', labelOf(r.code)];
    case 'Observation':
      return [humanDate(r.effectiveDateTime ?? r.effectivePeriod?.start) || '-', labelOf(r.code), r.valueString ?? (r.valueCodeableConcept ? labelOf(r.valueCodeableConcept) : r.valueQuantity ? `${r.valueQuantity.value ?? ''} ${r.valueQuantity.unit ?? ''}`.trim() : (r.note?.[0]?.text ?? ''))];
    case 'DiagnosticReport':
      return [humanDate(r.effectiveDateTime ?? r.effectivePeriod?.start ?? r.issued) || '-', labelOf(r.code), r.conclusion ?? ''];
    case 'Procedure':
      return [humanDate(r.performedDateTime ?? r.performedPeriod?.start) || '-', labelOf(r.code)];
    default:
      return undefined;
  }
}

const textBlocks = (s: CompositionSection): { head?: string; text: string }[] => [
  ...(s.text?.div ? [{ text: xhtmlToText(s.text.div) }] : []),
  ...(s.section ?? []).flatMap((sub) => (sub.text?.div ? [{ head: sub.title, text: xhtmlToText(sub.text.div) }] : [])),
];

/** Writes one narrative section when the Composition has it (or reports it when mandatory). */
export function writeNarrativeSection(ctx: FrcpContext, spec: NarrativeSectionSpec): void {
  const found = sectionWithCode(ctx.doc, spec.code);
  const entries = sectionEntries(ctx.doc, found, ['Condition', 'Observation', 'DiagnosticReport', 'Procedure'], ctx.issues);
  const rows = entries.flatMap(({ resource, path }) => {
    const row = rowOf(resource);
    if (!row) ctx.issues.push(warning('CDA_IGNORED', `a ${resource.resourceType} cannot be shown in this section: ignored`, path));
    return row ? [row] : [];
  });
  const blocks = found ? textBlocks(found.section).filter((b) => b.text) : [];
  if (!rows.length && !blocks.length) {
    if (spec.mandatory) required(ctx, spec.what, found ? `${found.path}.text` : 'Composition.section');
    return;
  }
  const { text } = section(ctx.body, { templateIds: spec.templateIds, id: uuid(ctx, spec.key), code: spec.code, title: found?.section.title ?? spec.title });
  let first = true;
  const gap = () => (first ? (first = false) : text.ele('br'));
  if (rows.length) {
    gap();
    const width = Math.max(...rows.map((r) => r.length));
    table(text, { head: [spec.head], rows: rows.map((r, i) => r.map((c, k) => (k === 1 ? { text: typeof c === 'string' ? c : c.text, id: ctx.ids.next(`${spec.key}-${i + 1}`) } : c)).concat(Array(width - r.length).fill(''))) });
  }
  for (const b of blocks) {
    gap();
    table(text, { head: [b.head ?? spec.textHead], rows: [[{ text: b.text, id: ctx.ids.next(`${spec.key}-texte`) }]] });
  }
}
