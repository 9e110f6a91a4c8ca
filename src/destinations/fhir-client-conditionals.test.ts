import { describe, expect, it } from 'vitest';
import type { Bundle } from '@medplum/fhirtypes';
import { DeliveryError } from '../engine/define.js';
import { resolveConditionalReferences } from './fhir-conditional-references.js';

const ref = 'Patient?identifier=urn%3Aoid%3A1.2.250.1.213.1.4.8%7C258066912304592';
const bundle = (): Bundle => ({
  resourceType: 'Bundle',
  type: 'transaction',
  entry: [
    { fullUrl: 'urn:uuid:1', resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: ref }, hasMember: [{ reference: 'urn:uuid:2' }] }, request: { method: 'PUT', url: 'Observation?identifier=a|1' } },
    { resource: { resourceType: 'Binary', contentType: 'application/pdf', data: 'JVBERi0=' }, request: { method: 'PUT', url: 'Binary/b' } },
    { fullUrl: 'urn:uuid:3', resource: { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'x' }, subject: { reference: ref } }, request: { method: 'PUT', url: 'DiagnosticReport?identifier=a|1' } },
  ],
});

describe('conditional references resolved by the sender', () => {
  it('searches each distinct reference once and rewrites it to Type/id; other references and data are untouched', async () => {
    const searches: string[] = [];
    const input = bundle();
    const out = await resolveConditionalReferences(input, async (type, q) => (searches.push(`${type}?${q.get('identifier')}`), ['p1']));
    expect(searches).toEqual(['Patient?urn:oid:1.2.250.1.213.1.4.8|258066912304592']);
    expect(out.entry![0]!.resource).toMatchObject({ subject: { reference: 'Patient/p1' }, hasMember: [{ reference: 'urn:uuid:2' }] });
    expect(out.entry![2]!.resource).toMatchObject({ subject: { reference: 'Patient/p1' } });
    expect(out.entry![1]!.resource).toBe(input.entry![1]!.resource); // the Binary is not copied
    expect(input.entry![0]!.resource).toMatchObject({ subject: { reference: ref } }); // the input is not modified
  });

  it('no match or several matches: a permanent refusal that names no identifier value', async () => {
    for (const ids of [[], ['p1', 'p2']]) {
      const e = await resolveConditionalReferences(bundle(), async () => ids).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(DeliveryError);
      expect((e as DeliveryError).permanent).toBe(true);
      expect((e as Error).message).toMatch(/^conditional reference Patient\?identifier matched (no resource|several resources)/);
      expect((e as Error).message).not.toContain('258066912304592');
    }
  });

  it('a bundle without conditional references is returned as is', async () => {
    const b: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }] };
    expect(await resolveConditionalReferences(b, async () => [])).toBe(b);
  });
});
