import { describe, expect, it } from 'vitest';
import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { OperationOutcomeIssue, Patient, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { loadProfiles } from './profiles.js';
import { ProfileValidator } from './profile-validator.js';
import { FR_CORE } from './fr-core.js';
import { nirWithKey } from '../../test/helpers.js';

const profiles = loadProfiles('../shared/fhir/fr-core-2.0.0');
const patientProfile = profiles.get(FR_CORE.patient) as StructureDefinition;

/** What medplum says when it parses the profile on every call: the reference behaviour. */
function reference(resource: Resource, profile: StructureDefinition): OperationOutcomeIssue[] {
  try {
    return validateResource(resource, { profile });
  } catch (e) {
    if (e instanceof OperationOutcomeError) return e.outcome.issue ?? [];
    throw e;
  }
}

const valid: Patient = {
  resourceType: 'Patient',
  meta: { profile: [FR_CORE.patient] },
  extension: [
    { url: FR_CORE.identityReliability, extension: [{ url: 'identityReliability', valueCoding: { system: 'https://mos.esante.gouv.fr/NOS/TRE_R352-StatutIdentite/FHIR/TRE-R352-StatutIdentite', code: 'VALI' } }] },
    { url: FR_CORE.birthPlace, valueAddress: { district: '75056', country: 'FRA' } },
  ],
  identifier: [
    { use: 'official', system: 'urn:oid:1.2.250.1.213.1.4.8', value: nirWithKey('1600175056123'), type: { coding: [{ system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203', code: 'INS-NIR' }] } },
    { use: 'usual', system: 'urn:oid:1.2.250.1.71.4.2.7', value: '123456' },
  ],
  name: [{ use: 'official', family: 'DUPONT', given: ['Jean', 'Pierre'] }],
  gender: 'male',
  birthDate: '1960-01-02',
};

const broken: [string, (p: Patient) => unknown][] = [
  ['birth date not a date', (p) => (p.birthDate = '02/01/1960')],
  ['unknown property', (p) => ((p as unknown as Record<string, unknown>).nickname = 'JP')],
  ['gender outside the value set', (p) => ((p as unknown as Record<string, unknown>).gender = 'M')],
  ['identifier not an array', (p) => ((p as unknown as Record<string, unknown>).identifier = { value: '1' })],
  ['extension without url', (p) => p.extension?.push({ valueString: 'x' } as never)],
  ['name family not a string', (p) => ((p.name as unknown as Record<string, unknown>[])[0]!.family = 42)],
  ['empty given', (p) => (p.name![0]!.given = [''])],
  ['deceased both ways', (p) => Object.assign(p, { deceasedBoolean: true, deceasedDateTime: '2020-01-01' })],
  ['reliability coding wrong type', (p) => (p.extension![0]!.extension![0] = { url: 'identityReliability', valueString: 'VALI' })],
  ['contained patient', (p) => (p.contained = [{ resourceType: 'Patient', birthDate: 'x' }])],
  ['no identifier', (p) => delete p.identifier],
  ['telecom bad system', (p) => (p.telecom = [{ system: 'pigeon' as never, value: '1' }])],
];

describe('ProfileValidator (profile parsed once)', () => {
  const validator = new ProfileValidator();

  it('gives medplum’s issues on a valid FR Core Patient', () => {
    expect(validator.validate(valid, patientProfile)).toEqual(reference(valid, patientProfile));
  });

  it.each(broken)('gives medplum’s issues when %s', (_name, mutate) => {
    const p = structuredClone(valid);
    mutate(p);
    const expected = reference(p, patientProfile);
    expect(validator.validate(p, patientProfile)).toEqual(expected);
  });

  it('is checked on broken resources that medplum really rejects (the comparison is not between empty lists)', () => {
    const rejected = broken.filter(([, mutate]) => {
      const p = structuredClone(valid);
      mutate(p);
      return reference(p, patientProfile).some((i) => i.severity === 'error');
    });
    expect(rejected.length).toBeGreaterThanOrEqual(7);
  });

  it('leaves the base Patient type untouched for validation without a profile', () => {
    validator.validate(valid, patientProfile);
    const unprofiled: Patient = { resourceType: 'Patient', birthDate: '1960-01-02' };
    expect(validator.validate(unprofiled)).toEqual(reference(unprofiled, undefined as never));
  });

  it('falls back to medplum when the profile is for another type', () => {
    expect(validator.validate({ resourceType: 'Practitioner' }, patientProfile)).toEqual(reference({ resourceType: 'Practitioner' }, patientProfile));
  });
});
