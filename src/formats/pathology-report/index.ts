/** Anatomic pathology reports (CRAP) in their three forms → one intermediate `PathologyReport`. See docs/mappings/crap.md. */
export { readPathologyReport, recognisers, type Recogniser, type ReadOptions } from './recognise.js';
export { readCda } from './cda.js';
export { readOru } from './hl7-oru.js';
export { readSidecarEnvelope, sidecarSchema, SIDECAR_ENVELOPE_TYPE, SIDECAR_XML_NS, type Sidecar } from './sidecar.js';
export { REPORT_CODES, TEMPLATES, APSR_FORMAT, PDF_FORMAT, ID_NAT_PS_OID, ID_NAT_ST_OID, LOINC } from './codes.js';
export type * from './model.js';
