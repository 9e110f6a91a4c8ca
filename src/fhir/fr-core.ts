import type { Identifier } from '@medplum/fhirtypes';

/** Canonical URLs of the FR Core 2.0 profiles and extensions the mappings use. */
export const FR_CORE = {
  patient: 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient',
  identityReliability: 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-ident-reliability',
  birthPlace: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace',
} as const;

/** The identifier-type code system that the FR Core Patient slices discriminate on (its `patternCodeableConcept`). */
export const IDENTIFIER_TYPE_SYSTEM = 'http://interopsante.org/CodeSystem/fr-core-v2-0203';

const INS_TYPE: Record<string, { code: string; display: string }> = {
  '1.2.250.1.213.1.4.8': { code: 'INS-NIR', display: 'NIR' },
  '1.2.250.1.213.1.4.9': { code: 'INS-NIA', display: 'NIA' },
  '1.2.250.1.213.1.4.10': { code: 'INS-NIR', display: 'NIR' },
  '1.2.250.1.213.1.4.11': { code: 'INS-NIR', display: 'NIR' },
};

/** An INS identifier with its OID system and FR Core type (INS-NIR, or INS-NIA for the temporary matricule). */
export function insIdentifier(value: string, oid: string): Identifier {
  const t = INS_TYPE[oid] ?? { code: 'INS-NIR', display: 'NIR' };
  return { use: 'official', type: { coding: [{ system: IDENTIFIER_TYPE_SYSTEM, ...t }] }, system: `urn:oid:${oid}`, value };
}

/** `system|value`: the form used for business keys and FHIR token search. */
export const identifierKey = (i: Identifier): string => `${i.system ?? ''}|${i.value ?? ''}`;
