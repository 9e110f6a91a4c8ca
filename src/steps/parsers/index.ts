import { csvParser } from './csv.js';
import { pathologyReportParser } from './pathology-report.js';

/** Every parse format a channel can name. A new format is one file in this folder plus one line here. */
export const parsers = [csvParser, pathologyReportParser];
