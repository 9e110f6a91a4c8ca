import { fhirProfileValidator } from './fhir-profile.js';
import { fhirPatientMatchValidator } from './fhir-patient-match.js';

/** Every validator a channel can name. A new validator is one file in this folder plus one line here. */
export const validators = [fhirProfileValidator, fhirPatientMatchValidator];
