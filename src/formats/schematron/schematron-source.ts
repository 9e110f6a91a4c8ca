/**
 * A document parsed once for Schematron validation. Parsing is a large share of the cost of a run in SaxonJS (about
 * 20 ms for a 150 kB CDA document), so a caller validating one document against a volet and several profiles parses
 * it once and passes the result to each validator.
 */
import { error, type Issue } from '../../engine/issues.js';
import { decodeXml } from '../xml/decode-xml.js';
import { checkDoctype } from '../xml/doctype-guard.js';
import { parseSaxonDocument, type SaxonDocument } from './saxon-runtime.js';

const SOURCE = Symbol('schematron-source');

/** Opaque parsed document accepted by every `SchematronValidator`. */
export interface SchematronSource {
  readonly [SOURCE]: SaxonDocument;
}

/** Outcome of {@link parseSchematronSource}. */
export type ParsedSource = { ok: true; source: SchematronSource } | { ok: false; issues: Issue[] };

export function isSchematronSource(value: unknown): value is SchematronSource {
  return typeof value === 'object' && value !== null && SOURCE in value;
}

/** The SaxonJS document behind a source. */
export function saxonDocumentOf(source: SchematronSource): SaxonDocument {
  return source[SOURCE];
}

/**
 * Parses a document for Schematron validation. A DOCTYPE is refused (`XML_DOCTYPE`, `XML_EXTERNAL_ENTITY`); text
 * that is not well-formed gives `XML_PARSE`. A buffer is decoded from its BOM / encoding declaration.
 */
export async function parseSchematronSource(xml: string | Uint8Array): Promise<ParsedSource> {
  const refused = checkDoctype(xml);
  if (refused.length > 0) return { ok: false, issues: refused };
  let text: string;
  try {
    text = decodeXml(xml);
  } catch (e) {
    return { ok: false, issues: [error('XML_PARSE', `cannot decode the document: ${e instanceof Error ? e.message : String(e)}`)] };
  }
  if (text.trim() === '') return { ok: false, issues: [error('XML_PARSE', 'empty document')] };
  try {
    return { ok: true, source: { [SOURCE]: await parseSaxonDocument(text) } };
  } catch (e) {
    return { ok: false, issues: [error('XML_PARSE', `not well-formed: ${e instanceof Error ? e.message : String(e)}`)] };
  }
}
