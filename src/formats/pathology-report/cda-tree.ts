/** Small readers over the namespace-aware XML tree (fast-xml-parser, DOCTYPE refused) for CDA R2 documents. */
import { childElements, type XmlElementNode } from '../schematron/xml-tree.js';
import { systemOfOid } from './codes.js';
import { fromHl7Timestamp } from './dates.js';
import type { CodeOrText, Coding, Identifier } from './model.js';

export const V3 = 'urn:hl7-org:v3';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

export const kids = (e: XmlElementNode | undefined, local: string): XmlElementNode[] => (e ? childElements(e, V3, local) : []);
export const kid = (e: XmlElementNode | undefined, local: string): XmlElementNode | undefined => kids(e, local)[0];

/** Follows a path of child names, first match at each step. */
export function at(e: XmlElementNode | undefined, ...path: string[]): XmlElementNode | undefined {
  let cur = e;
  for (const step of path) cur = kid(cur, step);
  return cur;
}

export const attr = (e: XmlElementNode | undefined, name: string): string | undefined => e?.attrs[name];

/** `xsi:type` of an element, without its prefix (`CD`, `PQ`…), whatever prefix the document binds XSI to. */
export function xsiType(e: XmlElementNode): string | undefined {
  for (const [name, value] of Object.entries(e.attrs)) {
    const i = name.indexOf(':');
    if (i > 0 && name.slice(i + 1) === 'type' && e.inScope[name.slice(0, i)] === XSI) return value.slice(value.indexOf(':') + 1);
  }
  return undefined;
}

/** Text content with blanks collapsed. */
export function text(e: XmlElementNode | undefined): string {
  if (!e) return '';
  const parts: string[] = [];
  const walk = (n: XmlElementNode) => {
    for (const c of n.children) c.kind === 'text' ? parts.push(c.value) : walk(c);
  };
  walk(e);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

const BLOCKS = new Set(['paragraph', 'tr', 'item', 'br', 'caption', 'list', 'table', 'thead', 'tbody']);

/** Narrative block text: one line per paragraph / table row / list item, cells separated by ` | `. */
export function narrative(e: XmlElementNode | undefined): string {
  if (!e) return '';
  const out: string[] = [];
  let line = '';
  const flush = () => {
    if (line.trim()) out.push(line.replace(/\s+/g, ' ').trim());
    line = '';
  };
  const walk = (n: XmlElementNode) => {
    for (const c of n.children) {
      if (c.kind === 'text') line += c.value;
      else {
        const block = BLOCKS.has(c.local);
        if (block) flush();
        if (c.local === 'td' || c.local === 'th') line += line.trim() ? ' | ' : '';
        walk(c);
        if (block) flush();
      }
    }
  };
  walk(e);
  flush();
  return out.join('\n');
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** An `II` as a FHIR identifier: root + extension → `urn:oid:root|extension`; a root alone → RFC 3986 URN. */
export function identifierOf(e: XmlElementNode | undefined): Identifier | undefined {
  const root = attr(e, 'root');
  if (!root || attr(e, 'nullFlavor')) return undefined;
  const ext = attr(e, 'extension');
  if (ext) return { system: UUID.test(root) ? `urn:uuid:${root.toLowerCase()}` : `urn:oid:${root}`, value: ext };
  return { system: 'urn:ietf:rfc:3986', value: UUID.test(root) ? `urn:uuid:${root.toLowerCase()}` : `urn:oid:${root}` };
}

/** A `CD` / `CE` / `CV` as a coding (undefined without code and code system). */
export function codingOf(e: XmlElementNode | undefined): Coding | undefined {
  const code = attr(e, 'code');
  const system = attr(e, 'codeSystem');
  if (!code || !system) return undefined;
  const display = attr(e, 'displayName');
  return { system: systemOfOid(system), code, ...(display ? { display } : {}) };
}

/** A coded element as code and / or text (its `originalText`). */
export function codeOrTextOf(e: XmlElementNode | undefined): CodeOrText | undefined {
  if (!e) return undefined;
  const coding = codingOf(e);
  const original = text(kid(e, 'originalText'));
  if (!coding && !original) return undefined;
  return { ...(coding ? { coding } : {}), ...(original ? { text: original } : {}) };
}

/** `TS` / `IVL_TS` (its `@value`, else `low`, else `center`) as a FHIR dateTime. */
export function timeOf(e: XmlElementNode | undefined): string | undefined {
  const v = attr(e, 'value') ?? attr(kid(e, 'low'), 'value') ?? attr(kid(e, 'center'), 'value');
  return v ? fromHl7Timestamp(v) : undefined;
}

/** `templateId/@root` values of an element. */
export const templatesOf = (e: XmlElementNode): string[] => kids(e, 'templateId').flatMap((t) => (t.attrs.root ? [t.attrs.root] : []));

/** A person's name: family (birth name, qualifier BR, first) and given names. */
export function personName(e: XmlElementNode | undefined): { family?: string; given?: string } {
  const name = kid(e, 'name');
  if (!name) return {};
  const families = kids(name, 'family');
  const family = text(families.find((f) => attr(f, 'qualifier') === 'BR') ?? families[0]);
  const givens = kids(name, 'given');
  const given = text(givens.find((g) => attr(g, 'qualifier') === 'BR') ?? givens[0]);
  return { ...(family ? { family } : {}), ...(given ? { given } : {}) };
}
