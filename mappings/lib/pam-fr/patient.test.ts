import { describe, expect, it } from 'vitest';
import type { Extension } from '@medplum/fhirtypes';
import { buildPatient, FR_CORE_EXT } from './patient.js';
import { message } from './test-support.js';

const IPP = '0123456^^^CHU-Y&1.2.250.1.211.10.200.2&ISO^PI';
const NIR = '285057505612338^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS';
/** A PID with fields set by number. */
const pid = (fields: Record<number, string>) => {
  const all: Record<number, string> = { 1: '1', 3: `${IPP}~${NIR}`, 5: 'DUPONT^HÉLÈNE^HÉLÈNE FRANÇOISE^^^^L', 7: '19850512', 8: 'F', 32: 'VALI', ...fields };
  return 'PID|' + Array.from({ length: Math.max(...Object.keys(all).map(Number)) }, (_, i) => all[i + 1] ?? '').join('|');
};
const build = (pidLine: string, zfd?: string) => {
  const m = message(pidLine, ...(zfd ? [zfd] : []));
  return buildPatient(m.segment('PID')!, m.segment('ZFD'));
};
const ext = (exts: Extension[] | undefined, url: string) => exts?.find((e) => e.url === url);
const codes = (r: { issues: { code: string }[] }) => r.issues.map((i) => i.code);

describe('PID → FR Core Patient', () => {
  it('maps identity traits, reliability, birth place, addresses, telecom, marital status, language', () => {
    const r = build(
      pid({
        11: "12 rue de l'Église^Bât. C^Besançon^^25000^FRA^H^^25056~^^^^^FRA^BDL^^75056",
        13: '^PRN^PH^^^^^^^^^0381000000~^PRN^CP^^^^^^^^^0601020304~^NET^Internet^h.d@example.org',
        14: '^WPN^PH^^^^^^^^^0381999999',
        15: 'fr',
        16: 'M',
      }),
    );
    expect(r.issues).toEqual([]);
    const p = r.patient;
    expect(p.meta?.profile).toEqual(['http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient']);
    expect(p.identifier?.map((i) => i.value)).toEqual(['0123456', '285057505612338']);
    expect(p).toMatchObject({ gender: 'female', birthDate: '1985-05-12', active: true, maritalStatus: { coding: [{ code: 'M' }] }, communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'fr' }] } }] });
    expect(ext(p.extension, 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-ident-reliability')?.extension).toEqual([
      { url: 'identityReliability', valueCoding: { system: 'http://interopsante.org/fhir/CodeSystem/fr-v2-0445', code: 'VALI', display: 'Identité validée' } },
    ]);
    expect(ext(p.extension, 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace')?.valueAddress).toEqual({ district: '75056', country: 'FRA' });
    expect(p.address).toEqual([
      {
        extension: [{ url: 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code', valueCoding: { system: 'https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM', code: '25056' } }],
        use: 'home',
        line: ["12 rue de l'Église", 'Bât. C'],
        city: 'Besançon',
        postalCode: '25000',
        country: 'FRA',
      },
    ]);
    expect(p.telecom).toEqual([
      { system: 'phone', value: '0381000000', use: 'home' },
      { system: 'phone', value: '0601020304', use: 'mobile' },
      { system: 'email', value: 'h.d@example.org' },
      { system: 'phone', value: '0381999999', use: 'work' },
    ]);
  });
  it('maps ZFD: identity collection method and date, birth date corrected flag, lunar date, validation document', () => {
    const r = build(pid({}), 'ZFD|33^14^1980||Y|N|INSI|20211201|PA|20300101');
    const e = r.patient.extension;
    expect(ext(e, FR_CORE_EXT.identityMethodCollection)?.extension).toEqual([
      { url: 'methodCollection', valueCoding: { system: 'http://interopsante.org/fhir/CodeSystem/fr-cs-identity-method-collection', code: 'INSI' } },
      { url: 'collectionDate', valueDate: '2021-12-01' },
    ]);
    expect(ext(e, FR_CORE_EXT.birthdateUpdateIndicator)?.valueBoolean).toBe(false);
    expect(ext(e, FR_CORE_EXT.lunarDate)?.valueString).toBe('33/14/1980');
    expect(ext(e, 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-ident-reliability')?.extension?.[1]).toEqual({ url: 'validationMode', valueCoding: { system: 'http://interopsante.org/fhir/CodeSystem/fr-cs-mode-validation-identite', code: 'PA' } });
  });
  it('a corrected birth date (ZFD-4 = Y) keeps the INS out', () => {
    const r = build(pid({}), 'ZFD||||Y|INSI|20211201');
    expect(r.patient.identifier?.map((i) => i.value)).toEqual(['0123456']);
    expect(codes(r)).toEqual(['INS_NOT_QUALIFIED']);
  });
  it('records RNIV status names as their PAM FR code: QUAL keeps the INS as VALI, RECUP drops it as PROV', () => {
    const qual = build(pid({ 32: 'QUAL' }));
    expect(qual.patient.identifier).toHaveLength(2);
    expect(ext(qual.patient.extension, 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-ident-reliability')?.extension?.[0]?.valueCoding?.code).toBe('VALI');
    const recup = build(pid({ 32: 'RECUP' }));
    expect(recup.patient.identifier).toHaveLength(1);
    expect(codes(recup)).toEqual(['INS_NOT_QUALIFIED', 'RELIABILITY_RNIV']);
  });
  it('an empty PID-32 is VIDE; an unknown status is VIDE with a warning', () => {
    expect(ext(build(pid({ 32: '' })).patient.extension, 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-ident-reliability')?.extension?.[0]?.valueCoding?.code).toBe('VIDE');
    expect(codes(build(pid({ 32: 'ZZZ' })))).toEqual(['INS_NOT_QUALIFIED', 'RELIABILITY_CODE']);
  });
  it('death, multiple birth', () => {
    expect(build(pid({ 24: 'Y', 25: '2', 29: '20250101101500', 30: 'Y' })).patient).toMatchObject({ multipleBirthInteger: 2, deceasedDateTime: '2025-01-01T10:15:00+01:00' });
    expect(build(pid({ 24: 'N', 30: 'N' })).patient).toMatchObject({ multipleBirthBoolean: false, deceasedBoolean: false });
    expect(build(pid({ 25: '1' })).patient.multipleBirthInteger).toBeUndefined(); // PID-25 alone: the ANS examples send 1
  });
  it('errors: no IPP, no or bad birth date; warnings: sex, bad birth place', () => {
    const sev = (r: { issues: { severity: string; code: string }[] }) => r.issues.map((i) => `${i.severity}:${i.code}`);
    expect(sev(build(pid({ 3: NIR })))).toEqual(['error:NO_IPP']);
    expect(sev(build(pid({ 7: '' })))).toEqual(['error:BIRTH_DATE_MISSING']);
    expect(sev(build(pid({ 7: '19850231' })))).toEqual(['error:BIRTH_DATE_INVALID']);
    expect(sev(build(pid({ 8: '' })))).toEqual(['warning:SEX_MISSING']);
    expect(sev(build(pid({ 8: 'X' })))).toEqual(['warning:SEX_CODE']);
    expect(sev(build(pid({ 11: '^^^^^FRA^BDL^^Paris' })))).toEqual(['warning:BIRTH_PLACE']);
  });
});
