import { describe, expect, it } from 'vitest';
import { hl7Date, hl7DateTime } from './dates.js';

describe('HL7 TS → FHIR date / dateTime', () => {
  it('keeps the precision of a date', () => {
    expect(hl7Date('1979')).toBe('1979');
    expect(hl7Date('197903')).toBe('1979-03');
    expect(hl7Date('19790328')).toBe('1979-03-28');
    expect(hl7Date('197903281230')).toBe('1979-03-28');
    expect(hl7DateTime('19790328')).toBe('1979-03-28');
  });
  it('gives a time without offset the French legal time of that day (winter +01:00, summer +02:00)', () => {
    expect(hl7DateTime('20240306110000')).toBe('2024-03-06T11:00:00+01:00');
    expect(hl7DateTime('20240706110000')).toBe('2024-07-06T11:00:00+02:00');
    expect(hl7DateTime('202407061100')).toBe('2024-07-06T11:00:00+02:00');
    expect(hl7DateTime('2024070611')).toBe('2024-07-06T11:00:00+02:00');
  });
  it('handles the summer-time changes: the day after the switch, the night of the switch', () => {
    expect(hl7DateTime('20240331013000')).toBe('2024-03-31T01:30:00+01:00'); // before 02:00, still winter
    expect(hl7DateTime('20240331120000')).toBe('2024-03-31T12:00:00+02:00');
    expect(hl7DateTime('20241027013000')).toBe('2024-10-27T01:30:00+02:00'); // before the switch back
    expect(hl7DateTime('20241027023000')).toBe('2024-10-27T02:30:00+01:00'); // the repeated hour: the later one
    expect(hl7DateTime('20241027120000')).toBe('2024-10-27T12:00:00+01:00');
  });
  it('keeps an explicit offset and fractions of a second', () => {
    expect(hl7DateTime('20240306110000+0400')).toBe('2024-03-06T11:00:00+04:00');
    expect(hl7DateTime('20240306110000.25-0300')).toBe('2024-03-06T11:00:00.250-03:00');
  });
  it('refuses what is not a date', () => {
    for (const v of ['', '2024-03-06', '20240230', '20241301', '20240306250000', 'abc', '""']) {
      expect(hl7Date(v), v).toBeUndefined();
      expect(hl7DateTime(v), v).toBeUndefined();
    }
  });
});
