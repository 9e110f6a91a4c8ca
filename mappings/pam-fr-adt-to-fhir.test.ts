import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, BundleEntry, Encounter, Organization, Patient } from '@medplum/fhirtypes';
import type { ValidateFn } from '../src/engine/define.js';
import { parseHl7, type Hl7Message } from '../src/formats/hl7v2/index.js';
import { fhirProfileValidator } from '../src/steps/validators/fhir-profile.js';
import mapping from './pam-fr-adt-to-fhir.js';
import { ansExamples, fixture, frCoreDir, message } from './lib/pam-fr/test-support.js';

const ctx = { channelId: 't', messageId: 'm', receivedAt: new Date('2026-01-01T00:00:00Z') };
const read = (file: string): Hl7Message => {
  const { message: m, issues } = parseHl7(fs.readFileSync(file));
  if (!m) throw new Error(JSON.stringify(issues));
  return m;
};
const run = (file: string) => mapping.map(read(fixture(file)), ctx);
const bundleOf = (file: string) => {
  const r = run(file);
  expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
  return r.output!.content as Bundle;
};
const codes = (r: { issues: { code: string }[] }) => r.issues.map((i) => i.code);
const SYS = 'urn:oid:1.2.250.1.211.10.200.2';
const url = (type: string, value: string, system = SYS) => `${type}?identifier=${encodeURIComponent(`${system}|${value}`).replace(/%20/g, '+')}`;
const entry = (b: Bundle, type: string, value: string): BundleEntry => {
  const e = b.entry?.find((x) => x.request?.url === url(type, value) || (x.request?.url === type && x.request.ifNoneExist === `identifier=${encodeURIComponent(`${SYS}|${value}`)}`));
  if (!e) throw new Error(`no ${type} ${value} in ${JSON.stringify(b.entry?.map((x) => x.request))}`);
  return e;
};
const patientIn = (b: Bundle, ipp = '0123456') => entry(b, 'Patient', ipp).resource as Patient;
const visit = (b: Bundle, v = 'V2026001') => entry(b, 'Encounter', v);
const movement = (b: Bundle, m: string) => entry(b, 'Encounter', m).resource as Encounter;

let validate: ValidateFn;
beforeAll(async () => {
  validate = await fhirProfileValidator.create({ profilesDir: frCoreDir }, { baseDir: '/' });
});

describe('pam-fr-adt-to-fhir: patient identity feed (ITI-30)', () => {
  it('A28: one conditional update of an FR Core Patient on its IPP; patient keys = sender + IPP first, then IPP and INS', () => {
    const r = run('a28-create.hl7');
    expect(r.issues).toEqual([]);
    const b = r.output!.content as Bundle;
    expect(b.type).toBe('transaction');
    expect(b.entry).toHaveLength(1);
    expect(b.entry![0]!.request).toEqual({ method: 'PUT', url: url('Patient', '0123456') });
    expect(b.entry![0]!.fullUrl).toMatch(/^urn:uuid:/);
    const p = patientIn(b);
    expect(p.identifier?.map((i) => `${i.system}|${i.value}`)).toEqual([`${SYS}|0123456`, 'urn:oid:1.2.250.1.213.1.4.8|285057505612338']);
    expect(p.name).toEqual([
      { use: 'official', family: 'DUPONT', given: ['HÉLÈNE FRANÇOISE HÉLOÏSE'], prefix: ['MME'] },
      { use: 'usual', family: 'LEFÈVRE', given: ['Héloïse'] },
    ]);
    expect(r.keys).toEqual({ patient: [`GAM@CHU-Y|${SYS}|0123456`, `${SYS}|0123456`, 'urn:oid:1.2.250.1.213.1.4.8|285057505612338'] });
  });
  it('A31 in ISO 8859/1 (MSH-18 8859/1): é, è, ç, ï arrive intact', () => {
    const raw = fs.readFileSync(fixture('a31-update-latin1.hl7'));
    expect(raw.includes(Buffer.from('HÉLÈNE', 'utf8'))).toBe(false); // really Latin-1 bytes
    expect(raw.includes(Buffer.from('HÉLÈNE', 'latin1'))).toBe(true);
    const p = patientIn(bundleOf('a31-update-latin1.hl7'));
    expect(p.name?.[0]).toMatchObject({ family: 'DUPONT', given: ['HÉLÈNE FRANÇOISE HÉLOÏSE'] });
    expect(p.name?.[1]).toMatchObject({ family: 'LEFÈVRE', given: ['Héloïse'] });
    expect(p.address?.[0]).toMatchObject({ line: ["12 rue de l'Église", 'Bât. C'], city: 'Besançon' });
  });
  it('an INS of an unqualified identity or with a wrong key is not propagated; the patient still is (warnings)', () => {
    for (const [file, code] of [['a31-ins-not-qualified.hl7', 'INS_NOT_QUALIFIED'], ['a31-ins-bad-key.hl7', 'NIR_KEY']] as const) {
      const r = run(file);
      expect(r.issues.map((i) => `${i.severity}:${i.code}`), file).toEqual([`warning:${code}`]);
      const p = patientIn(r.output!.content as Bundle);
      expect(p.identifier?.map((i) => i.value)).toEqual(['0123456']);
      expect(r.keys?.patient).toEqual([`GAM@CHU-Y|${SYS}|0123456`, `${SYS}|0123456`]);
    }
  });
  it('A08 (excluded by PAM FR) updates the patient like A31 with a warning, and leaves the visit alone', () => {
    const r = run('a08-update.hl7');
    expect(codes(r)).toEqual(['PAM_FR_A08']);
    expect((r.output!.content as Bundle).entry?.map((e) => e.resource?.resourceType)).toEqual(['Patient']);
  });
});

