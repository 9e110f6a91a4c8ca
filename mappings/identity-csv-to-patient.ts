import type { Extension, HumanName, Identifier, Patient } from '@medplum/fhirtypes';
import { defineMapping } from '../src/engine/define.js';
import { error, warning, type Issue } from '../src/engine/issues.js';
import type { CsvRecord } from '../src/steps/parsers/csv.js';
import { checkNir, INS_OID, QUALIFIED_STATUSES, RELIABILITY_SYSTEM } from '../src/fhir/ins.js';
import { FR_CORE, IDENTIFIER_TYPE_SYSTEM, insIdentifier, identifierKey } from '../src/fhir/fr-core.js';

/**
 * Identity CSV row → FR Core Patient.
 * Columns: ins, ins_oid?, nom_naissance, prenoms_naissance, nom_utilise?, prenom_utilise?, date_naissance,
 * sexe (M/F/I), lieu_naissance_insee?, ipp, ipp_autorite (OID), fiabilite (VIDE/PROV/RECUP/VALI/QUAL).
 * The INS is kept only when the identity is qualified (VALI/QUAL) and its NIR key is right; a wrong key rejects
 * the row, an unqualified identity keeps the patient without its INS (with a warning).
 */
const SEX: Record<string, Patient['gender']> = { M: 'male', F: 'female', I: 'other', U: 'unknown' };
const OID = /^[0-2](\.(0|[1-9]\d*))+$/;

function birthDate(v: string, issues: Issue[]): string | undefined {
  if (!v) return void issues.push(error('BIRTH_DATE_MISSING', 'the birth date is required', 'date_naissance'));
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) ?? /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(v);
  if (!m) return void issues.push(error('BIRTH_DATE_FORMAT', `birth date "${v}" is not YYYY-MM-DD or DD/MM/YYYY`, 'date_naissance'));
  const [y, mo, d] = v.includes('/') ? [m[3], m[2], m[1]] : [m[1], m[2], m[3]];
  const iso = `${y}-${mo}-${d}`;
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso) {
    return void issues.push(error('BIRTH_DATE_INVALID', `birth date "${v}" does not exist`, 'date_naissance'));
  }
  return iso;
}

function names(v: Record<string, string>, issues: Issue[]): HumanName[] {
  const out: HumanName[] = [];
  const family = v.nom_naissance ?? '';
  const given = (v.prenoms_naissance ?? '').replace(/\s+/g, ' ');
  if (!family) issues.push(error('BIRTH_NAME_MISSING', 'the birth family name is required', 'nom_naissance'));
  if (!given) issues.push(error('GIVEN_NAMES_MISSING', 'the birth given names are required', 'prenoms_naissance'));
  if (family && given) out.push({ use: 'official', family, given: [given] });
  if (v.nom_utilise || v.prenom_utilise) {
    out.push({ use: 'usual', ...(v.nom_utilise ? { family: v.nom_utilise } : {}), ...(v.prenom_utilise ? { given: [v.prenom_utilise] } : {}) });
  }
  return out;
}

function identifiers(v: Record<string, string>, reliability: string, issues: Issue[]): Identifier[] {
  const out: Identifier[] = [];
  if (v.ins) {
    const oid = v.ins_oid || INS_OID.NIR;
    const nirIssues = Object.values(INS_OID).includes(oid as never) ? checkNir(v.ins, 'ins') : [error('INS_OID', `"${oid}" is not an INS OID`, 'ins_oid')];
    issues.push(...nirIssues);
    if (nirIssues.length === 0) {
      if (QUALIFIED_STATUSES.has(reliability)) out.push(insIdentifier(v.ins.replace(/\s/g, ''), oid));
      else issues.push(warning('INS_NOT_QUALIFIED', `identity status ${reliability || '(none)'} is not qualified: the INS is not propagated`, 'ins'));
    }
  }
  if (v.ipp) {
    const authority = v.ipp_autorite ?? '';
    if (!OID.test(authority)) issues.push(error('IPP_AUTHORITY', `the IPP needs its assigning authority as an OID (got "${authority}")`, 'ipp_autorite'));
    else out.push({ use: 'usual', type: { coding: [{ system: IDENTIFIER_TYPE_SYSTEM, code: 'PI', display: 'Patient internal identifier' }] }, system: `urn:oid:${authority}`, value: v.ipp });
  }
  if (!v.ins && !v.ipp) issues.push(error('NO_IDENTIFIER', 'a row needs an INS or an IPP', 'ipp'));
  return out;
}

function birthPlace(code: string | undefined, issues: Issue[]): Extension[] {
  if (!code) return [];
  if (!/^(\d{5}|2[AB]\d{3})$/.test(code)) {
    issues.push(error('BIRTH_PLACE', `birth place "${code}" is not an INSEE code (5 characters, 99xxx abroad)`, 'lieu_naissance_insee'));
    return [];
  }
  return [{ url: FR_CORE.birthPlace, valueAddress: { district: code, ...(code.startsWith('99') ? {} : { country: 'FRA' }) } }];
}

export default defineMapping<CsvRecord>({
  name: 'identity-csv-to-patient',
  description: 'Identity CSV row (INS, birth names, birth date, sex, INSEE birth place, IPP) → FR Core Patient',
  input: 'csv',
  map({ values: v }) {
    const issues: Issue[] = [];
    const reliability = (v.fiabilite ?? '').toUpperCase();
    if (reliability && !['VIDE', 'PROV', 'RECUP', 'VALI', 'QUAL'].includes(reliability)) {
      issues.push(error('RELIABILITY', `identity status "${v.fiabilite}" is not one of VIDE, PROV, RECUP, VALI, QUAL`, 'fiabilite'));
    }
    const gender = SEX[(v.sexe ?? '').toUpperCase()];
    if (!gender) issues.push(error('SEX', `sex "${v.sexe ?? ''}" is not M, F or I`, 'sexe'));
    const patient: Patient = {
      resourceType: 'Patient',
      meta: { profile: [FR_CORE.patient] },
      extension: [
        { url: FR_CORE.identityReliability, extension: [{ url: 'identityReliability', valueCoding: { system: RELIABILITY_SYSTEM, code: reliability === 'QUAL' ? 'VALI' : reliability || 'VIDE' } }] },
        ...birthPlace(v.lieu_naissance_insee, issues),
      ],
      identifier: identifiers(v, reliability, issues),
      name: names(v, issues),
      gender,
      birthDate: birthDate(v.date_naissance ?? '', issues),
    };
    return {
      output: { content: patient, contentType: 'application/fhir+json' },
      issues,
      keys: { patient: (patient.identifier ?? []).map(identifierKey) },
    };
  },
});
