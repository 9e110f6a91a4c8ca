import { fhirDestination } from './fhir.js';
import { fileDestination } from './file.js';
import { mllpDestination } from './mllp.js';

/** Every destination type a channel can route to. A new connector is one file in this folder plus one line here. */
export const destinations = [fhirDestination, fileDestination, mllpDestination];
