import { describe, expect, it } from 'vitest';
import { fromHl7Timestamp, fromIsoText, parisOffset } from './dates.js';

describe('pathology report dates', () => {
  it('HL7 / CDA timestamps at every precision', () => {
    expect(fromHl7Timestamp('2026')).toBe('2026');
    expect(fromHl7Timestamp('202611')).toBe('2026-11');
    expect(fromHl7Timestamp('20261120')).toBe('2026-11-20');
    expect(fromHl7Timestamp('202611201430+0100')).toBe('2026-11-20T14:30:00+01:00');
    expect(fromHl7Timestamp('20261120143005.25-0500')).toBe('2026-11-20T14:30:05.25-05:00');
  });

  it('a time without offset is Paris time, summer and winter, and across the DST changes', () => {
    expect(fromHl7Timestamp('20261120143000')).toBe('2026-11-20T14:30:00+01:00');
    expect(fromHl7Timestamp('20260715083000')).toBe('2026-07-15T08:30:00+02:00');
    expect(parisOffset(2026, 3, 29, 1, 30)).toBe('+01:00'); // before 2:00 on the last Sunday of March
    expect(parisOffset(2026, 3, 29, 3, 30)).toBe('+02:00');
    expect(parisOffset(2026, 10, 25, 4, 0)).toBe('+01:00');
  });

  it('malformed or impossible dates give undefined', () => {
    expect(fromHl7Timestamp('20260230')).toBeUndefined();
    expect(fromHl7Timestamp('2026113')).toBeUndefined();
    expect(fromHl7Timestamp('20261120256000')).toBeUndefined();
    expect(fromHl7Timestamp('')).toBeUndefined();
    expect(fromHl7Timestamp('2026-11-20')).toBeUndefined();
  });

  it('ISO texts (sidecars)', () => {
    expect(fromIsoText('2026-11-08')).toBe('2026-11-08');
    expect(fromIsoText('2026-11-08T11:42')).toBe('2026-11-08T11:42:00+01:00');
    expect(fromIsoText('2026-11-08T11:42:00Z')).toBe('2026-11-08T11:42:00+00:00');
    expect(fromIsoText('2026-11-08T11:42:00+01:00')).toBe('2026-11-08T11:42:00+01:00');
    expect(fromIsoText('08/11/2026')).toBeUndefined();
    expect(fromIsoText('2026-02-30')).toBeUndefined();
  });
});
