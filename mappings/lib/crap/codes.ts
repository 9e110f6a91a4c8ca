/** FHIR codes and profile URLs the CRAP mapping writes. */
export const FR_CORE_PROFILES = {
  practitioner: 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-practitioner',
  organization: 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-organization',
} as const;

/** Identifier types as the FR Core 2.0 value sets list them (practitioner and organization use two spellings). */
export const PRACTITIONER_ID_TYPE_SYSTEM = 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203';
export const ORGANIZATION_ID_TYPE_SYSTEM = 'http://interopsante.org/CodeSystem/fr-v2-0203';

export const RPPS_SYSTEM = 'https://rpps.esante.gouv.fr';
export const FINESS_SYSTEM = 'https://finess.esante.gouv.fr';

/** DiagnosticReport / DocumentReference category: LOINC LP7839-6 Pathology, HL7 v2 table 0074 PAT. */
export const PATHOLOGY_CATEGORY = {
  coding: [
    { system: 'http://loinc.org', code: 'LP7839-6', display: 'Pathology' },
    { system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'PAT', display: 'Pathology (gross & histopath, not surgical)' },
  ],
};

export const OBSERVATION_CATEGORY = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }] };
export const NOT_PERFORMED = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'not-performed', display: 'Not Performed' }] };
