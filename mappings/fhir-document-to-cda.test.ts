/** Dispatch by Composition.type, determinism, and broken input → clear issues (no document). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Bundle, Composition, Condition, Observation, Patient } from '@medplum/fhirtypes';
import dispatcher from './fhir-document-to-cda.js';
import frcp from './frcp-to-cda.js';
import { volets } from './lib/cda/volets.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/fhir/rcp');
const ctx = { channelId: 'cda-documents', messageId: 'm-1', receivedAt: new Date('2026-03-01T00:00:00Z') };
const read = (name: string): Bundle => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as Bundle;

const composition = (b: Bundle) => b.entry![0]!.resource as Composition;
const resource = <T>(b: Bundle, pred: (r: { resourceType: string } & Record<string, unknown>) => boolean): T =>
  b.entry!.map((e) => e.resource as unknown as { resourceType: string } & Record<string, unknown>).find(pred) as T;
const observationCoded = (b: Bundle, code: string) => resource<Observation>(b, (r) => r.resourceType === 'Observation' && (r as unknown as Observation).code.coding?.[0]?.code === code);
const errors = (b: unknown, m = dispatcher) => {
  const r = m.map(b, ctx);
  if (r.issues.some((i) => i.severity === 'error')) expect(r.output).toBeUndefined();
  return r.issues.filter((i) => i.severity === 'error').map((i) => ({ code: i.code, path: i.path, message: i.message }));
};

describe('fhir-document-to-cda: dispatch by Composition.type', () => {
  it('lists the FRCP volet and maps a fiche RCP like frcp-to-cda', () => {
    expect(volets.map((v) => v.loinc)).toContain('34794-8');
    const a = dispatcher.map(read('appareil'), ctx);
    const b = frcp.map(read('appareil'), ctx);
    expect(a.output).toEqual(b.output);
    expect(a.output?.contentType).toBe('application/xml');
  });

  it('an unknown document type is a clear error naming the known volets', () => {
    const b = read('minimal');
    composition(b).type = { coding: [{ system: 'http://loinc.org', code: '11488-4', display: 'Consult note' }] };
    const [e] = errors(b);
    expect(e).toMatchObject({ code: 'CDA_VOLET_UNKNOWN', path: 'Composition.type' });
    expect(e?.message).toContain('11488-4');
    expect(e?.message).toContain('34794-8 (CANCER-FRCP 2022.01 (fiche RCP))');
    composition(b).type = { text: 'fiche' };
    expect(errors(b)[0]?.message).toContain('no LOINC code in Composition.type');
  });

  it('frcp-to-cda refuses another document type', () => {
    const b = read('minimal');
    composition(b).type = { coding: [{ system: 'http://loinc.org', code: '18776-5' }] };
    expect(errors(b, frcp).map((e) => e.code)).toEqual(['CDA_VOLET_UNKNOWN']);
  });
});

describe('fhir-document-to-cda: determinism', () => {
  it('same input, same bytes, whatever the message context or the order of the Bundle entries', () => {
    const first = dispatcher.map(read('appareil'), ctx).output?.content as string;
    const again = dispatcher.map(read('appareil'), { channelId: 'other', messageId: 'm-2', receivedAt: new Date('2030-01-01T00:00:00Z') }).output?.content;
    expect(again).toBe(first);
    const shuffled = read('appareil');
    shuffled.entry = [shuffled.entry![0]!, ...shuffled.entry!.slice(1).reverse()];
    expect(dispatcher.map(shuffled, ctx).output?.content).toBe(first);
    // ids derived from the document id: another document gets other section/entry ids
    const other = read('appareil');
    other.identifier = { system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.250.1.999.1.8.2026.1.9' };
    const sectionIds = (x: string) => [...x.matchAll(/<section>\s*(?:<templateId[^>]*\/>\s*)*<id root="([0-9A-F-]{36})"/g)].map((m) => m[1]);
    const otherXml = dispatcher.map(other, ctx).output?.content as string;
    expect(sectionIds(first).length).toBeGreaterThan(10);
    expect(new Set(sectionIds(first)).size).toBe(sectionIds(first).length);
    expect(sectionIds(otherXml).some((id) => sectionIds(first).includes(id))).toBe(false);
  });
});

describe('fhir-document-to-cda: broken input', () => {
  it('malformed Bundles', () => {
    expect(errors({ resourceType: 'Patient' })).toEqual([{ code: 'CDA_BUNDLE', path: 'Bundle', message: 'expected a FHIR Bundle, got resourceType "Patient"' }]);
    const collection = read('minimal');
    collection.type = 'collection';
    expect(errors(collection).map((e) => [e.code, e.path])).toEqual([['CDA_BUNDLE', 'Bundle.type']]);
    const noComposition = read('minimal');
    noComposition.entry = noComposition.entry!.slice(1);
    expect(errors(noComposition).map((e) => [e.code, e.path])).toEqual([['CDA_BUNDLE', 'Bundle.entry[0].resource']]);
    const dangling = read('minimal');
    composition(dangling).custodian = { reference: 'urn:uuid:00000000-0000-0000-0000-000000000000' };
    expect(errors(dangling)).toEqual([{ code: 'CDA_REFERENCE', path: 'Composition.custodian', message: 'reference "urn:uuid:00000000-0000-0000-0000-000000000000" is not in the Bundle' }]);
  });

  it('missing INS traits are reported one by one with their FHIRPath', () => {
    const b = read('minimal');
    const p = resource<Patient>(b, (r) => r.resourceType === 'Patient');
    p.name = [{ use: 'usual', family: 'PAT-TROIS', given: ['Dominique'] }];
    delete p.gender;
    p.extension = p.extension!.filter((e) => !e.url.endsWith('birthPlace'));
    expect(errors(b).map((e) => [e.code, e.path])).toEqual([
      ['CDA_INS_TRAIT', "Composition.subject.resolve().name.where(use='official').family"],
      ['CDA_INS_TRAIT', "Composition.subject.resolve().name.where(use='official').given"],
      ['CDA_INS_TRAIT', 'Composition.subject.resolve().gender'],
      ['CDA_INS_TRAIT', "Composition.subject.resolve().extension('http://hl7.org/fhir/StructureDefinition/patient-birthPlace').valueAddress.district"],
    ]);
  });

  it('codes outside the volet value sets', () => {
    const b = read('appareil');
    observationCoded(b, 'GEN-098').valueCodeableConcept = { coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.322', code: 'ORG-999' }] };
    const motif = observationCoded(b, 'ORG-186');
    motif.component!.find((c) => c.code.coding?.[0]?.code === 'ORG-127')!.valueCodeableConcept = { coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.322', code: 'ORG-126' }] };
    observationCoded(b, '89247-1').valueCodeableConcept = { coding: [{ system: 'http://loinc.org', code: 'LA9627-6' }] };
    const plan = resource<{ activity: { detail: { code: unknown } }[] }>(b, (r) => r.resourceType === 'CarePlan');
    plan.activity[1]!.detail.code = { coding: [{ system: 'http://snomed.info/sct', code: '71388002', display: 'procédure' }] };
    const tumour = resource<Condition>(b, (r) => r.resourceType === 'Condition' && Array.isArray(r.stage));
    tumour.code = { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'sein droit' }] };
    tumour.bodySite = [{ coding: [{ system: 'http://snomed.info/sct', code: '12345678' }] }];
    const found = errors(b);
    expect(found.map((e) => e.code)).toEqual(['CDA_CODE', 'CDA_CODE', 'CDA_CODE', 'CDA_CODE', 'CDA_CODE', 'CDA_CODE']);
    const text = found.map((e) => `${e.path} ${e.message}`).join('\n');
    expect(text).toContain('code ORG-999 (system 1.2.250.1.213.1.1.4.322) is not in JDV_NatureDiscussion_CISIS (allowed: ORG-117 RCP Appareil - Organes, ORG-132 RCP Transversale et de soins de support)');
    expect(text).toContain('code ORG-126 (system 1.2.250.1.213.1.1.4.322) is not in JDV_StatutCasPresente_CISIS');
    expect(text).toContain('"sein droit" is not an ICD-10 code');
    expect(text).toContain('code 12345678 (system 2.16.840.1.113883.6.96) is not in JDV_ModificateurTopographique_CISIS');
    expect(text).toContain('the WHO performance status must be one of');
    expect(text).toContain('code 71388002 (system 2.16.840.1.113883.6.96) is not in JDV_TypeTraitement_FRCP_CISIS');
  });

  it('missing data the volet requires', () => {
    const b = read('minimal');
    b.entry = b.entry!.filter((e) => {
      const r = e.resource as Observation;
      return !(r.resourceType === 'Observation' && ['21906-3', 'MED-243', 'GEN-099'].includes(r.code.coding?.[0]?.code ?? ''));
    });
    observationCoded(b, 'ORG-186').component!.splice(0, 1);
    const found = errors(b);
    expect(found.map((e) => e.code)).toEqual(['CDA_REFERENCE', 'CDA_FRCP_REQUIRED', 'CDA_FRCP_REQUIRED', 'CDA_FRCP_REQUIRED', 'CDA_FRCP_REQUIRED']);
    expect(found.map((e) => e.message).join('\n')).toMatch(/clinical TNM N[^]*"Avis diagnostique"[^]*phase of the cancer[^]*status of the file presented/);
  });

  it('a replacing version without versionNumber', () => {
    const b = read('appareil-v2-rplc');
    composition(b).extension = [];
    expect(errors(b).map((e) => e.code)).toEqual(['CDA_VERSION']);
  });
});
