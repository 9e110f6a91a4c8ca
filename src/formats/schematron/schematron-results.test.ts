import { describe, expect, it } from 'vitest';
import { severityOf } from './schematron-results.js';

describe('severityOf', () => {
  it('defaults to error for asserts and info for reports', () => {
    expect(severityOf('assert')).toBe('error');
    expect(severityOf('report')).toBe('info');
  });

  it('takes the first of role, flag that names a level', () => {
    expect(severityOf('assert', 'warning')).toBe('warning');
    expect(severityOf('assert', ' WARN ')).toBe('warning');
    expect(severityOf('report', 'error')).toBe('error');
    expect(severityOf('assert', 'information')).toBe('info');
    expect(severityOf('assert', 'mandatory', 'warning')).toBe('warning');
    expect(severityOf('report', undefined, 'fatal')).toBe('error');
    expect(severityOf('report', 'something-else')).toBe('info');
  });
});
