import { defineMapping } from '../src/engine/define.js';
import { mapFhirDocument } from './lib/cda/map-document.js';
import { ppsVolet } from './lib/cda/pps/volet.js';

/**
 * FHIR document Bundle of a programme personnalisé de soins (Composition.type LOINC 18776-5) → CDA R2 CI-SIS
 * CANCER-PPS 2022.01. Where each PPS data element lives in the Bundle: docs/mappings/pps.md.
 */
export default defineMapping<unknown>({
  name: 'pps-to-cda',
  description: 'FHIR document Bundle (programme personnalisé de soins, LOINC 18776-5) → CDA R2 CI-SIS CANCER-PPS 2022.01',
  input: 'fhir-json',
  map: (bundle) => mapFhirDocument(bundle, [ppsVolet]),
});
