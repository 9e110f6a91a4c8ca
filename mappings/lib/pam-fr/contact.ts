/**
 * PID-11 addresses (the BDL repetition is the birth place, PAM FR §6.6.6 and annex N.6), PID-13/14 telecoms.
 */
import type { Address, ContactPoint, Extension } from '@medplum/fhirtypes';
import { FR_CORE } from '../../../src/fhir/fr-core.js';
import { warning, type Issue } from '../../../src/engine/issues.js';
import { isExplicitNull, type Xad, type Xtn } from './hl7-types.js';

/** System of the INSEE commune codes in FR Core's `fr-core-insee-code` value set. */
export const INSEE_COMMUNE_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM';
export const FR_CORE_ADDRESS_INSEE = 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code';
const INSEE = /^(\d{5}|2[AB]\d{3})$/;

const ADDRESS_USE: Record<string, Address['use']> = { H: 'home', O: 'work', B: 'work', C: 'temp', BA: 'old' };
const v = (s: string) => (isExplicitNull(s) ? '' : s.trim());

function address(x: Xad, issues: Issue[], where: string): Address | undefined {
  const line = [v(x.street), v(x.otherDesignation)].filter(Boolean);
  const insee = v(x.countyCode);
  const extension: Extension[] = [];
  if (insee) {
    if (INSEE.test(insee)) extension.push({ url: FR_CORE_ADDRESS_INSEE, valueCoding: { system: INSEE_COMMUNE_SYSTEM, code: insee } });
    else issues.push(warning('INSEE_CODE', `"${insee}" is not an INSEE commune code: not mapped`, `${where}.9`));
  }
  const a: Address = {
    ...(extension.length ? { extension } : {}),
    ...(ADDRESS_USE[x.addressType] ? { use: ADDRESS_USE[x.addressType] } : {}),
    ...(line.length ? { line } : {}),
    ...(v(x.city) ? { city: v(x.city) } : {}),
    ...(v(x.state) ? { state: v(x.state) } : {}),
    ...(v(x.postalCode) ? { postalCode: v(x.postalCode) } : {}),
    ...(v(x.country) ? { country: v(x.country) } : {}),
  };
  return Object.keys(a).length > (a.use ? 1 : 0) ? a : undefined;
}

/**
 * The birth place (XAD.7 = BDL): the INSEE code of the commune (XAD.9; `99xxx` for a country abroad) in
 * `district`, as the identity CSV mapping does, with city, postal code and country when sent.
 */
function birthPlace(x: Xad, issues: Issue[], where: string): Extension | undefined {
  const insee = v(x.countyCode);
  if (insee && !INSEE.test(insee)) {
    issues.push(warning('BIRTH_PLACE', `birth place "${insee}" is not an INSEE code (5 characters, 99xxx abroad): not mapped`, `${where}.9`));
    return undefined;
  }
  const country = v(x.country) || (insee && !insee.startsWith('99') ? 'FRA' : '');
  const value: Address = {
    ...(insee ? { district: insee } : {}),
    ...(v(x.city) ? { city: v(x.city) } : {}),
    ...(v(x.postalCode) ? { postalCode: v(x.postalCode) } : {}),
    ...(country ? { country } : {}),
  };
  return Object.keys(value).length ? { url: FR_CORE.birthPlace, valueAddress: value } : undefined;
}

export function patientAddresses(list: Xad[], path: string): { addresses: Address[]; birthPlace?: Extension; issues: Issue[] } {
  const issues: Issue[] = [];
  const addresses: Address[] = [];
  let place: Extension | undefined;
  for (const x of list) {
    const where = `${path}[${x.repetition}]`;
    if (x.addressType === 'BDL') place ??= birthPlace(x, issues, where);
    else {
      const a = address(x, issues, where);
      if (a) addresses.push(a);
    }
  }
  return { addresses, ...(place ? { birthPlace: place } : {}), issues };
}

const PHONE_USE: Record<string, ContactPoint['use']> = { PRN: 'home', ORN: 'home', VHN: 'home', WPN: 'work' };

/** PID-13 (home) and PID-14 (business) XTN → ContactPoint (email for NET / Internet, mobile for CP). */
export function telecoms(list: Xtn[], defaultUse: ContactPoint['use']): ContactPoint[] {
  const out: ContactPoint[] = [];
  for (const x of list) {
    if (x.useCode === 'NET' || x.equipmentType === 'Internet' || x.equipmentType === 'X.400') {
      const email = v(x.email) || v(x.number);
      if (email) out.push({ system: 'email', value: email, ...(defaultUse === 'work' ? { use: 'work' } : {}) });
      continue;
    }
    const number = v(x.number);
    if (!number) continue;
    const system: ContactPoint['system'] = x.equipmentType === 'FX' ? 'fax' : x.equipmentType === 'BP' ? 'pager' : 'phone';
    const use = x.equipmentType === 'CP' ? 'mobile' : (PHONE_USE[x.useCode] ?? defaultUse);
    out.push({ system, value: number, ...(use ? { use } : {}) });
  }
  return out;
}
