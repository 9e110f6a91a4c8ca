/**
 * Refuses documents that carry a document type declaration before any parser sees them.
 *
 * CDA documents never use a DTD. A DOCTYPE is the only way to declare entities, and external entities (`SYSTEM` /
 * `PUBLIC`) are the XXE attack vector (file disclosure, SSRF); internal entities allow expansion bombs. Both XML
 * engines we use are configured not to load anything, but refusing the declaration outright gives a clear issue
 * instead of a silently unexpanded entity.
 */
import { error, type Issue } from '../../engine/issues.js';

/** Issue codes raised by {@link checkDoctype}. */
export const DOCTYPE_CODES = {
  externalEntity: 'XML_EXTERNAL_ENTITY',
  doctype: 'XML_DOCTYPE',
} as const;

/** Decodes enough of a buffer to scan its prolog (markup is ASCII in every encoding but UTF-16). */
export function prologText(xml: string | Uint8Array): string {
  if (typeof xml === 'string') return xml;
  const b0 = xml[0];
  const b1 = xml[1];
  if (b0 === 0xff && b1 === 0xfe) return new TextDecoder('utf-16le').decode(xml);
  if (b0 === 0xfe && b1 === 0xff) return new TextDecoder('utf-16be').decode(xml);
  return Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength).toString('latin1');
}

/** A DOCTYPE declaration found in a prolog, with its 1-based line. */
export interface DoctypeDeclaration {
  text: string;
  line: number;
}

/** Returns the DOCTYPE declaration if the prolog has one (before the root element), else undefined. */
export function findDoctype(text: string): DoctypeDeclaration | undefined {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return undefined;
      i = end + 3;
    } else if (text.startsWith('<!DOCTYPE', i)) {
      const line = text.slice(0, i).split('\n').length;
      return { text: text.slice(i, doctypeEnd(text, i)), line };
    } else {
      return undefined;
    }
  }
}

/** End offset of a DOCTYPE starting at `start`: after `]>` when it has an internal subset, else after `>`. */
function doctypeEnd(text: string, start: number): number {
  let quote: string | undefined;
  let inSubset = false;
  for (let i = start + 9; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '[') {
      inSubset = true;
    } else if (c === ']') {
      inSubset = false;
    } else if (c === '>' && !inSubset) {
      return i + 1;
    }
  }
  return text.length;
}

/**
 * Checks the prolog of an XML document: a DOCTYPE with an external subset or external entity declarations gives
 * `XML_EXTERNAL_ENTITY`; any other DOCTYPE gives `XML_DOCTYPE`. Both are errors; an empty list means no DOCTYPE.
 */
export function checkDoctype(xml: string | Uint8Array): Issue[] {
  const doctype = findDoctype(prologText(xml));
  if (doctype === undefined) return [];
  const where = `line ${doctype.line}`;
  if (/\b(SYSTEM|PUBLIC)\b/.test(doctype.text)) {
    return [
      error(
        DOCTYPE_CODES.externalEntity,
        'document refused: its DOCTYPE references an external DTD or declares external entities (XXE); DTDs are not accepted',
        where,
      ),
    ];
  }
  return [error(DOCTYPE_CODES.doctype, 'document refused: DOCTYPE declarations (DTDs, entities) are not accepted', where)];
}
