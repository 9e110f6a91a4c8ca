/**
 * PID (+ ZFD) → FR Core Patient (FR Core 2.0 `fr-core-patient`, which carries the INS slices).
 */
import type { CodeableConcept, Extension, Identifier, Patient } from '@medplum/fhirtypes';
import type { Hl7Segment } from '../../../src/formats/hl7v2/index.js';
import { error, info, warning, type Issue } from '../../../src/engine/issues.js';
import { FR_CORE } from '../../../src/fhir/fr-core.js';
import { RELIABILITY_SYSTEM } from '../../../src/fhir/ins.js';
import { patientAddresses, telecoms } from './contact.js';
import { hl7Date, hl7DateTime } from './dates.js';
import { cxList, xadList, xpnList, xtnList } from './hl7-types.js';
import { pidIdentifiers, type PidIdentifiers } from './identifiers.js';
import { patientNames } from './names.js';

export const FR_CORE_EXT = {
  identityMethodCollection: 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-identity-method-collection',
  birthdateUpdateIndicator: 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-birthdate-update-indicator',
  lunarDate: 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-lunar-date',
} as const;
const METHOD_COLLECTION_SYSTEM = 'http://interopsante.org/fhir/CodeSystem/fr-cs-identity-method-collection';
const VALIDATION_MODE_SYSTEM = 'http://interopsante.org/fhir/CodeSystem/fr-cs-mode-validation-identite';

/** FR Core `fr-core-identity-reliability` codes (PAM FR table 0445 statuses). */
const RELIABILITY_DISPLAY: Record<string, string> = {
  VIDE: 'Identité non encore qualifiée',
  PROV: 'Identité provisoire',
  VALI: 'Identité validée',
  DOUB: 'Doublon',
  DESA: 'Identité désactivée',
  DPOT: 'Doublon potentiel',
  DOUA: 'Doublon avéré',
  COLP: 'Collision potentielle',
  COLV: 'Collision avérée',
  FILI: 'Filiation',
  CACH: 'Identité cachée',
  ANOM: 'Anonyme',
  IDVER: 'Identité vérifiée par le patient',
  RECD: "Identité reçue d'un autre domaine",
  IDRA: 'Identité rapprochée dans un autre domaine',
  USUR: 'Identité usurpée',
  HOMD: 'Homonyme détecté',
  HOMA: 'Homonyme avéré',
  INVA: 'Identité invalidée',
};
/** RNIV status names some senders put in PID-32, and their PAM FR table 0445 equivalent. */
const RNIV_STATUS: Record<string, string> = { QUAL: 'VALI', RECUP: 'PROV' };
const METHODS = new Set(['SM', 'CV', 'INSI', 'CB', 'RFID']);
const VALIDATION_MODES = new Set(['AN', 'CC', 'CE', 'CM', 'CN', 'CS', 'LE', 'PA', 'PC']);
const SEX: Record<string, Patient['gender']> = { F: 'female', M: 'male', U: 'unknown', O: 'other', A: 'other', N: 'unknown' };
const MARITAL: Record<string, string> = { A: 'L', D: 'D', M: 'M', S: 'S', W: 'W', P: 'T', G: 'T', U: 'UNK' };

export interface PatientResult {
  patient: Patient;
  ids: PidIdentifiers;
  issues: Issue[];
}

function reliabilityExtension(statuses: string[], zfd: Hl7Segment | undefined, issues: Issue[]): Extension {
  const raw = statuses[0] ?? '';
  let code = RNIV_STATUS[raw] ?? raw;
  if (RNIV_STATUS[raw]) issues.push(info('RELIABILITY_RNIV', `PID-32 "${raw}" is an RNIV status name: recorded as the PAM FR code ${code}`, 'PID-32'));
  if (!code) code = 'VIDE';
  else if (!RELIABILITY_DISPLAY[code]) {
    issues.push(warning('RELIABILITY_CODE', `PID-32 "${raw}" is not a PAM FR identity status (table 0445): recorded as VIDE`, 'PID-32'));
    code = 'VIDE';
  }
  const inner: Extension[] = [{ url: 'identityReliability', valueCoding: { system: RELIABILITY_SYSTEM, code, display: RELIABILITY_DISPLAY[code] } }];
  const mode = zfd?.get(7).toUpperCase() ?? '';
  if (VALIDATION_MODES.has(mode)) inner.push({ url: 'validationMode', valueCoding: { system: VALIDATION_MODE_SYSTEM, code: mode } });
  else if (mode) issues.push(info('ZFD_VALIDATION_MODE', `ZFD-7 "${mode}" has no FR Core validation mode code: not mapped`, 'ZFD-7'));
  return { url: FR_CORE.identityReliability, extension: inner };
}

