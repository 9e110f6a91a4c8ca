import { csvParser } from './csv.js';
import { fhirJsonParser } from './fhir-json.js';
import { hl7v2Parser } from './hl7v2.js';
import { pathologyReportParser } from './pathology-report.js';

/** Every parse format a channel can name. A new format is one file in this folder plus one line here. */
export const parsers = [csvParser, hl7v2Parser, fhirJsonParser, pathologyReportParser];
