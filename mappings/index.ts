import identityCsvToPatient from './identity-csv-to-patient.js';
import crapToFhir from './crap-to-fhir.js';

/** Every mapping a channel can name. A new mapping is one file in this folder plus one line here. */
export const mappings = [identityCsvToPatient, crapToFhir];
