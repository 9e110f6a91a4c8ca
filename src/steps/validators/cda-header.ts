/**
 * Reads what decides which schematrons apply to a CDA document — `ClinicalDocument/code/@code` and
 * `ClinicalDocument/templateId/@root` — from the start of the text, without building a tree and without any DTD or
 * entity handling (nothing is resolved; a DOCTYPE is skipped here and refused by the validators themselves).
 */
export interface CdaHeader {
  /** Local name of the root element (`ClinicalDocument` for a CDA, `stylesheet` for an "autoprésentable" one). */
  root?: string;
  /** `ClinicalDocument/code/@code`, e.g. LOINC 34794-8 for a fiche RCP. */
  code?: string;
  /** Every `ClinicalDocument/templateId/@root`. */
  templateIds: string[];
}

/** Header elements come first in a CDA (schema order); scanning stops at the first element after them. */
const HEADER_CHILDREN = new Set(['realmCode', 'typeId', 'templateId', 'id', 'code']);
/** A CDA header fits easily; a document whose root has not ended its header by then is not a CDA worth scanning further. */
const SCAN_LIMIT = 256 * 1024;

const TOKEN =
  /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>|<!DOCTYPE(?:[^>[]|\[[\s\S]*?\])*>|<(\/?)(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescape = (s: string) =>
  s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_m, e: string) =>
    e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) : e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : ENTITIES[e]!,
  );

function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(ATTRIBUTE)) {
    const name = m[1]!.replace(/^[\w.-]+:/, '');
    if (!m[1]!.startsWith('xmlns')) out.set(name, unescape(m[2] ?? m[3] ?? ''));
  }
  return out;
}

export function readCdaHeader(xml: string | Uint8Array): CdaHeader {
  // codes and OIDs are ASCII: latin1 keeps byte offsets and never fails on any encoding that is ASCII-compatible
  const text = typeof xml === 'string' ? xml.slice(0, SCAN_LIMIT) : Buffer.from(xml.buffer, xml.byteOffset, Math.min(xml.byteLength, SCAN_LIMIT)).toString('latin1');
  const header: CdaHeader = { templateIds: [] };
  let depth = 0;
  /** Depth of the ClinicalDocument element: the root, or deeper in an "autoprésentable" document (CDA inside an XSLT). */
  let cda: number | undefined;
  for (const m of text.matchAll(TOKEN)) {
    const [, closing, local, attrs, selfClosing] = m;
    if (local === undefined) continue; // comment, processing instruction, CDATA, DOCTYPE
    if (closing) {
      depth--;
      if (depth <= 0 || (cda !== undefined && depth <= cda)) break;
      continue;
    }
    if (depth === 0) header.root = local;
    if (cda === undefined && local === 'ClinicalDocument') {
      if (selfClosing) break;
      cda = depth;
    } else if (cda !== undefined && depth === cda + 1) {
      if (!HEADER_CHILDREN.has(local)) break;
      const a = attributes(attrs ?? '');
      if (local === 'templateId' && a.get('root')) header.templateIds.push(a.get('root')!);
      if (local === 'code' && header.code === undefined && a.get('code') !== undefined) header.code = a.get('code');
    }
    if (!selfClosing) depth++;
  }
  return header;
}
