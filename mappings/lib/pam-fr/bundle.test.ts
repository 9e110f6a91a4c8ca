import { describe, expect, it } from 'vitest';
import { createIfMissingEntry, putEntry, stableUuid } from './bundle.js';

const key = { system: 'urn:oid:1.2.3', value: '0123456' };

describe('transaction entries', () => {
  it('full URLs are name-based UUIDs: stable for a type and identifier, distinct otherwise', () => {
    const u = stableUuid('Patient', key);
    expect(u).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(stableUuid('Patient', { ...key })).toBe(u);
    expect(stableUuid('Encounter', key)).not.toBe(u);
    expect(stableUuid('Patient', { ...key, value: '0123457' })).not.toBe(u);
  });
  it('a conditional update PUTs on the identifier; a conditional create POSTs with ifNoneExist', () => {
    expect(putEntry({ resourceType: 'Patient' }, key)).toEqual({ fullUrl: stableUuid('Patient', key), resource: { resourceType: 'Patient' }, request: { method: 'PUT', url: 'Patient?identifier=urn%3Aoid%3A1.2.3%7C0123456' } });
    expect(createIfMissingEntry({ resourceType: 'Organization' }, key).request).toEqual({ method: 'POST', url: 'Organization', ifNoneExist: 'identifier=urn%3Aoid%3A1.2.3%7C0123456' });
  });
});
