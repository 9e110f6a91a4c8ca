import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Patient } from '@medplum/fhirtypes';
import mapping from './identity-csv-to-patient.js';
import { fhirProfileValidator } from '../src/steps/validators/fhir-profile.js';

const ctx = { channelId: 't', messageId: 'm', receivedAt: new Date('2026-01-01T00:00:00Z') };
const row = (over: Record<string, string> = {}) => ({
  values: { ins: '255081416802538', nom_naissance: 'MARTIN', prenoms_naissance: 'Hélène  Marie', date_naissance: '14/08/1955', sexe: 'F', lieu_naissance_insee: '2A004', ipp: 'IPP1', ipp_autorite: '1.2.250.1.71.4.2.2', fiabilite: 'VALI', ...over },
});
const FR_CORE = path.resolve(import.meta.dirname, '../../shared/fhir/fr-core-2.0.0');

describe('identity-csv-to-patient', () => {
  it('maps a qualified identity with its INS, birth names, birth place and IPP', () => {
    const r = mapping.map(row(), ctx);
    expect(r.issues).toEqual([]);
    const p = r.output?.content as Patient;
    expect(p.identifier?.map((i) => i.system)).toEqual(['urn:oid:1.2.250.1.213.1.4.8', 'urn:oid:1.2.250.1.71.4.2.2']);
    expect(p.name).toEqual([{ use: 'official', family: 'MARTIN', given: ['Hélène Marie'] }]);
    expect(p.birthDate).toBe('1955-08-14');
    expect(p.extension?.[1]).toMatchObject({ valueAddress: { district: '2A004' } });
    expect(r.keys?.patient).toEqual(['urn:oid:1.2.250.1.213.1.4.8|255081416802538', 'urn:oid:1.2.250.1.71.4.2.2|IPP1']);
  });
  it('does not propagate the INS of an unqualified identity (warning), keeps the patient', () => {
    const r = mapping.map(row({ fiabilite: 'PROV' }), ctx);
    expect(r.issues.map((i) => `${i.severity}:${i.code}`)).toEqual(['warning:INS_NOT_QUALIFIED']);
    expect((r.output?.content as Patient).identifier?.map((i) => i.system)).toEqual(['urn:oid:1.2.250.1.71.4.2.2']);
  });
  it('rejects a wrong NIR key, a missing or impossible birth date, a bad sex, an IPP without authority', () => {
    const codes = (o: Record<string, string>) => mapping.map(row(o), ctx).issues.map((i) => i.code);
    expect(codes({ ins: '255081416802539' })).toEqual(['NIR_KEY']);
    expect(codes({ date_naissance: '' })).toEqual(['BIRTH_DATE_MISSING']);
    expect(codes({ date_naissance: '31/02/1955' })).toEqual(['BIRTH_DATE_INVALID']);
    expect(codes({ sexe: 'X' })).toEqual(['SEX']);
    expect(codes({ ipp_autorite: 'CHU' })).toEqual(['IPP_AUTHORITY']);
    expect(codes({ ins: '', ipp: '' })).toEqual(['NO_IDENTIFIER']);
    expect(codes({ lieu_naissance_insee: 'Paris' })).toEqual(['BIRTH_PLACE']);
  });
  it('produces a Patient valid against FR Core 2.0', async () => {
    if (!fs.existsSync(FR_CORE)) throw new Error(`FR Core package missing at ${FR_CORE}`);
    const validate = await fhirProfileValidator.create({ profilesDir: FR_CORE }, { baseDir: '/' });
    const out = mapping.map(row(), ctx).output!;
    expect(await validate(out)).toEqual([]);
    const broken = { ...out, content: { ...(out.content as Patient), extension: [] } };
    expect((await validate(broken)).map((i) => i.code)).toContain('FHIR_PROFILE');
  });
});
