/**
 * OIDs and code systems used when writing CDA R2 documents for the ANS CI-SIS, and the translation between FHIR
 * code system / identifier system URIs and CDA OIDs.
 *
 * FHIR side rule (docs/mappings/frcp.md): any code system or identifier namespace may be given as `urn:oid:<OID>`;
 * the well-known FHIR URIs below are also understood.
 */

/** Identifier namespaces (II.root). */
export const ID_OID = {
  /** Identifiant national de professionnel de santé (IDNPS: RPPS with prefix 8, ADELI with prefix 0). */
  IDNPS: '1.2.250.1.71.4.2.1',
  /** Identifiant national de structure (FINESS with prefix 1, SIRET with 3, …). */
  IDNST: '1.2.250.1.71.4.2.2',
  INS_NIR: '1.2.250.1.213.1.4.8',
  INS_NIA: '1.2.250.1.213.1.4.9',
  INS_NIR_TEST: '1.2.250.1.213.1.4.10',
  INS_NIR_DEMO: '1.2.250.1.213.1.4.11',
} as const;

/** Code systems (CD.codeSystem). */
export const CS = {
  LOINC: '2.16.840.1.113883.6.1',
  SNOMED: '2.16.840.1.113883.6.96',
  CIM10: '2.16.840.1.113883.6.3',
  ICDO3: '2.16.840.1.113883.6.43.1',
  NCIT: '2.16.840.1.113883.3.26.1.1',
  TA_ASIP: '1.2.250.1.213.1.1.4.322',
  CONFIDENTIALITY: '2.16.840.1.113883.5.25',
  ADMINISTRATIVE_GENDER: '2.16.840.1.113883.5.1',
  ACT_CODE: '2.16.840.1.113883.5.4',
  PARTICIPATION_FUNCTION: '2.16.840.1.113883.5.88',
  ROLE_CODE: '2.16.840.1.113883.5.111',
  ACT_STATUS: '2.16.840.1.113883.5.14',
  OBSERVATION_INTERPRETATION: '2.16.840.1.113883.5.83',
  /** JDV_J01 XdsAuthorSpecialty: "G15_<profession>/<specialty>" codes (TRE_G15 + TRE_R38…). */
  AUTHOR_SPECIALTY: '1.2.250.1.213.1.1.4.5',
  /** JDV_J02 XdsHealthcareFacilityTypeCode (SA01…). */
  HEALTHCARE_FACILITY_TYPE: '1.2.250.1.71.4.2.4',
  /** JDV_J04 XdsPracticeSettingCode (ETABLISSEMENT…). */
  PRACTICE_SETTING: '1.2.250.1.213.1.1.4.9',
  /** TRE_A04 / CI-SIS function codes (CORRE, …). */
  CISIS_FUNCTION: '1.2.250.1.213.1.1.4.2.280',
  /** TRE_R85 RolePriseEnCharge (353 "Membre de l'équipe de soins"…). */
  ROLE_PRISE_EN_CHARGE: '1.2.250.1.213.1.6.1.107',
  /** TRE_R213 ModePriseEnCharge (39 "RCP"). */
  MODE_PRISE_EN_CHARGE: '1.2.250.1.213.3.3.13',
} as const;

/** CDA generic template ids. */
export const TEMPLATE = {
  HL7_FRANCE: '2.16.840.1.113883.2.8.2.1',
  CISIS: '1.2.250.1.213.1.1.1.1',
} as const;

/** Well-known FHIR code system URIs → OID. ANS terminologies are expected as `urn:oid:` (or their NOS URL below). */
const SYSTEM_TO_OID: Record<string, string> = {
  'http://loinc.org': CS.LOINC,
  'http://snomed.info/sct': CS.SNOMED,
  'http://hl7.org/fhir/sid/icd-10': CS.CIM10,
  'http://hl7.org/fhir/sid/icd-10-fr': CS.CIM10,
  'http://terminology.hl7.org/CodeSystem/icd-o-3': CS.ICDO3,
  'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl': CS.NCIT,
  'http://terminology.hl7.org/CodeSystem/v3-Confidentiality': CS.CONFIDENTIALITY,
  'http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender': CS.ADMINISTRATIVE_GENDER,
  'http://terminology.hl7.org/CodeSystem/v3-ActCode': CS.ACT_CODE,
  'http://terminology.hl7.org/CodeSystem/v3-ParticipationFunction': CS.PARTICIPATION_FUNCTION,
  'http://terminology.hl7.org/CodeSystem/v3-RoleCode': CS.ROLE_CODE,
  'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation': CS.OBSERVATION_INTERPRETATION,
  'https://mos.esante.gouv.fr/NOS/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge': CS.MODE_PRISE_EN_CHARGE,
  'https://mos.esante.gouv.fr/NOS/TRE_R85-RolePriseCharge/FHIR/TRE-R85-RolePriseCharge': CS.ROLE_PRISE_EN_CHARGE,
  'https://mos.esante.gouv.fr/NOS/TRE_A00-ProducteurDocNonPS/FHIR/TRE-A00-ProducteurDocNonPS': '1.2.250.1.213.1.1.4.6',
  'https://mos.esante.gouv.fr/NOS/TRE_A04-TypeIdentifiantPersonne/FHIR/TRE-A04-TypeIdentifiantPersonne': CS.CISIS_FUNCTION,
};

/** Display names of the code systems above, for `codeSystemName` (optional in CDA, helps readers). */
export const CS_NAME: Record<string, string> = {
  [CS.LOINC]: 'LOINC',
  [CS.SNOMED]: 'SNOMED CT',
  [CS.CIM10]: 'CIM-10',
  [CS.ICDO3]: 'CIM-O-3',
  [CS.NCIT]: 'NCIT',
  [CS.TA_ASIP]: 'TA_ASIP',
};

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const isOid = (s: string): boolean => OID.test(s);
export const isUuid = (s: string): boolean => UUID.test(s);

/** The OID of a FHIR code system or identifier system URI, or undefined when it has none we know. */
export function oidOfSystem(system: string | undefined): string | undefined {
  if (!system) return undefined;
  if (system.startsWith('urn:oid:')) {
    const oid = system.slice('urn:oid:'.length);
    return isOid(oid) ? oid : undefined;
  }
  return SYSTEM_TO_OID[system.replace(/#$/, '')];
}