function zfdExtensions(zfd: Hl7Segment | undefined, issues: Issue[]): Extension[] {
  if (!zfd) return [];
  const out: Extension[] = [];
  const method = zfd.get(5).toUpperCase();
  const collected = hl7Date(zfd.get(6));
  if (method && !METHODS.has(method)) issues.push(warning('ZFD_METHOD', `ZFD-5 "${method}" is not SM, CV, INSI, CB or RFID: not mapped`, 'ZFD-5'));
  const inner: Extension[] = [
    ...(METHODS.has(method) ? [{ url: 'methodCollection', valueCoding: { system: METHOD_COLLECTION_SYSTEM, code: method } }] : []),
    ...(collected && collected.length === 10 ? [{ url: 'collectionDate', valueDate: collected }] : []),
  ];
  if (inner.length) out.push({ url: FR_CORE_EXT.identityMethodCollection, extension: inner });
  const corrected = zfd.get(4).toUpperCase();
  if (corrected === 'Y' || corrected === 'N') out.push({ url: FR_CORE_EXT.birthdateUpdateIndicator, valueBoolean: corrected === 'Y' });
  const [d, m, y] = [zfd.get({ field: 1, component: 1 }), zfd.get({ field: 1, component: 2 }), zfd.get({ field: 1, component: 3 })];
  if (d && m && y) out.push({ url: FR_CORE_EXT.lunarDate, valueString: `${d.padStart(2, '0')}/${m.padStart(2, '0')}/${y}` });
  return out;
}

function codeable(system: string, code: string): CodeableConcept {
  return { coding: [{ system, code }] };
}

/**
 * Builds the Patient of a PID segment (and its ZFD). The INS rules are applied in {@link pidIdentifiers}; a wrong or unqualified INS is a warning, never an error.
 */
export function buildPatient(pid: Hl7Segment, zfd: Hl7Segment | undefined): PatientResult {
  const issues: Issue[] = [];
  const statuses = pid.getAll(32).map((s) => s.trim().toUpperCase()).filter(Boolean);
  const ids = pidIdentifiers(cxList(pid, 3), { reliability: statuses.map((s) => RNIV_STATUS[s] ?? s), birthDateCorrected: zfd?.get(4).toUpperCase() === 'Y' }, 'PID-3');
  issues.push(...ids.issues);
  if (!ids.ipp) issues.push(error('NO_IPP', 'PID-3 has no IPP (type PI with an OID or FINESS assigning authority): the patient cannot be updated idempotently', 'PID-3'));

  const names = patientNames(xpnList(pid, 5), 'PID-5');
  issues.push(...names.issues);

  const rawBirth = pid.get(7);
  const birthDate = hl7Date(rawBirth);
  if (!rawBirth) issues.push(error('BIRTH_DATE_MISSING', 'PID-7 (birth date) is required by FR Core', 'PID-7'));
  else if (!birthDate) issues.push(error('BIRTH_DATE_INVALID', `PID-7 "${rawBirth}" is not a valid HL7 date`, 'PID-7'));

  const sex = pid.get(8).toUpperCase();
  let gender = SEX[sex];
  if (!sex) {
    issues.push(warning('SEX_MISSING', 'PID-8 (sex) is empty: recorded as unknown', 'PID-8'));
    gender = 'unknown';
  } else if (!gender) {
    issues.push(warning('SEX_CODE', `PID-8 "${sex}" is not F, M or U: recorded as unknown`, 'PID-8'));
    gender = 'unknown';
  }

  const addr = patientAddresses(xadList(pid, 11), 'PID-11');
  issues.push(...addr.issues);
  const telecom = [...telecoms(xtnList(pid, 13), 'home'), ...telecoms(xtnList(pid, 14), 'work')];

  const identifier: Identifier[] = [...(ids.ipp ? [ids.ipp] : []), ...(ids.ins ? [ids.ins] : []), ...ids.others];
  const marital = MARITAL[pid.get(16).toUpperCase()];
  const language = pid.get(15).toLowerCase();
  const deathDate = hl7DateTime(pid.get(29));
  const deathIndicator = pid.get(30).toUpperCase();
  const multiple = pid.get(24).toUpperCase();
  const order = Number(pid.get(25));

  const patient: Patient = {
    resourceType: 'Patient',
    meta: { profile: [FR_CORE.patient] },
    extension: [reliabilityExtension(statuses, zfd, issues), ...(addr.birthPlace ? [addr.birthPlace] : []), ...zfdExtensions(zfd, issues)],
    identifier,
    active: true,
    name: names.names,
    ...(telecom.length ? { telecom } : {}),
    gender,
    ...(birthDate ? { birthDate } : {}),
    ...(deathDate ? { deceasedDateTime: deathDate } : deathIndicator === 'Y' ? { deceasedBoolean: true } : deathIndicator === 'N' ? { deceasedBoolean: false } : {}),
    ...(addr.addresses.length ? { address: addr.addresses } : {}),
    ...(marital ? { maritalStatus: codeable('http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', marital) } : {}),
    ...(multiple === 'Y' ? (Number.isInteger(order) && order > 0 ? { multipleBirthInteger: order } : { multipleBirthBoolean: true }) : multiple === 'N' ? { multipleBirthBoolean: false } : {}),
    ...(/^[a-z]{2}$/.test(language) ? { communication: [{ language: codeable('urn:ietf:bcp:47', language), preferred: true }] } : {}),
  };
  return { patient, ids, issues };
}