describe('pam-fr-adt-to-fhir: movements (ITI-31)', () => {
  it('A01: Patient, the visit (PV1-19) and the admission movement (ZBE-1, partOf the visit), the medical UF (ZBE-7)', () => {
    const b = bundleOf('a01-admit.hl7');
    expect(b.entry?.map((e) => `${e.request?.method} ${e.resource?.resourceType}`)).toEqual(['PUT Patient', 'PUT Encounter', 'PUT Encounter', 'POST Organization']);
    const v = visit(b);
    const venue = v.resource as Encounter;
    expect(venue).toMatchObject({
      status: 'in-progress',
      class: { code: 'IMP' },
      period: { start: '2026-01-12T09:00:00+01:00' },
      subject: { reference: b.entry![0]!.fullUrl },
      type: [{ coding: [{ code: 'R' }] }],
      extension: [{ url: 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-estimated-discharge-date', valueDate: '2026-01-20' }],
      serviceProvider: { display: 'Oncologie médicale' },
      participant: [{ type: [{ coding: [{ code: 'ATND' }] }], individual: { identifier: { system: 'urn:oid:1.2.250.1.71.4.2.1', value: '10003456789' }, display: 'Luc MARTIN' } }],
    });
    expect(venue.identifier?.map((i) => `${i.type?.coding?.[0]?.code}:${i.value}`)).toEqual(['VN:V2026001', 'AN:NDA2026001']);
    expect(venue.location?.map((l) => `${l.location.display}/${l.status}`)).toEqual(['UF 4012/active', 'Chambre 12/active', 'Lit 1/active']);
    expect(venue.location?.[0]?.location.identifier).toEqual({ system: SYS, value: '4012' });
    const m = movement(b, 'M0001');
    expect(m).toMatchObject({ status: 'in-progress', period: { start: '2026-01-12T09:00:00+01:00' }, partOf: { reference: v.fullUrl }, identifier: [{ type: { coding: [{ code: 'MN' }] }, value: 'M0001' }] });
    const uf = entry(b, 'Organization', '4010');
    expect(uf.request).toEqual({ method: 'POST', url: 'Organization', ifNoneExist: `identifier=${encodeURIComponent(`${SYS}|4010`)}` });
    expect(uf.resource as Organization).toMatchObject({ name: 'Oncologie médicale', type: [{ coding: [{ code: 'UF' }] }] });
    expect(venue.serviceProvider?.reference).toBe(uf.fullUrl);
  });
  it('A02 moves the visit to the new place and UF; A12 cancels that movement (entered-in-error) and restores the place PV1-3 gives back', () => {
    const moved = bundleOf('a02-transfer.hl7');
    expect((visit(moved).resource as Encounter).location?.[0]?.location.display).toBe('UF 4020');
    expect(movement(moved, 'M0002')).toMatchObject({ status: 'in-progress', serviceProvider: { display: 'Radiothérapie' } });
    const cancelled = bundleOf('a12-cancel-transfer.hl7');
    const m = movement(cancelled, 'M0002');
    expect(m.status).toBe('entered-in-error');
    expect(m.location).toBeUndefined(); // PV1-3 is the restored place, not the cancelled movement's
    expect(m.serviceProvider).toBeUndefined();
    const v = visit(cancelled).resource as Encounter;
    expect(v.status).toBe('in-progress');
    expect(v.location?.[0]?.location.display).toBe('UF 4012');
  });
  it('A21 puts the visit on leave, A22 brings it back in progress', () => {
    expect((visit(bundleOf('a21-leave.hl7')).resource as Encounter).status).toBe('onleave');
    expect((visit(bundleOf('a22-return.hl7')).resource as Encounter).status).toBe('in-progress');
  });
  it('A03 finishes the visit (period.end from PV1-45) and its discharge movement; A13 reopens the visit and cancels the movement', () => {
    const out = bundleOf('a03-discharge.hl7');
    expect(visit(out).resource).toMatchObject({ status: 'finished', period: { start: '2026-01-12T09:00:00+01:00', end: '2026-01-20T11:00:00+01:00' } });
    expect((visit(out).resource as Encounter).location?.every((l) => l.status === 'completed')).toBe(true);
    expect(movement(out, 'M0005').status).toBe('finished');
    const back = bundleOf('a13-cancel-discharge.hl7');
    const v = visit(back).resource as Encounter;
    expect(v.status).toBe('in-progress');
    expect(v.period).toEqual({ start: '2026-01-12T09:00:00+01:00' });
    expect(movement(back, 'M0005').status).toBe('entered-in-error');
  });
  it('A11 cancels the admission: visit and movement entered-in-error; after a pre-admission (PV1-5) the visit goes back to planned', () => {
    const b = bundleOf('a11-cancel-admit.hl7');
    expect(visit(b).resource).toMatchObject({ status: 'entered-in-error', period: { start: '2026-01-12T09:00:00+01:00' } });
    expect((visit(b).resource as Encounter).location).toBeUndefined();
    expect(movement(b, 'M0001').status).toBe('entered-in-error');
    const text = fs.readFileSync(fixture('a11-cancel-admit.hl7'), 'utf8').replace('|V2026001^^^', '|V2026001^^^').replace(/(PV1\|1\|I\|[^|]*\|R\|)/, '$1PRE42^^^CHU-Y&1.2.250.1.211.10.200.2&ISO');
    const r = mapping.map(parseHl7(text).message!, ctx);
    expect(visit(r.output!.content as Bundle).resource).toMatchObject({ status: 'planned' });
  });
  it('A05 plans the visit from the expected admission date (PV2-8); A38 cancels it', () => {
    const planned = bundleOf('a05-preadmit.hl7');
    expect(visit(planned, 'V2026009').resource).toMatchObject({ status: 'planned', period: { start: '2026-01-20T08:00:00+01:00' } });
    expect(movement(planned, 'M0090').status).toBe('planned');
    const cancelled = bundleOf('a38-cancel-preadmit.hl7');
    expect((visit(cancelled, 'V2026009').resource as Encounter).status).toBe('cancelled');
    expect(movement(cancelled, 'M0090').status).toBe('entered-in-error');
  });
  it('A04 → A06 changes the class to inpatient; A07 with ZBE-4 CANCEL cancels the A06 movement and restores the outpatient class', () => {
    expect((visit(bundleOf('a04-outpatient.hl7'), 'V2026002').resource as Encounter).class.code).toBe('AMB');
    expect((visit(bundleOf('a06-to-inpatient.hl7'), 'V2026002').resource as Encounter).class.code).toBe('IMP');
    const b = bundleOf('a07-cancel-a06.hl7');
    expect(visit(b, 'V2026002').resource).toMatchObject({ status: 'in-progress', class: { code: 'AMB' } });
    expect(movement(b, 'M0011').status).toBe('entered-in-error');
  });
  it('a historic movement (ZBE-5 = Y) is recorded without rewriting the visit (conditional create only)', () => {
    const b = bundleOf('a02-historic.hl7');
    expect(visit(b).request).toEqual({ method: 'POST', url: 'Encounter', ifNoneExist: `identifier=${encodeURIComponent(`${SYS}|V2026001`)}` });
    expect((visit(b).resource as Encounter).status).toBe('unknown');
    expect(movement(b, 'M0006')).toMatchObject({ status: 'finished', period: { start: '2026-01-15T08:00:00+01:00' } });
  });
  it('ZBE-4 CANCEL on an insert event (other than A06/A07) cancels the movement and leaves the visit as it is', () => {
    const text = fs.readFileSync(fixture('a01-admit.hl7'), 'utf8').replace('|INSERT|N|', '|CANCEL|N|A01');
    const r = mapping.map(parseHl7(text).message!, ctx);
    expect(codes(r)).toEqual(['ZBE_ACTION_MISMATCH']);
    const b = r.output!.content as Bundle;
    expect(visit(b).request?.method).toBe('POST');
    expect(movement(b, 'M0001').status).toBe('entered-in-error');
  });
  it('A11 with ZBE-4 INSERT is still a cancel, with a warning', () => {
    const text = fs.readFileSync(fixture('a11-cancel-admit.hl7'), 'utf8').replace('|CANCEL|N|A01', '|INSERT|N|');
    const r = mapping.map(parseHl7(text).message!, ctx);
    expect(codes(r)).toEqual(['ZBE_ACTION_MISMATCH']);
    expect(movement(r.output!.content as Bundle, 'M0001').status).toBe('entered-in-error');
  });
});

describe('pam-fr-adt-to-fhir: merge (A40) and identifier change (A47)', () => {
  it('A40: the surviving patient replaces the merged one; the merged one stays, inactive, replaced-by the survivor, without the INS', () => {
    const r = run('a40-merge.hl7');
    expect(r.issues).toEqual([]);
    const b = r.output!.content as Bundle;
    expect(b.entry?.map((e) => e.request)).toEqual([
      { method: 'PUT', url: url('Patient', '0777001') },
      { method: 'PUT', url: url('Patient', '0777002') },
    ]);
    const [survivor, merged] = b.entry!;
    expect(survivor!.resource).toMatchObject({ active: true, link: [{ type: 'replaces', other: { reference: merged!.fullUrl } }] });
    expect((survivor!.resource as Patient).identifier?.map((i) => i.value)).toEqual(['0777001', '172021305504237']);
    expect(merged!.resource).toMatchObject({ active: false, link: [{ type: 'replaced-by', other: { reference: survivor!.fullUrl } }], identifier: [{ value: '0777002' }] });
    expect((merged!.resource as Patient).identifier).toHaveLength(1);
    expect(r.keys?.patient).toEqual([`GAM@CHU-Y|${SYS}|0777001`, `${SYS}|0777001`, 'urn:oid:1.2.250.1.213.1.4.8|172021305504237', `${SYS}|0777002`]);
  });
  it('A40 errors: no IPP in MRG-1, or MRG-1 naming the survivor itself', () => {
    const text = fs.readFileSync(fixture('a40-merge.hl7'), 'utf8');
    expect(codes(mapping.map(parseHl7(text.replace(/MRG\|[^\r]*/, 'MRG|0777002^^^CHU-Y^PI')).message!, ctx))).toEqual(['AUTHORITY_UNUSABLE', 'MERGE_SOURCE_MISSING']);
    expect(codes(mapping.map(parseHl7(text.replace('MRG|0777002', 'MRG|0777001')).message!, ctx))).toEqual(['MERGE_SAME_PATIENT']);
  });
  it('A47 IPP change: the patient found by its old IPP gets the new one and keeps the old one as `old`', () => {
    const r = run('a47-ipp-change.hl7');
    expect(r.issues).toEqual([]);
    const [e] = (r.output!.content as Bundle).entry!;
    expect(e!.request).toEqual({ method: 'PUT', url: url('Patient', '0123456') });
    expect((e!.resource as Patient).identifier).toEqual([
      expect.objectContaining({ use: 'usual', value: '0123999', type: { coding: [expect.objectContaining({ code: 'PI', system: 'http://interopsante.org/CodeSystem/fr-core-v2-0203' })] } }),
      expect.objectContaining({ value: '285057505612338' }),
      { use: 'old', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PI' }] }, system: SYS, value: '0123456' },
    ]);
    expect(r.keys?.patient?.[0]).toBe(`GAM@CHU-Y|${SYS}|0123999`);
  });
  it('A47 INS deletion ("" in PID-3, the INS in MRG-1): the patient is rewritten without any INS, status from PID-32', () => {
    const r = run('a47-ins-delete.hl7');
    expect(r.issues.map((i) => `${i.severity}:${i.code}`)).toEqual(['info:INS_REMOVED']);
    const [e] = (r.output!.content as Bundle).entry!;
    expect(e!.request?.url).toBe(url('Patient', '0123456'));
    const p = e!.resource as Patient;
    expect(p.identifier?.map((i) => i.value)).toEqual(['0123456']);
    expect(JSON.stringify(p.extension)).toContain('"code":"PROV"');
  });
  it('A47 errors when MRG-1 changes nothing', () => {
    const text = fs.readFileSync(fixture('a47-ipp-change.hl7'), 'utf8').replace('MRG|0123456', 'MRG|0123999');
    expect(codes(mapping.map(parseHl7(text).message!, ctx))).toEqual(['A47_NOTHING_TO_CHANGE']);
  });
});

describe('pam-fr-adt-to-fhir: what it refuses (errors: stored, not routed)', () => {
  it('unsupported event, non-ADT message', () => {
    expect(run('a14-unsupported.hl7').issues).toEqual([expect.objectContaining({ severity: 'error', code: 'UNSUPPORTED_EVENT', message: expect.stringContaining('A01 A02 A03') })]);
    const oru = message('MSH|^~\\&|LAB|CHU|DCC|RRC|20260101||ORU^R01^ORU_R01|1|P|2.5', 'PID|1||1^^^&1.2.3&ISO^PI');
    expect(codes(mapping.map(oru, ctx))).toEqual(['UNSUPPORTED_MESSAGE']);
  });
  it('missing mandatory segments, each named', () => {
    expect(run('a01-missing-zbe.hl7').issues).toEqual([expect.objectContaining({ code: 'MISSING_SEGMENT', path: 'ZBE' })]);
    const text = fs.readFileSync(fixture('a40-merge.hl7'), 'utf8');
    expect(mapping.map(parseHl7(text.replace(/\rMRG\|[^\r]*/, '')).message!, ctx).issues).toEqual([expect.objectContaining({ code: 'MISSING_SEGMENT', path: 'MRG' })]);
    expect(mapping.map(parseHl7(text.replace(/\rEVN\|[^\r]*/, '').replace(/\rPID\|[^\r]*/, '')).message!, ctx).issues.map((i) => i.path)).toEqual(['EVN', 'PID']);
  });
  it('a visit without visit number', () => {
    expect(codes(run('a01-no-visit-number.hl7'))).toEqual(['VISIT_NUMBER_MISSING']);
  });
  it('nothing but errors comes out: no output, no keys', () => {
    const r = run('a01-no-visit-number.hl7');
    expect(r.output).toBeUndefined();
    expect(r.keys).toBeUndefined();
  });
});

describe('pam-fr-adt-to-fhir: determinism and FR Core validity', () => {
  const own = fs.readdirSync(path.dirname(fixture('x'))).filter((f) => f.endsWith('.hl7'));
  const refused = new Set(['a14-unsupported.hl7', 'a01-missing-zbe.hl7', 'a01-no-visit-number.hl7']);

  it('the same message always gives the same Bundle (re-sending is idempotent)', () => {
    for (const f of own.filter((x) => !refused.has(x))) expect(JSON.stringify(run(f).output), f).toBe(JSON.stringify(run(f).output));
  });
  it('every fixture maps to resources valid against FR Core 2.0 (0 errors)', async () => {
    for (const f of own.filter((x) => !refused.has(x))) {
      const r = run(f);
      expect(r.output, f).toBeDefined();
      expect((await validate(r.output!)).filter((i) => i.severity === 'error'), f).toEqual([]);
    }
  });
});

/** Every ANS PAM FR ADT example: files under the ANS examples whose MSH-9.1 is ADT. */
function ansAdtFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return ansAdtFiles(full);
    if (!/\.(er7|hl7)$/i.test(e.name)) return [];
    const { message: m } = parseHl7(fs.readFileSync(full));
    return m?.get('MSH-9.1') === 'ADT' ? [full] : [];
  });
}

