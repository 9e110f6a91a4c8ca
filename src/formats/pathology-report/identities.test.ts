import { describe, expect, it } from 'vitest';
import type { Issue } from '../../engine/issues.js';
import { laboratoryOf, pathologistOf, patientIdentifiers, reportIdentifier } from './identities.js';

const run = <T>(fn: (issues: Issue[]) => T) => {
  const issues: Issue[] = [];
  return { value: fn(issues), codes: issues.map((i) => i.code) };
};

describe('identifiers', () => {
  it('INS: kept when qualified, dropped with a warning otherwise; a wrong key is an error', () => {
    expect(run((i) => patientIdentifiers({ ins: { value: '258066912304592', oid: '1.2.250.1.213.1.4.8' }, reliability: 'QUAL', ipp: [] }, 'x', i))).toEqual({ value: { ins: { system: 'urn:oid:1.2.250.1.213.1.4.8', value: '258066912304592' }, ipp: [] }, codes: [] });
    expect(run((i) => patientIdentifiers({ ins: { value: '258066912304592', oid: '1.2.250.1.213.1.4.8' }, reliability: 'PROV', ipp: [{ value: 'I1', authority: '1.2.3' }] }, 'x', i)).codes).toEqual(['CRAP_INS_NOT_QUALIFIED']);
    expect(run((i) => patientIdentifiers({ ins: { value: '258066912304591', oid: '1.2.250.1.213.1.4.8' }, ipp: [{ value: 'I1', authority: '1.2.3' }] }, 'x', i)).codes).toEqual(['NIR_KEY']);
    expect(run((i) => patientIdentifiers({ ins: { value: '258066912304592', oid: '1.2.3' }, ipp: [] }, 'x', i)).codes).toEqual(['CRAP_INS_OID', 'CRAP_NO_PATIENT_ID']);
  });

  it('IPP: needs an OID authority; duplicates collapse', () => {
    expect(run((i) => patientIdentifiers({ ipp: [{ value: 'I1', authority: 'CH-NORD' }, { value: 'I2', authority: '1.2.3' }, { value: 'I2', authority: '1.2.3' }] }, 'x', i))).toEqual({
      value: { ipp: [{ system: 'urn:oid:1.2.3', value: 'I2' }], ins: undefined },
      codes: ['CRAP_IPP_AUTHORITY'],
    });
  });

  it('pathologist: 8 + RPPS, bare RPPS, ADELI-based national id, nothing national', () => {
    expect(run((i) => pathologistOf({ value: '810101234567', oid: '1.2.250.1.71.4.2.1' }, { family: 'F' }, 'x', i)).value).toEqual({ idNatPs: '810101234567', rpps: '10101234567', family: 'F' });
    expect(run((i) => pathologistOf({ value: '10101234567', type: 'RPPS' }, {}, 'x', i)).value).toEqual({ idNatPs: '810101234567', rpps: '10101234567' });
    expect(run((i) => pathologistOf({ value: '0751234567', oid: '1.2.250.1.71.4.2.1' }, {}, 'x', i)).value).toEqual({ idNatPs: '0751234567' });
    expect(run((i) => pathologistOf({ value: 'R854', oid: '1.2.3' }, { family: 'NURSE' }, 'x', i))).toEqual({ value: undefined, codes: ['CRAP_PATHOLOGIST_ID'] });
  });

  it('laboratory: 1 + FINESS, bare FINESS (Corsica too), other national structure ids', () => {
    expect(run((i) => laboratoryOf({ value: '1690012345', oid: '1.2.250.1.71.4.2.2' }, 'L', 'x', i)).value).toEqual({ idNatSt: '1690012345', finess: '690012345', name: 'L' });
    expect(run((i) => laboratoryOf({ value: '2A0001234' }, undefined, 'x', i)).value).toEqual({ idNatSt: '12A0001234', finess: '2A0001234' });
    expect(run((i) => laboratoryOf({ value: '312345678900012', oid: '1.2.250.1.71.4.2.2' }, undefined, 'x', i)).value).toEqual({ idNatSt: '312345678900012' });
    expect(run((i) => laboratoryOf({ value: 'labo' }, undefined, 'x', i)).codes).toEqual(['CRAP_LABORATORY_ID']);
  });

  it('report number: OID authority, else scoped by FINESS, else by sender; never unscoped', () => {
    expect(run((i) => reportIdentifier('A1', { authorityOid: '1.2.3' }, 'x', i)).value).toEqual({ system: 'urn:oid:1.2.3', value: 'A1' });
    expect(run((i) => reportIdentifier('A1', { authorityOid: 'labo', laboratory: { idNatSt: '1690012345', finess: '690012345' } }, 'x', i)).value).toEqual({ system: 'urn:relais:crap:finess:690012345', value: 'A1' });
    expect(run((i) => reportIdentifier('A1', { sender: 'CAB PARC' }, 'x', i)).value).toEqual({ system: 'urn:relais:crap:sender:CAB%20PARC', value: 'A1' });
    expect(run((i) => reportIdentifier('A1', {}, 'x', i)).codes).toEqual(['CRAP_REPORT_ID_AUTHORITY']);
    expect(run((i) => reportIdentifier(' ', { authorityOid: '1.2.3' }, 'x', i)).codes).toEqual(['CRAP_NO_REPORT_ID']);
  });
});
