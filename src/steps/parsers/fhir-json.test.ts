import { describe, expect, it } from 'vitest';
import { fhirJsonParser, jsonErrorAt } from './fhir-json.js';

const parse = (text: string | Buffer, resourceTypes: string[] = []) =>
  fhirJsonParser.parse(Buffer.isBuffer(text) ? text : Buffer.from(text), fhirJsonParser.options.parse({ resourceTypes }));

describe('fhir-json parser', () => {
  it('parses a FHIR resource, with or without a UTF-8 BOM', () => {
    expect(parse('{"resourceType":"Bundle","type":"document"}')).toEqual({ value: { resourceType: 'Bundle', type: 'document' }, issues: [] });
    expect(parse('\uFEFF{"resourceType":"Patient","name":[{"family":"Hélène"}]}').value).toEqual({ resourceType: 'Patient', name: [{ family: 'Hélène' }] });
  });
  it('reports a syntax error with its line and column', () => {
    const r = parse('{\n  "resourceType": "Bundle",\n  "type": document\n}');
    expect(r.value).toBeUndefined();
    expect(r.issues).toEqual([{ severity: 'error', code: 'JSON_PARSE', path: 'line 3, column 11', message: 'not valid JSON: unexpected character "d"' }]);
    expect(parse('   ').issues[0]).toMatchObject({ code: 'JSON_PARSE', message: 'not valid JSON: the content is empty' });
  });
  it('refuses what is not UTF-8', () => {
    expect(parse(Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d])).issues.map((i) => i.code)).toEqual(['JSON_ENCODING']);
  });
  it('refuses JSON that is not a FHIR resource, or not an accepted type', () => {
    expect(parse('[1,2]').issues[0]?.message).toContain('an array');
    expect(parse('{"type":"document"}').issues.map((i) => i.code)).toEqual(['FHIR_RESOURCE_TYPE']);
    expect(parse('{"resourceType":"Patient"}', ['Bundle']).issues[0]?.message).toBe('resourceType "Patient" is not accepted here (expected Bundle)');
    expect(parse('{"resourceType":"Bundle"}', ['Bundle']).issues).toEqual([]);
  });
});

describe('jsonErrorAt', () => {
  it('locates the first syntax error without quoting the content', () => {
    expect(jsonErrorAt('{"a": [1, 2,]}')).toEqual({ offset: 12, reason: 'unexpected character "]"' });
    expect(jsonErrorAt('{"a" 1}')).toEqual({ offset: 5, reason: 'expected ":", found character "1"' });
    expect(jsonErrorAt('{"a": "x}')).toEqual({ offset: 9, reason: 'unterminated string' });
    expect(jsonErrorAt('{"a": 1} x')).toEqual({ offset: 9, reason: 'unexpected character "x" after the end of the JSON value' });
    expect(jsonErrorAt('{"a": 01}')).toEqual({ offset: 7, reason: 'expected "," or "}", found character "1"' });
  });
});

describe('jsonErrorAt on deep input', () => {
  it('stops at 1000 levels instead of overflowing the stack', () => {
    expect(jsonErrorAt('['.repeat(5000)).reason).toBe('nesting deeper than 1000 levels');
    expect(jsonErrorAt('['.repeat(999) + ']'.repeat(998)).reason).toBe('expected "," or "]", found end of input');
  });
});
