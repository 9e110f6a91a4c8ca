/** Public API of the XML helpers: XSD validation and untrusted-input guards (see docs/validation.md). */
export { compileXsd, XSD_CODE, XSD_SCHEMA_CODE } from './xsd-validator.js';
export type { CompileXsdOptions, XsdValidator } from './xsd-validator.js';
export { checkDoctype, DOCTYPE_CODES } from './doctype-guard.js';
export { parseUntrustedXml } from './untrusted-xml.js';
export type { ParsedXml } from './untrusted-xml.js';
export { decodeXml } from './decode-xml.js';
