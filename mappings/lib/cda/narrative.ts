/**
 * Human-readable section text (CDA narrative block): tables, paragraphs and `content ID` anchors that the coded
 * entries point at with `<reference value="#id"/>`. Ids are unique in the document and deterministic.
 */
import type { El } from './datatypes.js';

/** Hands out document-unique narrative ids: `prefix-1`, `prefix-2`, … in call order (deterministic). */
export class ContentIds {
  private readonly counts = new Map<string, number>();
  next(prefix: string): string {
    const n = (this.counts.get(prefix) ?? 0) + 1;
    this.counts.set(prefix, n);
    return `${prefix}-${n}`;
  }
}

/** A table cell: plain text, or text anchored with an id (`<content ID>`), optionally spanning columns. */
export type Cell = string | { text: string; id?: string; colspan?: number };

export interface TableSpec {
  /** Header rows: one title spanning the table (a string) or the column names. */
  head?: (string | string[])[];
  rows: Cell[][];
  /** Text of the single row written when `rows` is empty (tbody needs a row). */
  empty?: string;
}

/** Writes text with line breaks (`\n` → `<br/>`). */
export function textWithBreaks(parent: El, text: string): void {
  text.split(/\r?\n/).forEach((line, i) => {
    if (i > 0) parent.ele('br');
    if (line) parent.txt(line);
  });
}

function cell(tr: El, tag: 'td' | 'th', c: Cell): void {
  const spec = typeof c === 'string' ? { text: c } : c;
  const e = tr.ele(tag, spec.colspan && spec.colspan > 1 ? { colspan: String(spec.colspan) } : {});
  if (spec.id) textWithBreaks(e.ele('content', { ID: spec.id }), spec.text);
  else textWithBreaks(e, spec.text);
}

/** `<table border="0"><thead>…</thead><tbody>…</tbody></table>` */
export function table(text: El, spec: TableSpec): El {
  const width = Math.max(1, ...spec.rows.map((r) => r.reduce((n, c) => n + (typeof c === 'string' ? 1 : (c.colspan ?? 1)), 0)), ...(spec.head ?? []).map((h) => (Array.isArray(h) ? h.length : 1)));
  const t = text.ele('table', { border: '0' });
  if (spec.head?.length) {
    const thead = t.ele('thead');
    for (const h of spec.head) {
      const tr = thead.ele('tr');
      if (Array.isArray(h)) for (const name of h) cell(tr, 'th', name);
      else cell(tr, 'th', { text: h, colspan: width });
    }
  }
  const tbody = t.ele('tbody');
  const rows = spec.rows.length ? spec.rows : [[{ text: spec.empty ?? 'Non renseigné', colspan: width }]];
  for (const r of rows) {
    const tr = tbody.ele('tr');
    for (const c of r) cell(tr, 'td', c);
  }
  return t;
}

/** `<paragraph>` (optionally anchored). */
export function paragraph(text: El, content: string, id?: string): El {
  const p = text.ele('paragraph');
  textWithBreaks(id ? p.ele('content', { ID: id }) : p, content);
  return p;
}

/** "Oui" / "Non" for a boolean, "Non renseigné" when absent. */
export const yesNo = (v: boolean | undefined): string => (v === undefined ? 'Non renseigné' : v ? 'Oui' : 'Non');

/** Plain text of FHIR narrative XHTML (`Narrative.div`): tags dropped, block ends and `<br/>` become line breaks. */
export function xhtmlToText(div: string | undefined): string {
  if (!div) return '';
  return div
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6])>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&nbsp;|&#160;/g, ' ')
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&')
    .split('\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').trim())
    .filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''))
    .join('\n')
    .trim();
}
