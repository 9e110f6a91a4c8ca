/**
 * The intermediate form of an anatomic pathology report (CRAP: compte rendu d'anatomo-cyto-pathologie), whatever it
 * came in as (HL7v2 ORU^R01 with an ED document, CDA R2 APSR / CR-ACP, PDF with a sidecar). Plain JSON: it is stored
 * as the `parsed` snapshot and read by the `crap-to-fhir` mapping. Dates are FHIR dates / dateTimes.
 */

export type ReportForm = 'hl7v2-oru' | 'cda' | 'pdf-sidecar';

export interface Identifier {
  system: string;
  value: string;
}

export interface Coding {
  system: string;
  code: string;
  display?: string;
}

/** A coded concept, a text, or both (a CDA value with only an originalText, a sidecar free text). */
export interface CodeOrText {
  coding?: Coding;
  text?: string;
}

/** FHIR DiagnosticReport status the source status maps to (HL7 OBR-25/OBX-11 P/F/C/D, CDA version, sidecar). */
export type ReportStatus = 'preliminary' | 'final' | 'corrected' | 'entered-in-error';

export interface PatientIdentity {
  /** The INS, kept only when the identity is qualified (VALI/QUAL) and the NIR key is right. */
  ins?: Identifier;
  /** Local identifiers (IPP), each with its assigning authority (`urn:oid:<OID>`). */
  ipp: Identifier[];
  family?: string;
  given?: string;
  /** YYYY-MM-DD */
  birthDate?: string;
  gender?: 'male' | 'female' | 'other' | 'unknown';
}

export interface Pathologist {
  /** RPPS (11 digits) when known. */
  rpps?: string;
  /** National health professional id (`8` + RPPS, or `0` + ADELI…), OID 1.2.250.1.71.4.2.1. */
  idNatPs: string;
  family?: string;
  given?: string;
}

export interface Laboratory {
  /** FINESS (9 characters) when known. */
  finess?: string;
  /** National structure id (`1` + FINESS, `3` + SIRET…), OID 1.2.250.1.71.4.2.2. */
  idNatSt: string;
  name?: string;
}

export interface SpecimenInfo {
  identifier: Identifier;
  type?: CodeOrText;
  /** Collection dateTime. */
  collected?: string;
  /** Reception in the laboratory. */
  received?: string;
  bodySite?: CodeOrText;
}

export type ObservationValue =
  | { kind: 'codeable'; coding?: Coding; text?: string }
  | { kind: 'quantity'; value: number; unit?: string }
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'integer'; value: number }
  | { kind: 'dateTime'; value: string };

/** One structured CDA entry (tumour site, morphology, grade, margin, pTNM…), with its members (TNM components). */
export interface StructuredObservation {
  /**
   * Stable key within the report: the observation code, with its occurrence number when the code repeats
   * (`84882-0`, `44648-4.2`). Scoped by the report identifier it identifies the FHIR Observation, so that a corrected
   * version of the report updates the same Observations even when the sender renews its entry ids.
   */
  key: string;
  /** The entry's own id in the source document, when it has one (kept as a second identifier). */
  sourceId?: Identifier;
  code: CodeOrText;
  value?: ObservationValue;
  /** `aborted` in CDA (the value will not come) maps to `cancelled`. */
  status: 'final' | 'cancelled';
  effective?: string;
  /** Specimens the observation is about (identifiers as in `specimens`). */
  specimens: Identifier[];
  /** Keys of the observations grouped under this one (e.g. pT, pN, pM under the pTNM stage). */
  members: string[];
}

/** The original document, kept as sent (Base64 text taken as is, never decoded and re-encoded). */
export interface OriginalDocument {
  contentType: 'application/pdf' | 'text/xml';
  base64: string;
  /** Decoded size in bytes. */
  size: number;
  /** SHA-1 of the decoded bytes, Base64 (FHIR `Attachment.hash`). */
  sha1: string;
  title?: string;
  fileName?: string;
  /** Document format (IHE formatCode), e.g. `urn:ihe:palm:apsr:2016`. */
  format?: Coding;
}

export interface PathologyReport {
  form: ReportForm;
  /** What was recognised, in words, e.g. `CDA CR-ACP (APSR 2.0)`, `HL7v2 ORU^R01 + PDF`. */
  variant: string;
  /** The report's business identifier: key of the conditional updates (a re-send updates, never duplicates). */
  identifier: Identifier;
  /** The identifier of this version of the document, when it has its own (CDA `id`). */
  documentId?: Identifier;
  version?: number;
  status: ReportStatus;
  code: Coding;
  title?: string;
  /** Clinically relevant time: specimen collection, else the exam. */
  effective?: string;
  /** Validation / issue of the report. */
  issued?: string;
  conclusion?: string;
  patient: PatientIdentity;
  pathologist?: Pathologist;
  laboratory?: Laboratory;
  specimens: SpecimenInfo[];
  observations: StructuredObservation[];
  document: OriginalDocument;
}
