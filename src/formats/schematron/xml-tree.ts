/**
 * A minimal namespace-aware XML tree for reading schema files (Schematron). Built on fast-xml-parser in
 * `preserveOrder` mode with entity processing off: only the five predefined entities and character references are
 * decoded here, a DOCTYPE is refused, nothing external is ever resolved.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { findDoctype, prologText } from '../xml/doctype-guard.js';

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';

export interface XmlTextNode {
  kind: 'text';
  value: string;
}

export interface XmlElementNode {
  kind: 'element';
  /** Lexical name as written (`sch:rule`, `rule`). */
  name: string;
  /** Namespace URI ('' when none). */
  ns: string;
  local: string;
  /** Attributes other than namespace declarations, keyed by lexical name, values decoded and normalised. */
  attrs: Record<string, string>;
  /** Namespaces in scope on this element (prefix → URI, '' for the default namespace). */
  inScope: Record<string, string>;
  children: XmlNode[];
  /** Absolute path of the file the element was read from (kept through include resolution). */
  file: string;
}

export type XmlNode = XmlTextNode | XmlElementNode;

/** A file that cannot be read as XML; the message names the file and, when known, the line. */
export class XmlTreeError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'XmlTreeError';
  }
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decodes predefined entities and character references; any other entity reference is an error. */
export function decodeEntities(text: string, file: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z_][\w.-]*);/g, (_m, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const value = PREDEFINED[ref];
    if (value === undefined) throw new XmlTreeError(file, `undeclared entity &${ref};`);
    return value;
  });
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: false,
  allowBooleanAttributes: false,
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  removeNSPrefix: false,
});

type RawNode = Record<string, unknown>;

function rawChildren(value: unknown): RawNode[] {
  return Array.isArray(value) ? (value as RawNode[]) : [];
}

function splitName(name: string): [prefix: string, local: string] {
  const i = name.indexOf(':');
  return i < 0 ? ['', name] : [name.slice(0, i), name.slice(i + 1)];
}

function buildElement(name: string, raw: RawNode, parentScope: Record<string, string>, file: string): XmlElementNode {
  const rawAttrs = (raw[':@'] ?? {}) as Record<string, string>;
  const inScope = { ...parentScope };
  const attrs: Record<string, string> = {};
  for (const [key, rawValue] of Object.entries(rawAttrs)) {
    // attribute-value normalisation (XML 1.0 §3.3.3) happens before character references are decoded
    const value = decodeEntities(String(rawValue).replace(/[\t\n\r]/g, ' '), file);
    if (key === 'xmlns') inScope[''] = value;
    else if (key.startsWith('xmlns:')) inScope[key.slice(6)] = value;
    else attrs[key] = value;
  }
  const [prefix, local] = splitName(name);
  const ns = prefix === 'xml' ? XML_NS : inScope[prefix];
  if (ns === undefined) throw new XmlTreeError(file, `undeclared namespace prefix '${prefix}' on <${name}>`);
  const element: XmlElementNode = { kind: 'element', name, ns, local, attrs, inScope, children: [], file };
  for (const child of rawChildren(raw[name])) {
    const childName = Object.keys(child).find((k) => k !== ':@');
    if (childName === undefined) continue;
    if (childName === '#text') {
      element.children.push({ kind: 'text', value: decodeEntities(String(child['#text']), file) });
    } else if (childName === '#cdata') {
      const text = rawChildren(child['#cdata']).map((t) => String(t['#text'] ?? '')).join('');
      element.children.push({ kind: 'text', value: text });
    } else if (!childName.startsWith('?') && childName !== '#comment') {
      element.children.push(buildElement(childName, child, inScope, file));
    }
  }
  return element;
}

/**
 * Parses XML text into a tree of elements and text nodes (comments and processing instructions dropped).
 * @param file absolute path recorded on every element, used in error messages and to resolve relative references.
 * @throws XmlTreeError when the text is not well-formed, has a DOCTYPE or uses an undeclared prefix or entity.
 */
export function parseXmlTree(text: string, file: string): XmlElementNode {
  if (findDoctype(prologText(text)) !== undefined) throw new XmlTreeError(file, 'DOCTYPE declarations are not accepted');
  const check = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (check !== true) throw new XmlTreeError(file, `line ${check.err.line}: ${check.err.msg}`);
  const top = parser.parse(text) as RawNode[];
  const rootRaw = top.find((n) => Object.keys(n).some((k) => k !== ':@' && !k.startsWith('#') && !k.startsWith('?')));
  const rootName = rootRaw && Object.keys(rootRaw).find((k) => k !== ':@');
  if (!rootRaw || !rootName) throw new XmlTreeError(file, 'no root element');
  return buildElement(rootName, rootRaw, { xml: XML_NS }, file);
}

/** Child elements of `e`, optionally restricted to one namespace and local name. */
export function childElements(e: XmlElementNode, ns?: string, local?: string): XmlElementNode[] {
  return e.children.filter(
    (c): c is XmlElementNode => c.kind === 'element' && (ns === undefined || c.ns === ns) && (local === undefined || c.local === local),
  );
}
