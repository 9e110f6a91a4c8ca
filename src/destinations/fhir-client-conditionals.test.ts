import { describe, expect, it } from 'vitest';
import type { Bundle } from '@medplum/fhirtypes';
import { DeliveryError } from '../engine/define.js';
import { conditionalCreateId, resolveConditionals } from './fhir-client-conditionals.js';

const ref = 'Patient?identifier=urn%3Aoid%3A1.2.250.1.213.1.4.8%7C258066912304592';
const prac = 'urn:uuid:7f1a1c52-0000-5000-8000-000000000001';
const bundle = (): Bundle => ({
  resourceType: 'Bundle',
  type: 'transaction',
  entry: [
    { fullUrl: prac, resource: { resourceType: 'Practitioner', identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810101234567' }] }, request: { method: 'POST', url: 'Practitioner', ifNoneExist: 'identifier=urn%3Aoid%3A1.2.250.1.71.4.2.1%7C810101234567' } },
    { resource: { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, subject: { reference: ref }, performer: [{ reference: prac }], hasMember: [{ reference: 'Observation/o2' }] }, request: { method: 'PUT', url: 'Observation/o1' } },
    { resource: { resourceType: 'Binary', id: 'b', contentType: 'application/pdf', data: 'JVBERi0=' }, request: { method: 'PUT', url: 'Binary/b' } },
    { resource: { resourceType: 'DiagnosticReport', id: 'd', status: 'final', code: { text: 'x' }, subject: { reference: ref }, resultsInterpreter: [{ reference: prac }] }, request: { method: 'PUT', url: 'DiagnosticReport/d' } },
  ],
});

/** A search answering from a table `Type?identifier-value → ids`, recording what was asked. */
const searchFrom = (table: Record<string, string[]>, asked: string[] = []) => async (type: string, q: URLSearchParams) => {
  const key = `${type}?${q.get('identifier')}`;
  asked.push(key);
  return table[key] ?? [];
};

describe('client-side conditional operations', () => {
  it('a conditional create that matches is dropped and its placeholder points at the existing resource; references are resolved', async () => {
    const asked: string[] = [];
    const input = bundle();
    const out = await resolveConditionals(input, searchFrom({ 'Practitioner?urn:oid:1.2.250.1.71.4.2.1|810101234567': ['pr1'], 'Patient?urn:oid:1.2.250.1.213.1.4.8|258066912304592': ['p1'] }, asked));
    expect(asked).toEqual(['Practitioner?urn:oid:1.2.250.1.71.4.2.1|810101234567', 'Patient?urn:oid:1.2.250.1.213.1.4.8|258066912304592']);
    expect(out.entry!.map((e) => e.request!.url)).toEqual(['Observation/o1', 'Binary/b', 'DiagnosticReport/d']);
    expect(out.entry![0]!.resource).toMatchObject({ subject: { reference: 'Patient/p1' }, performer: [{ reference: 'Practitioner/pr1' }], hasMember: [{ reference: 'Observation/o2' }] });
    expect(out.entry![2]!.resource).toMatchObject({ subject: { reference: 'Patient/p1' }, resultsInterpreter: [{ reference: 'Practitioner/pr1' }] });
    expect(out.entry![1]!.resource).toBe(input.entry![2]!.resource); // the Binary is not copied
    expect(input.entry![1]!.resource).toMatchObject({ subject: { reference: ref } }); // the input is not modified
  });

  it('a conditional create that matches nothing becomes a PUT under an id derived from the condition', async () => {
    const out = await resolveConditionals(bundle(), searchFrom({ 'Patient?urn:oid:1.2.250.1.213.1.4.8|258066912304592': ['p1'] }));
    const id = conditionalCreateId('Practitioner', 'identifier=urn%3Aoid%3A1.2.250.1.71.4.2.1%7C810101234567');
    expect(id).toMatch(/^cc-[0-9a-f]{40}$/);
    expect(out.entry![0]).toEqual({ resource: { resourceType: 'Practitioner', id, identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810101234567' }] }, request: { method: 'PUT', url: `Practitioner/${id}` } });
    expect(out.entry![1]!.resource).toMatchObject({ performer: [{ reference: `Practitioner/${id}` }] });
    // the same condition always gives the same id (two senders racing create one resource)
    expect(conditionalCreateId('Practitioner', 'identifier=urn:oid:1.2.250.1.71.4.2.1|810101234567')).toBe(id);
  });

  it('a reference matching none or several, a create matching several: a permanent refusal that names no identifier value', async () => {
    const cases = [
      searchFrom({}),
      searchFrom({ 'Patient?urn:oid:1.2.250.1.213.1.4.8|258066912304592': ['p1', 'p2'] }),
      searchFrom({ 'Practitioner?urn:oid:1.2.250.1.71.4.2.1|810101234567': ['a', 'b'], 'Patient?urn:oid:1.2.250.1.213.1.4.8|258066912304592': ['p1'] }),
    ];
    const messages: string[] = [];
    for (const search of cases) {
      const e = await resolveConditionals(bundle(), search).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DeliveryError);
      expect((e as DeliveryError).permanent).toBe(true);
      expect((e as Error).message).not.toMatch(/258066912304592|810101234567/);
      messages.push((e as Error).message);
    }
    expect(messages).toEqual([
      'conditional reference Patient?identifier matched no resource: not sent (fix the identity, then replay)',
      'conditional reference Patient?identifier matched several resources: not sent (fix the identity, then replay)',
      'conditional create Practitioner?identifier matched several resources: not sent (merge the duplicates, then replay)',
    ]);
  });

  it('a bundle without conditional operations is returned as is', async () => {
    const b: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }] };
    expect(await resolveConditionals(b, async () => [])).toBe(b);
  });
});
