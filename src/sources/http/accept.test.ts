import { describe, expect, it } from 'vitest';
import { readIdempotencyKey } from './accept.js';
import { operationOutcome } from './operation-outcome.js';
import { error, info, warning } from '../../engine/issues.js';

describe('readIdempotencyKey', () => {
  it('reads quoted (RFC 8941 string) and bare keys', () => {
    expect(readIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toEqual({ key: '8e03978e-40d5-43e8-bc93-6894a57f9324' });
    expect(readIdempotencyKey('abc-123')).toEqual({ key: 'abc-123' });
    expect(readIdempotencyKey(undefined)).toEqual({});
  });
  it('refuses empty, too long or non-ASCII keys with an issue', () => {
    for (const k of ['', '""', 'a b', 'é', 'x'.repeat(256)]) expect(readIdempotencyKey(k).issue?.code).toBe('HTTP_IDEMPOTENCY_KEY');
  });
});

describe('operationOutcome', () => {
  it('one issue per Issue, with severity, FHIR type, Relais code, message and path as expression', () => {
    const oo = operationOutcome([
      error('FHIR_NOT_DOCUMENT', 'Bundle.type is "collection"', 'Bundle.type'),
      error('SCH_ASSERT', '[frcp-1] section manquante', '/ClinicalDocument'),
      warning('CDA_X', 'w'),
      info('NOTE', 'n'),
    ], '0lz8k2m3aabcdef012345');
    expect(oo.id).toBe('0lz8k2m3aabcdef012345');
    expect(oo.issue).toEqual([
      { severity: 'error', code: 'invalid', details: { coding: [{ system: 'https://relais.dev/fhir/CodeSystem/issue-code', code: 'FHIR_NOT_DOCUMENT' }], text: 'Bundle.type is "collection"' }, expression: ['Bundle.type'] },
      { severity: 'error', code: 'business-rule', details: { coding: [{ system: 'https://relais.dev/fhir/CodeSystem/issue-code', code: 'SCH_ASSERT' }], text: '[frcp-1] section manquante' }, expression: ['/ClinicalDocument'] },
      { severity: 'warning', code: 'invalid', details: { coding: [{ system: 'https://relais.dev/fhir/CodeSystem/issue-code', code: 'CDA_X' }], text: 'w' } },
      { severity: 'information', code: 'informational', details: { coding: [{ system: 'https://relais.dev/fhir/CodeSystem/issue-code', code: 'NOTE' }], text: 'n' } },
    ]);
  });
});
