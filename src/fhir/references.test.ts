import { describe, expect, it } from 'vitest';
import { mapReferences } from './references.js';

describe('mapReferences', () => {
  const report = {
    resourceType: 'DiagnosticReport',
    subject: { reference: 'urn:uuid:p' },
    result: [{ reference: 'urn:uuid:o1' }, { reference: 'Observation/keep' }],
    presentedForm: [{ data: 'AAAA' }],
  };

  it('replaces references at any depth, copying only the branches that change', () => {
    const out = mapReferences(report, (r) => ({ 'urn:uuid:p': 'Patient/1', 'urn:uuid:o1': 'Observation/2' })[r]);
    expect(out.subject.reference).toBe('Patient/1');
    expect(out.result.map((x) => x.reference)).toEqual(['Observation/2', 'Observation/keep']);
    expect(out.presentedForm).toBe(report.presentedForm); // untouched branch: the same object
    expect(out.result[1]).toBe(report.result[1]);
    expect(report.subject.reference).toBe('urn:uuid:p'); // the input is not modified
  });

  it('returns the value itself when nothing is replaced', () => {
    expect(mapReferences(report, () => undefined)).toBe(report);
  });
});
