import identityCsvToPatient from './identity-csv-to-patient.js';
import fhirDocumentToCda from './fhir-document-to-cda.js';
import frcpToCda from './frcp-to-cda.js';
import ppsToCda from './pps-to-cda.js';

/** Every mapping a channel can name. A new mapping is one file in this folder plus one line here. */
export const mappings = [identityCsvToPatient, fhirDocumentToCda, frcpToCda, ppsToCda];
