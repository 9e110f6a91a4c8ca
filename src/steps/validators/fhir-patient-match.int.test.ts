import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Patient } from '@medplum/fhirtypes';
import { startTestFhirServer, type TestFhirServer } from '../../devtools/fhir-server.js';
import type { ValidateFn } from '../../engine/define.js';
import { fhirPatientMatchValidator, identifiersOfSearch } from './fhir-patient-match.js';

const INS = 'urn:oid:1.2.250.1.213.1.4.8';
const IPP = 'urn:oid:1.2.250.1.999.2.1';
const ref = (ids: [string, string][]) => `Patient?${new URLSearchParams({ identifier: ids.map(([s, v]) => `${s}|${v}`).join(',') }).toString()}`;
const report = (...refs: string[]) => ({
  content: { resourceType: 'Bundle', type: 'transaction', entry: refs.map((r) => ({ resource: { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'x' }, subject: { reference: r } }, request: { method: 'PUT', url: 'DiagnosticReport?identifier=a|1' } })) },
  contentType: 'application/fhir+json',
});
const codes = (issues: { code: string }[]) => issues.map((i) => i.code);

/** The validator against a real FHIR server over HTTP (medplum's router, as the DCC stand-in). */
describe('fhir-patient-match', () => {
  let fhir: TestFhirServer;
  let failures = 0;
  let validate: ValidateFn;
  const create = async (p: Patient) => fhir.repo.createResource(p);

  beforeAll(async () => {
    fhir = await startTestFhirServer({ fail: ({ url }) => (url.startsWith('/Patient?') && failures > 0 ? (failures--, 503) : undefined) });
    await create({ resourceType: 'Patient', identifier: [{ system: INS, value: '258066912304592' }, { system: IPP, value: 'IPP-1' }], name: [{ family: 'DURAND' }] });
    await create({ resourceType: 'Patient', identifier: [{ system: IPP, value: 'IPP-TWIN' }] });
    await create({ resourceType: 'Patient', identifier: [{ system: IPP, value: 'IPP-TWIN' }] });
    await create({ resourceType: 'Patient', identifier: [{ system: INS, value: '277069201203339' }, { system: IPP, value: 'IPP-3' }] });
    await create({ resourceType: 'Patient', identifier: [{ system: IPP, value: 'IPP-NO-INS' }] });
    await create({ resourceType: 'Patient', identifier: [{ system: IPP, value: 'IPP-MERGED' }], link: [{ type: 'replaced-by', other: { reference: 'Patient/x' } }] });
    validate = await fhirPatientMatchValidator.create(fhirPatientMatchValidator.options.parse({ baseUrl: fhir.baseUrl, retryDelayMs: 10 }), { baseDir: '.' });
  });
  afterAll(() => fhir?.close());

  it('exactly one Patient matches by INS and IPP: no issue', async () => {
    expect(await validate(report(ref([[INS, '258066912304592'], [IPP, 'IPP-1']])))).toEqual([]);
  });

  it('the identifiers are alternatives: a Patient without INS in the DCC is found by its IPP', async () => {
    expect(await validate(report(ref([[INS, '282103155507811'], [IPP, 'IPP-NO-INS']])))).toEqual([]);
  });

  it('no Patient: held for identity review, the identifiers are not quoted', async () => {
    const issues = await validate(report(ref([[INS, '149021305504495'], [IPP, 'IPP-UNKNOWN']])));
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', hold: true, code: 'PATIENT_NOT_FOUND' })]);
    expect(issues[0]!.message).toContain(`INS, ${IPP}`);
    expect(issues[0]!.message).not.toContain('149021305504495');
  });

  it('several Patients: held (duplicates), also when INS and IPP point at two different Patients', async () => {
    expect(codes(await validate(report(ref([[IPP, 'IPP-TWIN']]))))).toEqual(['PATIENT_AMBIGUOUS']);
    expect(codes(await validate(report(ref([[INS, '258066912304592'], [IPP, 'IPP-3']]))))).toEqual(['PATIENT_AMBIGUOUS']);
  });

  it('one Patient found by IPP but carrying another INS: identity conflict, held', async () => {
    const issues = await validate(report(ref([[INS, '149021305504495'], [IPP, 'IPP-3']])));
    expect(issues).toEqual([expect.objectContaining({ hold: true, code: 'PATIENT_IDENTIFIER_CONFLICT', message: expect.stringMatching(/has another INS than the report/) })]);
  });

  it('a merged Patient (link replaced-by) is not attached to', async () => {
    expect(codes(await validate(report(ref([[IPP, 'IPP-MERGED']]))))).toEqual(['PATIENT_REPLACED']);
  });

  it('every distinct conditional reference is checked', async () => {
    expect(codes(await validate(report(ref([[IPP, 'IPP-1']]), ref([[IPP, 'IPP-NOPE']]))))).toEqual(['PATIENT_NOT_FOUND']);
  });

  it('a DCC that fails transiently is retried; one that keeps failing or cannot be reached holds the message', async () => {
    failures = 2;
    expect(await validate(report(ref([[IPP, 'IPP-1']])))).toEqual([]);
    failures = 5;
    expect(await validate(report(ref([[IPP, 'IPP-1']])))).toEqual([expect.objectContaining({ hold: true, code: 'PATIENT_MATCH_UNAVAILABLE', message: expect.stringContaining('HTTP 503') })]);
    failures = 0;
    const down = await fhirPatientMatchValidator.create(fhirPatientMatchValidator.options.parse({ baseUrl: 'http://127.0.0.1:9/fhir/R4', attempts: 2, retryDelayMs: 10 }), { baseDir: '.' });
    expect(await down(report(ref([[IPP, 'IPP-1']])))).toEqual([expect.objectContaining({ hold: true, code: 'PATIENT_MATCH_UNAVAILABLE', message: expect.stringContaining('unreachable') })]);
  });

  it('nothing to check is said; offline runs skip the DCC with an info', async () => {
    expect(codes(await validate({ content: { resourceType: 'Basic' }, contentType: 'application/fhir+json' }))).toEqual(['PATIENT_MATCH_NO_REFERENCE']);
    const offline = await fhirPatientMatchValidator.create(fhirPatientMatchValidator.options.parse({ baseUrl: 'http://127.0.0.1:9/fhir/R4', token: { env: 'RELAIS_TEST_UNSET_TOKEN' } }), { baseDir: '.', offline: true });
    expect(await offline(report(ref([[IPP, 'IPP-1']])))).toEqual([expect.objectContaining({ severity: 'info', code: 'PATIENT_MATCH_SKIPPED' })]);
  });

  it('reads escaped search values', () => {
    expect(identifiersOfSearch(new URLSearchParams({ identifier: 'urn:oid:1.2|A\\,1\\|2,urn:oid:3|B' }))).toEqual([
      { system: 'urn:oid:1.2', value: 'A,1|2' },
      { system: 'urn:oid:3', value: 'B' },
    ]);
  });
});
