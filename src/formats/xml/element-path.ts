/**
 * Readable location of a libxml2 element, in the style used for every XML issue of Relais:
 * `/ClinicalDocument/component[1]/structuredBody[1]` (lexical names as in the document, 1-based position among
 * siblings of the same name, no position on the root element).
 */
import { XmlElement } from 'libxml2-wasm';

function lexicalName(e: XmlElement): string {
  return e.prefix ? `${e.prefix}:${e.name}` : e.name;
}

function positionAmongSameName(e: XmlElement): number {
  let n = 1;
  for (let s = e.prev; s !== null; s = s.prev) {
    if (s instanceof XmlElement && s.name === e.name && s.namespaceUri === e.namespaceUri) n++;
  }
  return n;
}

/** Path from the root element down to `e`. */
export function elementPath(e: XmlElement): string {
  const steps: string[] = [];
  for (let cur: XmlElement | null = e; cur !== null; cur = cur.parent) {
    steps.push(cur.parent === null ? lexicalName(cur) : `${lexicalName(cur)}[${positionAmongSameName(cur)}]`);
  }
  return '/' + steps.reverse().join('/');
}