describe('the ANS PAM FR ADT examples', () => {
  const files = ansAdtFiles(ansExamples);
  it('finds them all (5 DMP consent admissions, the SGL admission and discharge templates)', () => {
    expect(files.map((f) => path.relative(ansExamples, f)).sort()).toEqual([
      'SGL/admission.er7',
      'SGL/sortie.er7',
      'Vague 2/Consentement_DMP_PAMFR/ConsentementConsultation_NonOppositionAlimentation.er7',
      'Vague 2/Consentement_DMP_PAMFR/NonConsentementConsultation_NonOppositionAlimentation.er7',
      'Vague 2/Consentement_DMP_PAMFR/NonConsentementConsultation_OppositionAlimentation.er7',
      'Vague 2/Consentement_DMP_PAMFR/NonRecueillieConsentementConsultation_NonOppositionAlimentation.er7',
      'Vague 2/Consentement_DMP_PAMFR/NonRecueillieConsentementConsultation_NonRecueillieOppositionAlimentation.er7',
    ]);
  });
  for (const file of files) {
    it(`${path.relative(ansExamples, file)}: maps with no error and validates against FR Core (0 errors)`, async () => {
      const r = mapping.map(read(file), ctx);
      expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
      const b = r.output!.content as Bundle;
      const p = b.entry![0]!.resource as Patient;
      // VALI with a valid NIR key (279035121518989): the INS travels
      expect(p.identifier?.map((i) => `${i.system}|${i.value}`)).toEqual(['urn:oid:1.2.250.1.71.4.2.2.1000897406|000003', 'urn:oid:1.2.250.1.213.1.4.10|279035121518989']);
      expect(p.name).toEqual([{ use: 'official', family: 'PAT-TROIS', given: ['DOMINIQUE'] }]);
      expect(b.entry?.filter((e) => e.resource?.resourceType === 'Encounter')).toHaveLength(2);
      expect((await validate(r.output!)).filter((i) => i.severity === 'error')).toEqual([]);
    });
  }
  it('reads the accents of the UTF-8 examples (PV1-7 Réault) and the shifted ZBE of the SGL discharge', () => {
    const admission = mapping.map(read(path.join(ansExamples, 'Vague 2/Consentement_DMP_PAMFR/ConsentementConsultation_NonOppositionAlimentation.er7')), ctx);
    expect(JSON.stringify(admission.output)).toContain('Pierre Réault');
    const discharge = mapping.map(read(path.join(ansExamples, 'SGL/sortie.er7')), ctx);
    expect(codes(discharge)).toContain('ZBE_SHIFTED');
    const b = discharge.output!.content as Bundle;
    const venue = b.entry!.find((e) => (e.resource as Encounter).identifier?.[0]?.value === '000897406')!.resource as Encounter;
    expect(venue).toMatchObject({ status: 'finished', period: { end: '2024-03-06T11:00:00+01:00' }, serviceProvider: { display: 'Urgences' } });
  });
});
