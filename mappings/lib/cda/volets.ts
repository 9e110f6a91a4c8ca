import { frcpVolet } from './frcp/volet.js';
import { ppsVolet } from './pps/volet.js';
import type { CdaVolet } from './volet.js';

/** Every CI-SIS volet the `fhir-document-to-cda` mapping can write. A new volet is one folder plus one line here. */
export const volets: CdaVolet[] = [frcpVolet, ppsVolet];
