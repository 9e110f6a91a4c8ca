import { describe, expect, it } from 'vitest';
import { cxList } from './hl7-types.js';
import { conditionalUrl, pidIdentifiers, systemOf, type InsContext } from './identifiers.js';
import { segment } from './test-support.js';

const IPP = '0123456^^^CHU-Y&1.2.250.1.211.10.200.2&ISO^PI';
const NIR = '285057505612338^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS';
const NIA = '285057505612338^^^ASIP-SANTE-INS-NIA&1.2.250.1.213.1.4.9&ISO^INS';
const qualified: InsContext = { reliability: ['VALI'], birthDateCorrected: false };
const ids = (pid3: string, ctx: InsContext = qualified) => pidIdentifiers(cxList(segment(`PID|1||${pid3}`), 3), ctx, 'PID-3');
const codes = (r: { issues: { code: string }[] }) => r.issues.map((i) => i.code);

describe('systemOf (assigning authority → identifier system)', () => {
  it('an OID gives urn:oid, with an info issue when HD.3 is not ISO', () => {
    expect(systemOf({ namespace: 'X', universalId: '1.2.250.1.213.1.4.8', universalIdType: 'ISO' }, 'p')).toEqual({ system: 'urn:oid:1.2.250.1.213.1.4.8' });
    expect(systemOf({ namespace: '', universalId: '1.2.3', universalIdType: 'L' }, 'p')).toMatchObject({ system: 'urn:oid:1.2.3', issue: { severity: 'info', code: 'AUTHORITY_TYPE' } });
  });
  it('a FINESS (no OID, as in the ANS examples) gives the ANS structure root + 1 + FINESS, with a warning', () => {
    expect(systemOf({ namespace: 'CHU-X', universalId: '000897406', universalIdType: 'N' }, 'PID-3[1].4')).toMatchObject({
      system: 'urn:oid:1.2.250.1.71.4.2.2.1000897406',
      issue: { severity: 'warning', code: 'AUTHORITY_FINESS', path: 'PID-3[1].4' },
    });
  });
  it('a namespace alone, a malformed OID or a local code names no system', () => {
    for (const universalId of ['', 'CHU-X', '1.02.3', '12345']) {
      const r = systemOf({ namespace: 'CHU-X', universalId, universalIdType: '' }, 'p');
      expect(r.system, universalId).toBeUndefined();
      expect(r.issue?.code).toBe('AUTHORITY_UNUSABLE');
    }
  });
});

