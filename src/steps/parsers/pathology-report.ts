import { z } from 'zod';
import { defineParser } from '../../engine/define.js';
import { readPathologyReport, type PathologyReport } from '../../formats/pathology-report/index.js';

const options = z.object({
  maxBytes: z.number().int().min(1024).default(64 * 1024 * 1024).describe('larger inputs are rejected (CRAP_TOO_LARGE)'),
});

/**
 * Anatomic pathology reports (CRAP) in the three forms laboratories send, recognised by content: HL7v2 ORU^R01 with
 * the report in an ED OBX (PDF or CDA), a CDA R2 APSR / CR-ACP document, or a PDF with its sidecar (the envelope the
 * sftp source builds). Gives one `PathologyReport` (src/formats/pathology-report/model.ts).
 */
export const pathologyReportParser = defineParser({
  format: 'pathology-report',
  description: 'Anatomic pathology report (CRAP): HL7v2 ORU^R01 + ED (PDF / CDA), CDA R2 APSR / CR-ACP, or PDF + sidecar',
  options,
  parse(raw, o): { value?: PathologyReport; issues: ReturnType<typeof readPathologyReport>['issues'] } {
    return readPathologyReport(raw, { maxBytes: o.maxBytes });
  },
});
