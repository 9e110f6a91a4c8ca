import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestFhirServer, type TestFhirServer } from './fhir-server.js';

let s: TestFhirServer;
beforeAll(async () => {
  s = await startTestFhirServer();
});
afterAll(() => s.close());

it('conditional update by identifier creates once, then updates the same resource', async () => {
  const put = (family: string) =>
    fetch(`${s.baseUrl}/Patient?identifier=${encodeURIComponent('urn:oid:1.2.3|42')}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Patient', identifier: [{ system: 'urn:oid:1.2.3', value: '42' }], name: [{ family }] }),
    });
  const a = await put('A');
  expect(a.status).toBe(201);
  const b = await put('B');
  expect(b.status).toBe(200);
  const found = await (await fetch(`${s.baseUrl}/Patient?identifier=${encodeURIComponent('urn:oid:1.2.3|42')}`)).json();
  expect(found.entry).toHaveLength(1);
  expect(found.entry[0].resource.name[0].family).toBe('B');
});
