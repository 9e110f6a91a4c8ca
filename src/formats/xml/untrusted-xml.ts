/**
 * Parsing of untrusted XML (documents received from outside) with libxml2-wasm: no DTD, no external entity, no
 * network. Failures are returned as issues, never thrown.
 */
import { ParseOption, XmlDocument, XmlParseError, type ErrorDetail } from 'libxml2-wasm';
import { error, warning, type Issue } from '../../engine/issues.js';
import { checkDoctype } from './doctype-guard.js';

/** Parser flags for untrusted input: never load external entities or DTDs, never touch the network. */
export const UNTRUSTED_PARSE_OPTIONS = ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_BIG_LINES;

/** Outcome of {@link parseUntrustedXml}: a document the caller must dispose, or the reasons it was refused. */
export type ParsedXml = { ok: true; doc: XmlDocument } | { ok: false; issues: Issue[] };

/** One libxml2 diagnostic as an issue: level 1 is a warning, 2 and 3 (fatal) are errors; message trimmed. */
export function detailToIssue(code: string, d: ErrorDetail, path?: string): Issue {
  const message = d.message.trim();
  const where = path ?? (d.line > 0 ? `line ${d.line}` : undefined);
  return d.level === 1 ? warning(code, message, where) : error(code, message, where);
}

/**
 * Parses an XML document after refusing any DOCTYPE (see `doctype-guard.ts`). A string is taken as already decoded
 * text; a buffer is decoded by libxml2 from its BOM / encoding declaration.
 * @returns `{ok: true, doc}` (dispose `doc` when done) or `{ok: false, issues}` with code `XML_PARSE`,
 *   `XML_DOCTYPE` or `XML_EXTERNAL_ENTITY`.
 */
export function parseUntrustedXml(xml: string | Uint8Array): ParsedXml {
  const refused = checkDoctype(xml);
  if (refused.length > 0) return { ok: false, issues: refused };
  try {
    const doc =
      typeof xml === 'string'
        ? XmlDocument.fromString(xml, { option: UNTRUSTED_PARSE_OPTIONS })
        : XmlDocument.fromBuffer(xml, { option: UNTRUSTED_PARSE_OPTIONS });
    return { ok: true, doc };
  } catch (e) {
    if (e instanceof XmlParseError) {
      const details = e.details ?? [];
      const issues = details.filter((d) => d.level > 1).map((d) => detailToIssue('XML_PARSE', d));
      return { ok: false, issues: issues.length > 0 ? issues : [error('XML_PARSE', e.message.trim())] };
    }
    throw e;
  }
}