describe('PID-3: IPP, INS and the INS rules', () => {
  it('keeps the IPP (FR Core PI slice) and a qualified INS-NIR with a valid key', () => {
    const r = ids(`${IPP}~${NIR}`);
    expect(r.issues).toEqual([]);
    expect(r.ipp).toEqual({ use: 'usual', type: { coding: [{ system: 'http://interopsante.org/CodeSystem/fr-core-v2-0203', code: 'PI', display: 'Patient internal identifier' }] }, system: 'urn:oid:1.2.250.1.211.10.200.2', value: '0123456' });
    expect(r.ins).toMatchObject({ use: 'official', system: 'urn:oid:1.2.250.1.213.1.4.8', value: '285057505612338', type: { coding: [{ code: 'INS-NIR' }] } });
  });
  it('QUAL (the RNIV name of a qualified identity) qualifies like VALI', () => {
    expect(ids(`${IPP}~${NIR}`, { reliability: ['QUAL'], birthDateCorrected: false }).ins).toBeDefined();
    expect(ids(`${IPP}~${NIR}`, { reliability: ['RECUP'], birthDateCorrected: false }).ins).toBeUndefined();
  });
  it('drops the INS with a warning when the identity is not qualified (PROV, VIDE, empty PID-32)', () => {
    for (const reliability of [['PROV'], ['VIDE'], []]) {
      const r = ids(`${IPP}~${NIR}`, { reliability, birthDateCorrected: false });
      expect(r.ins, String(reliability)).toBeUndefined();
      expect(r.issues).toEqual([expect.objectContaining({ severity: 'warning', code: 'INS_NOT_QUALIFIED' })]);
      expect(r.ipp?.value).toBe('0123456');
    }
  });
  it('drops the INS when a doubtful or fictitious attribute accompanies VALI, or the birth date was corrected', () => {
    expect(ids(`${IPP}~${NIR}`, { reliability: ['VALI', 'DOUT'], birthDateCorrected: false }).issues[0]?.message).toContain('DOUT');
    expect(ids(`${IPP}~${NIR}`, { reliability: ['VALI', 'FICT'], birthDateCorrected: false }).ins).toBeUndefined();
    expect(ids(`${IPP}~${NIR}`, { reliability: ['VALI', 'HOMD'], birthDateCorrected: false }).ins).toBeDefined();
    expect(ids(`${IPP}~${NIR}`, { reliability: ['VALI'], birthDateCorrected: true }).issues[0]?.message).toContain('ZFD-4');
  });
  it('drops an INS with a wrong key or format (warnings, never errors: the message goes on)', () => {
    const bad = ids(`${IPP}~285057505612399^^^&1.2.250.1.213.1.4.8&ISO^INS`);
    expect(bad.ins).toBeUndefined();
    expect(bad.issues).toEqual([expect.objectContaining({ severity: 'warning', code: 'NIR_KEY', path: 'PID-3[2]' })]);
    expect(codes(ids(`${IPP}~28505750561^^^&1.2.250.1.213.1.4.8&ISO^INS`))).toEqual(['NIR_FORMAT']);
  });
  it('refuses an INS-typed identifier under an authority that is not an INS OID', () => {
    const r = ids(`${IPP}~285057505612338^^^X&1.2.250.1.213.1.4.2&ISO^INS`);
    expect(r.ins).toBeUndefined();
    expect(codes(r)).toEqual(['INS_OID']);
  });
  it('prefers the INS-NIR when the INS-NIA is sent with it (PAM FR §4.4.1); keeps a NIA alone', () => {
    const both = ids(`${IPP}~${NIA}~${NIR}`);
    expect(both.ins?.system).toBe('urn:oid:1.2.250.1.213.1.4.8');
    expect(codes(both)).toEqual(['INS_NIA_SUPERSEDED']);
    expect(ids(`${IPP}~${NIA}`).ins).toMatchObject({ system: 'urn:oid:1.2.250.1.213.1.4.9', type: { coding: [{ code: 'INS-NIA' }] } });
  });
  it('reads "" in CX.1 of an INS as an explicit deletion (PAM FR §4.4.3)', () => {
    const r = ids(`${IPP}~""^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS`);
    expect(r.insDeleted).toBe(true);
    expect(r.ins).toBeUndefined();
    expect(r.issues).toEqual([]);
  });
  it('keeps only the first IPP in the PI slice; other identifiers are typed in HL7 v2-0203', () => {
    const r = ids(`${IPP}~998877^^^SITE2&1.2.250.1.211.10.300.1&ISO^PI~185057505612345^^^CPAM&1.2.250.1.213.1.4.99&ISO^NH`);
    expect(r.ipp?.value).toBe('0123456');
    expect(r.others).toEqual([
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PI' }] }, system: 'urn:oid:1.2.250.1.211.10.300.1', value: '998877' },
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NH' }] }, system: 'urn:oid:1.2.250.1.213.1.4.99', value: '185057505612345' },
    ]);
  });
  it('skips identifiers whose authority names no system, with a warning', () => {
    const r = ids(`0123456^^^CHU-Y^PI`);
    expect(r.ipp).toBeUndefined();
    expect(codes(r)).toEqual(['AUTHORITY_UNUSABLE']);
  });
});

describe('conditionalUrl', () => {
  it('is the FHIR token search, URL-encoded', () => {
    expect(conditionalUrl('Patient', { system: 'urn:oid:1.2.3', value: 'A|B 1' })).toBe('Patient?identifier=urn%3Aoid%3A1.2.3%7CA%7CB+1');
  });
});
