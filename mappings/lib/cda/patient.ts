/**
 * recordTarget/patientRole from an FR Core Patient, with the INS and its identity traits as the CI-SIS header asks:
 * INS (NIR/NIA) first, then the other identifiers (IPP); birth family name (`family qualifier="BR"`), the birth
 * given names (`given`) and the first of them (`given qualifier="BR"`), used names (`qualifier="CL"`), sex, birth
 * date and INSEE birth place (`birthplace/place/addr/county`).
 */
import type { Extension, HumanName, Patient } from '@medplum/fhirtypes';
import { error, warning, type Issue } from '../../../src/engine/issues.js';
import { checkNir, INS_SYSTEMS, QUALIFIED_STATUSES } from '../../../src/fhir/ins.js';
import { addressEl, cdEl, ele, iiEl, iiOf, telecomEls, ts, type El, type II } from './datatypes.js';
import { CS } from './oids.js';

const BIRTH_PLACE_URLS = ['http://hl7.org/fhir/StructureDefinition/patient-birthPlace', 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-birth-place'];
const RELIABILITY_URL = 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-ident-reliability';
const GENDER: Record<string, { code: string; displayName: string }> = {
  male: { code: 'M', displayName: 'Masculin' },
  female: { code: 'F', displayName: 'Féminin' },
  other: { code: 'U', displayName: 'Inconnu' },
  unknown: { code: 'U', displayName: 'Inconnu' },
};

/** The patient's identity as written in the document (also used for business keys and narratives). */
export interface PatientIdentity {
  /** INS first (when qualified), then the other identifiers. */
  ids: II[];
  /** True when an INS is written: its traits were checked. */
  hasIns: boolean;
  birthName?: string;
  birthGivenNames?: string;
  firstGivenName?: string;
  birthDate?: string;
  sex?: string;
}

const birthPlaceOf = (p: Patient): Extension | undefined => p.extension?.find((e) => BIRTH_PLACE_URLS.includes(e.url));

/** The identity reliability code (VIDE/PROV/RECUP/VALI, FR Core), when the Patient carries it. */
function reliabilityOf(p: Patient): string | undefined {
  const ext = p.extension?.find((e) => e.url === RELIABILITY_URL);
  return ext?.extension?.find((e) => e.url === 'identityReliability')?.valueCoding?.code;
}

/** Birth names from the FR Core official name: `given` holds the birth given names, the first of them first. */
function birthNames(p: Patient): { official?: HumanName; family?: string; givenNames?: string; first?: string } {
  const official = p.name?.find((n) => n.use === 'official');
  const givenNames = official?.given?.join(' ').replace(/\s+/g, ' ').trim() || undefined;
  return { official, family: official?.family?.trim() || undefined, givenNames, first: givenNames?.split(' ')[0] };
}

/**
 * Writes `<recordTarget>` and returns the identity. Issues: `CDA_PATIENT_ID` (no usable identifier),
 * `CDA_INS_TRAIT` (an INS without one of its mandatory traits), `CDA_INS_NOT_QUALIFIED` (warning: the INS of an
 * identity that is not qualified is not written), `NIR_FORMAT`/`NIR_KEY` (bad INS matricule).
 */
export function writeRecordTarget(parent: El, patient: Patient, path: string, issues: Issue[]): PatientIdentity {
  const insIds = (patient.identifier ?? []).filter((i) => i.system && INS_SYSTEMS.includes(i.system));
  const otherIds = (patient.identifier ?? []).filter((i) => !insIds.includes(i) && i.system?.startsWith('urn:oid:'));
  const reliability = reliabilityOf(patient);
  let writeIns = insIds.length > 0;
  if (writeIns && reliability !== undefined && !QUALIFIED_STATUSES.has(reliability)) {
    issues.push(warning('CDA_INS_NOT_QUALIFIED', `identity status ${reliability} is not qualified: the INS is not written in the document`, `${path}.extension('${RELIABILITY_URL}')`));
    writeIns = false;
  }
  const names = birthNames(patient);
  const place = birthPlaceOf(patient)?.valueAddress;
  const gender = patient.gender ? GENDER[patient.gender] : undefined;
  const ids: II[] = [];
  if (writeIns) {
    insIds.forEach((i, n) => {
      const nirIssues = checkNir(i.value ?? '', `${path}.identifier.where(system='${i.system}').value`);
      issues.push(...nirIssues);
      const id = iiOf(i, `${path}.identifier[${n}]`, issues);
      if (id && nirIssues.length === 0) ids.push(id);
    });
    const missing: [boolean, string, string][] = [
      [!names.family, 'birth family name', `${path}.name.where(use='official').family`],
      [!names.givenNames, 'birth given names', `${path}.name.where(use='official').given`],
      [!patient.birthDate, 'birth date', `${path}.birthDate`],
      [!gender, 'sex', `${path}.gender`],
      [!place?.district, 'INSEE birth place code', `${path}.extension('http://hl7.org/fhir/StructureDefinition/patient-birthPlace').valueAddress.district`],
    ];
    for (const [absent, what, where] of missing) {
      if (absent) issues.push(error('CDA_INS_TRAIT', `a patient identified by INS needs the ${what} (INS identity trait)`, where));
    }
  }
  otherIds.forEach((i) => {
    const id = iiOf(i, `${path}.identifier.where(system='${i.system}')`, issues);
    if (id) ids.push(id);
  });
  if (ids.length === 0) {
    issues.push(error('CDA_PATIENT_ID', 'the patient needs an INS or an identifier with a urn:oid: system (IPP)', `${path}.identifier`));
  }

  const role = parent.ele('recordTarget').ele('patientRole');
  for (const id of ids) iiEl(role, id);
  for (const a of patient.address ?? []) addressEl(role, a);
  telecomEls(role, patient.telecom);
  const p = role.ele('patient', { classCode: 'PSN' });
  writePatientName(p, patient, names);
  if (gender) cdEl(p, 'administrativeGenderCode', { ...gender, codeSystem: CS.ADMINISTRATIVE_GENDER });
  else ele(p, 'administrativeGenderCode', { nullFlavor: 'UNK' });
  const birth = ts(patient.birthDate);
  ele(p, 'birthTime', birth ? { value: birth } : { nullFlavor: 'UNK' });
  if (place?.district || place?.city) {
    const addr = p.ele('birthplace').ele('place').ele('addr');
    if (place.district) addr.ele('county').txt(place.district);
    if (place.city) addr.ele('city').txt(place.city);
  }
  return {
    ids,
    hasIns: writeIns && ids.length > 0 && insIds.length > 0,
    birthName: names.family,
    birthGivenNames: names.givenNames,
    firstGivenName: names.first,
    birthDate: patient.birthDate,
    sex: gender?.displayName,
  };
}

function writePatientName(p: El, patient: Patient, names: ReturnType<typeof birthNames>): void {
  const usual = patient.name?.find((n) => n.use === 'usual');
  const fallback = names.official ? undefined : usual ?? patient.name?.[0];
  const e = p.ele('name');
  if (names.family) e.ele('family', { qualifier: 'BR' }).txt(names.family);
  if (names.givenNames) e.ele('given').txt(names.givenNames);
  if (names.first) e.ele('given', { qualifier: 'BR' }).txt(names.first);
  const used = usual ?? fallback;
  if (used?.family) e.ele('family', { qualifier: 'CL' }).txt(used.family);
  if (used?.given?.length) e.ele('given', { qualifier: 'CL' }).txt(used.given.join(' '));
  if (!names.family && !used?.family && !names.givenNames && !used?.given?.length) e.att('nullFlavor', 'UNK');
}
