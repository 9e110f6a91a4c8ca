import type { Mapped } from '../../engine/define.js';
import { error, type Issue } from '../../engine/issues.js';

const XML_TYPE = /^(application|text)\/([\w.+-]+\+)?xml$/i;

/**
 * The XML text of a mapped message, for the XML validators: a string, or bytes with an XML content type
 * (`application/xml`, `text/xml`, `application/hl7-cda+xml`…). Anything else (FHIR JSON, an object) is one clear issue.
 */
export function xmlContentOf(mapped: Mapped, validator: string): { xml: string | Uint8Array } | { issues: Issue[] } {
  const type = mapped.contentType.split(';')[0]!.trim();
  const declaredXml = XML_TYPE.test(type);
  const c = mapped.content;
  const refuse = (what: string) => ({
    issues: [error('XML_EXPECTED', `the ${validator} validator checks XML, but the mapping produced ${what} (content type ${type || 'none'}); put it after a mapping that writes XML`)],
  });
  if (/json/i.test(type)) return refuse('JSON');
  if (typeof c === 'string') return { xml: c };
  if (c instanceof Uint8Array) return declaredXml ? { xml: c } : refuse('bytes that are not declared as XML');
  return refuse(c === null || c === undefined ? 'nothing' : `a JavaScript ${Array.isArray(c) ? 'array' : typeof c}`);
}
