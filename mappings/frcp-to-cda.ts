import { defineMapping } from '../src/engine/define.js';
import { frcpVolet } from './lib/cda/frcp/volet.js';
import { mapFhirDocument } from './lib/cda/map-document.js';

/** FHIR document Bundle of a fiche RCP (Composition.type LOINC 34794-8) → CDA R2 CI-SIS CANCER-FRCP 2022.01. */
export default defineMapping<unknown>({
  name: 'frcp-to-cda',
  description: 'FHIR document Bundle (fiche RCP, LOINC 34794-8) → CDA R2 CI-SIS CANCER-FRCP 2022.01',
  input: 'fhir-json',
  map: (bundle) => mapFhirDocument(bundle, [frcpVolet]),
});
