/**
 * Escaping for XML we generate as text (the XSLT stylesheet), and re-serialisation of verbatim XSLT declarations.
 */
import { XML_NS, type XmlElementNode } from './xml-tree.js';

/** Escapes an attribute value (double-quoted); tabs and line breaks become character references so they survive. */
export function escapeAttr(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** Escapes character data. */
export function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/**
 * Serialises an element read by `xml-tree.ts` back to XML, declaring on the outermost element every namespace in
 * scope (except `xml`), so it can be pasted into another document.
 */
export function serializeElement(e: XmlElementNode, declareScope = true): string {
  let attrs = '';
  if (declareScope) {
    for (const [prefix, uri] of Object.entries(e.inScope)) {
      if (uri === XML_NS) continue;
      attrs += prefix === '' ? ` xmlns="${escapeAttr(uri)}"` : ` xmlns:${prefix}="${escapeAttr(uri)}"`;
    }
  }
  for (const [name, value] of Object.entries(e.attrs)) attrs += ` ${name}="${escapeAttr(value)}"`;
  const body = e.children.map((c) => (c.kind === 'text' ? escapeText(c.value) : serializeElement(c, false))).join('');
  return body === '' ? `<${e.name}${attrs}/>` : `<${e.name}${attrs}>${body}</${e.name}>`;
}
