import { fhirPatientMatchValidator } from './fhir-patient-match.js';
import { fhirProfileValidator } from './fhir-profile.js';
import { schematronValidator } from './schematron.js';
import { xsdValidator } from './xsd.js';

/** Every validator a channel can name. A new validator is one file in this folder plus one line here. */
export const validators = [fhirProfileValidator, xsdValidator, schematronValidator, fhirPatientMatchValidator];
