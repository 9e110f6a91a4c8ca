import crapToFhir from './crap-to-fhir.js';
import fhirDocumentToCda from './fhir-document-to-cda.js';
import frcpToCda from './frcp-to-cda.js';
import hl7v2Forward from './hl7v2-forward.js';
import identityCsvToPatient from './identity-csv-to-patient.js';
import pamFrAdtToFhir from './pam-fr-adt-to-fhir.js';
import ppsToCda from './pps-to-cda.js';

/** Every mapping a channel can name. A new mapping is one file in this folder plus one line here. */
export const mappings = [identityCsvToPatient, pamFrAdtToFhir, hl7v2Forward, fhirDocumentToCda, frcpToCda, ppsToCda, crapToFhir];
