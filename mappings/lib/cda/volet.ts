/**
 * A CI-SIS volet (document model) that Relais can write from a FHIR document Bundle. The dispatcher
 * (`fhir-document-to-cda`) picks the volet whose LOINC code is Composition.type; a new volet is one folder under
 * `mappings/lib/cda/` plus one line in `volets.ts`.
 */
import type { Issue } from '../../../src/engine/issues.js';
import type { DocumentBundle } from './document-bundle.js';
import type { CdaHeader } from './header.js';

export interface CdaVoletResult {
  /** The CDA document, when it could be built (also when there are error issues, for inspection). */
  xml?: string;
  issues: Issue[];
  /** The header, for business keys (patient, document id, setId). */
  header?: CdaHeader;
}

export interface CdaVolet {
  /** e.g. `CANCER-FRCP 2022.01` */
  name: string;
  /** Composition.type (LOINC) that selects this volet. */
  loinc: string;
  build(doc: DocumentBundle): CdaVoletResult;
}
