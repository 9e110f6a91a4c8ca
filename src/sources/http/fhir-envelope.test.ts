import { describe, expect, it } from 'vitest';
import { checkEnvelope } from './fhir-envelope.js';

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const doc = (over: Record<string, unknown> = {}) => ({
  resourceType: 'Bundle',
  type: 'document',
  identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:0c1b1b1e-5b4c-4c43-a0a4-0fd5b8f1d5a1' },
  timestamp: '2024-05-02T10:00:00+02:00',
  entry: [
    { fullUrl: 'urn:uuid:c1', resource: { resourceType: 'Composition' } },
    { fullUrl: 'urn:uuid:p1', resource: { resourceType: 'Patient' } },
  ],
  ...over,
});

describe('checkEnvelope (fhir-document)', () => {
  it('accepts a document Bundle and gives its identifier as the document key', () => {
    expect(checkEnvelope(json(doc()), 'fhir-document')).toEqual({ issues: [], readable: true, documentKey: 'urn:ietf:rfc:3986|urn:uuid:0c1b1b1e-5b4c-4c43-a0a4-0fd5b8f1d5a1' });
  });

  it('reports a body that is not JSON, not UTF-8, or empty, as unreadable', () => {
    expect(checkEnvelope(Buffer.from('{"resourceType": "Bundle",\n "name": Dupont}'), 'fhir-document')).toEqual({ readable: false, issues: [{ code: 'HTTP_NOT_JSON', severity: 'error', path: 'line 2, column 10', message: 'the body is not JSON: unexpected character "D"' }] });
    expect(checkEnvelope(Buffer.from([0x7b, 0xff, 0x7d]), 'fhir-document')).toMatchObject({ readable: false, issues: [{ code: 'HTTP_ENCODING' }] });
    expect(checkEnvelope(Buffer.from('  '), 'fhir-document')).toMatchObject({ readable: false, issues: [{ code: 'HTTP_EMPTY_BODY' }] });
  });

  it('accepts a UTF-8 byte order mark', () => {
    expect(checkEnvelope(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json(doc())]), 'fhir-document').issues).toEqual([]);
  });

  it('refuses JSON that is not a FHIR resource, and a resource that is not a Bundle', () => {
    expect(checkEnvelope(json([1, 2]), 'fhir-document').issues).toEqual([expect.objectContaining({ code: 'FHIR_NOT_RESOURCE', path: 'resourceType' })]);
    expect(checkEnvelope(json({ resourceType: 'Patient' }), 'fhir-document').issues).toEqual([expect.objectContaining({ code: 'FHIR_NOT_BUNDLE', message: 'expected a document Bundle, got a Patient' })]);
  });

  it('lists every structural problem of a Bundle, each with its FHIRPath', () => {
    const bad = doc({
      type: 'collection',
      identifier: { value: 'x' },
      timestamp: undefined,
      entry: [{ fullUrl: 'urn:uuid:a', resource: { resourceType: 'Patient' } }, { resource: {} }, { fullUrl: 'urn:uuid:a', resource: { resourceType: 'Observation' } }, 'nope'],
    });
    const r = checkEnvelope(json(bad), 'fhir-document');
    expect(r.documentKey).toBeUndefined();
    expect(r.issues.map((i) => [i.code, i.path])).toEqual([
      ['FHIR_NOT_DOCUMENT', 'Bundle.type'],
      ['FHIR_DOCUMENT_IDENTIFIER', 'Bundle.identifier'],
      ['FHIR_DOCUMENT_TIMESTAMP', 'Bundle.timestamp'],
      ['FHIR_DOCUMENT_COMPOSITION', 'Bundle.entry[0].resource'],
      ['FHIR_ENTRY_NO_RESOURCE', 'Bundle.entry[1].resource'],
      ['FHIR_ENTRY_FULLURL', 'Bundle.entry[1].fullUrl'],
      ['FHIR_ENTRY_DUPLICATE_FULLURL', 'Bundle.entry[2].fullUrl'],
      ['FHIR_ENTRY_INVALID', 'Bundle.entry[3]'],
    ]);
    expect(r.issues.every((i) => i.severity === 'error')).toBe(true);
  });

  it('refuses a document without entries', () => {
    expect(checkEnvelope(json(doc({ entry: [] })), 'fhir-document').issues.map((i) => i.code)).toEqual(['FHIR_DOCUMENT_EMPTY']);
  });
});

describe('checkEnvelope (other expectations)', () => {
  it('fhir-resource: any resource; any: no check at all', () => {
    expect(checkEnvelope(json({ resourceType: 'Patient' }), 'fhir-resource')).toEqual({ issues: [], readable: true });
    expect(checkEnvelope(json({ a: 1 }), 'fhir-resource').issues[0]?.code).toBe('FHIR_NOT_RESOURCE');
    expect(checkEnvelope(Buffer.from('<ClinicalDocument/>'), 'any')).toEqual({ issues: [], readable: true });
  });
});
