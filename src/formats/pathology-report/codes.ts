/** Code systems, OIDs and document codes of anatomic pathology reports (IHE PaLM APSR, ANS CI-SIS CR-ACP). */
import type { Coding } from './model.js';

export const LOINC = 'http://loinc.org';

/** Document codes: APSR 2.0 / CR-ACP use 60568-3; APSR 1 and unstructured reports 11526-1. */
export const REPORT_CODES = {
  synoptic: { system: LOINC, code: '60568-3', display: 'Pathology Synoptic report' },
  study: { system: LOINC, code: '11526-1', display: 'Pathology study' },
} as const satisfies Record<string, Coding>;

export const TEMPLATES = {
  /** ANS CI-SIS CR-ACP (compte rendu d'anatomie et de cytologie pathologiques, APSR 2.0). */
  crAcp: '1.2.250.1.213.1.1.1.57',
  /** IHE PaLM Anatomic Pathology Structured Report content module (APSR 1 and 2). */
  apsr: '1.3.6.1.4.1.19376.1.8.1.1.1',
  /** APSR Diagnostic Conclusion section. */
  diagnosticConclusion: '1.3.6.1.4.1.19376.1.8.1.2.5',
} as const;

/** IHE formatCode of APSR 2.0 documents (XDS / DocumentReference.content.format). */
export const APSR_FORMAT: Coding = { system: 'urn:oid:1.3.6.1.4.1.19376.1.2.3', code: 'urn:ihe:palm:apsr:2016', display: 'APSR 2.0' };
export const PDF_FORMAT: Coding = { system: 'urn:oid:1.3.6.1.4.1.19376.1.2.3', code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient', display: 'mimeType Sufficient' };

/** ANS national identifiers of health professionals (`8` + RPPS) and structures (`1` + FINESS). */
export const ID_NAT_PS_OID = '1.2.250.1.71.4.2.1';
export const ID_NAT_ST_OID = '1.2.250.1.71.4.2.2';

const OID_TO_URI: Record<string, string> = {
  '2.16.840.1.113883.6.1': LOINC,
  '2.16.840.1.113883.6.96': 'http://snomed.info/sct',
  '2.16.840.1.113883.6.43.1': 'http://terminology.hl7.org/CodeSystem/icd-o-3',
  '2.16.840.1.113883.6.3': 'http://hl7.org/fhir/sid/icd-10',
  '2.16.840.1.113883.6.8': 'http://unitsofmeasure.org',
  '2.16.840.1.113883.5.4': 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  '2.16.840.1.113883.5.1': 'http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender',
  '2.16.840.1.113883.5.83': 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
};

/** FHIR system of a CDA / HL7 code system OID: the canonical URI when FHIR has one, else `urn:oid:<oid>`. */
export function systemOfOid(oid: string): string {
  return OID_TO_URI[oid] ?? `urn:oid:${oid}`;
}

/** HL7v2 coding-system names (table 0396) seen in CE/CWE fields. */
const HL7_SYSTEM_NAMES: Record<string, string> = { LN: LOINC, SCT: 'http://snomed.info/sct', SNM: 'http://snomed.info/sct', I10: 'http://hl7.org/fhir/sid/icd-10' };

export function systemOfHl7Name(name: string): string | undefined {
  if (/^[0-2](\.(0|[1-9]\d*))+$/.test(name)) return systemOfOid(name);
  return HL7_SYSTEM_NAMES[name.toUpperCase()];
}

export const isOid = (s: string): boolean => /^[0-2](\.(0|[1-9]\d*))+$/.test(s);
