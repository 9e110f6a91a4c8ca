import { defineMapping } from '../src/engine/define.js';
import { mapFhirDocument } from './lib/cda/map-document.js';
import { volets } from './lib/cda/volets.js';

/**
 * FHIR R4 document Bundle → CDA R2 document of the CI-SIS volet named by Composition.type (see
 * mappings/lib/cda/volets.ts). An unknown document type is an error issue (CDA_VOLET_UNKNOWN).
 */
export default defineMapping<unknown>({
  name: 'fhir-document-to-cda',
  description: `FHIR document Bundle → CI-SIS CDA R2, volet chosen by Composition.type (${volets.map((v) => v.loinc).join(', ')})`,
  input: 'fhir-json',
  map: (bundle) => mapFhirDocument(bundle, volets),
});
