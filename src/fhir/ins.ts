import { error, type Issue } from '../engine/issues.js';

/** OIDs of the Identifiant National de Santé (INS) matricule, per the ANS référentiel INS. */
export const INS_OID = {
  NIR: '1.2.250.1.213.1.4.8',
  NIA: '1.2.250.1.213.1.4.9',
  NIR_TEST: '1.2.250.1.213.1.4.10',
  NIR_DEMO: '1.2.250.1.213.1.4.11',
} as const;

export const INS_SYSTEMS = Object.values(INS_OID).map((oid) => `urn:oid:${oid}`);

/**
 * Checks a NIR/NIA (13 characters + 2-digit key). The key is 97 − (the 13 first characters as a number mod 97),
 * where the Corsican department codes 2A and 2B count as 19 and 18.
 */
export function checkNir(value: string, path = 'NIR'): Issue[] {
  const v = value.replace(/\s/g, '').toUpperCase();
  if (!/^[12378]\d{4}(\d{2}|2A|2B)\d{6}\d{2}$/.test(v)) {
    return [error('NIR_FORMAT', 'an INS matricule is 15 characters: sex digit, year, month, department (digits, 2A or 2B), commune, order, 2-digit key', path)];
  }
  const body = v.slice(0, 13).replace('2A', '19').replace('2B', '18');
  const expected = 97 - Number(BigInt(body) % 97n);
  const key = Number(v.slice(13));
  if (key !== expected) return [error('NIR_KEY', `the NIR key ${v.slice(13)} is wrong (expected ${String(expected).padStart(2, '0')})`, path)];
  return [];
}

/** Identity reliability codes (FR Core 2.0 `fr-core-identity-reliability`; INS statuses VIDE, PROV, RECUP, VALI, QUAL). */
export const RELIABILITY_SYSTEM = 'http://interopsante.org/fhir/CodeSystem/fr-v2-0445';
/** The statuses under which an INS may be propagated: the identity was qualified (INS retrieved and verified). */
export const QUALIFIED_STATUSES = new Set(['VALI', 'QUAL']);
