import { Client, type FhirResource } from 'fhir-kit-client';
import { z } from 'zod';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { defineDestination, DeliveryError } from '../engine/define.js';
import { error, type Issue } from '../engine/issues.js';
import { readSecret, secret } from '../engine/secret.js';
import { INS_SYSTEMS } from '../fhir/ins.js';
import { resolveConditionals } from './fhir-client-conditionals.js';

const options = z.object({
  baseUrl: z.string().url().describe('FHIR R4 base URL of the DCC'),
  token: secret().optional().describe('bearer token'),
  matchSystems: z
    .array(z.string())
    .default(INS_SYSTEMS)
    .describe('identifier systems tried in order to build the conditional update (first match wins); else the first identifier'),
  timeoutMs: z.number().int().min(100).default(30_000),
  clientConditionals: z
    .boolean()
    .default(false)
    .describe('perform the conditional creates (ifNoneExist) and conditional references (Patient?identifier=…) of a transaction by searching before sending, for servers that do not support or limit them (medplum); a reference matching none or several resources holds the delivery'),
});
type Options = z.infer<typeof options>;

/** A conditional update on a business identifier: re-sending the same message updates, never duplicates. */
function entryFor(resource: Resource, o: Options): BundleEntry | Issue {
  const ids = (resource as { identifier?: { system?: string; value?: string }[] }).identifier ?? [];
  const chosen = o.matchSystems.map((s) => ids.find((i) => i.system === s && i.value)).find(Boolean) ?? ids.find((i) => i.system && i.value);
  if (!chosen) return error('FHIR_NO_IDENTIFIER', `${resource.resourceType} has no identifier to update on; refusing a blind create (it would duplicate on re-send)`);
  const query = new URLSearchParams({ identifier: `${chosen.system}|${chosen.value}` });
  return { resource, request: { method: 'PUT', url: `${resource.resourceType}?${query.toString()}` } };
}

function statusOf(e: unknown): number | undefined {
  const x = e as { response?: { status?: number }; status?: number };
  return x.response?.status ?? x.status;
}

/** 4xx means the server refuses this content: retrying cannot help (except 408 timeout and 429 throttling). */
const isPermanent = (status: number | undefined) => status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;

export const fhirDestination = defineDestination({
  type: 'fhir',
  description: 'FHIR R4 server: conditional update on identifier, or a transaction Bundle as mapped',
  options,
  encode(mapped, o) {
    const r = mapped.content as Resource;
    if (!r || typeof r !== 'object' || !('resourceType' in r)) return { issues: [error('FHIR_NOT_RESOURCE', 'the mapped content is not a FHIR resource')] };
    if (r.resourceType === 'Bundle' && (r.type === 'transaction' || r.type === 'batch')) {
      return { encoded: { content: Buffer.from(JSON.stringify(r)), contentType: 'application/fhir+json' }, issues: [] };
    }
    const entry = entryFor(r, o);
    if ('severity' in entry) return { issues: [entry] };
    const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [entry] };
    return { encoded: { content: Buffer.from(JSON.stringify(bundle)), contentType: 'application/fhir+json' }, issues: [] };
  },
  async createSender(o) {
    const client = new Client({ baseUrl: o.baseUrl, ...(o.token ? { bearerToken: readSecret(o.token) } : {}) });
    return {
      async send(encoded) {
        let bundle = JSON.parse(encoded.content.toString('utf8')) as Bundle;
        const signal = AbortSignal.timeout(o.timeoutMs);
        try {
          if (o.clientConditionals && bundle.type === 'transaction') {
            bundle = await resolveConditionals(bundle, async (resourceType, query) => {
              query.set('_count', '2');
              const found = (await client.search({ resourceType, searchParams: Object.fromEntries(query), options: { signal } })) as unknown as Bundle;
              return (found.entry ?? []).flatMap((e) => (e.resource?.id && (e.search?.mode ?? 'match') === 'match' ? [e.resource.id] : []));
            });
          }
          const only = bundle.entry?.length === 1 ? bundle.entry[0] : undefined;
          if (bundle.type === 'transaction' && only?.request?.method === 'PUT' && only.request.url.includes('?') && only.resource) {
            const [type, query] = only.request.url.split('?') as [string, string];
            const saved = (await client.update({ resourceType: type, searchParams: Object.fromEntries(new URLSearchParams(query)), body: only.resource as unknown as FhirResource, options: { signal } })) as unknown as Resource;
            return { detail: `${saved.resourceType}/${saved.id ?? '?'}` };
          }
          const body = bundle as unknown as FhirResource;
          const out = (await (bundle.type === 'batch' ? client.batch({ body, options: { signal } }) : client.transaction({ body, options: { signal } }))) as unknown as Bundle;
          const failed = (out.entry ?? []).filter((e) => e.response && !/^2/.test(e.response.status));
          if (failed.length) throw new DeliveryError(`${failed.length} entries failed: ${failed.map((e) => e.response?.status).join(', ')}`, failed.every((e) => isPermanent(Number(e.response?.status.slice(0, 3)))));
          return { detail: (out.entry ?? []).map((e) => e.response?.location ?? e.response?.status).join(' ') };
        } catch (e) {
          if (e instanceof DeliveryError) throw e;
          const status = statusOf(e);
          const diag = JSON.stringify((e as { response?: { data?: unknown } }).response?.data ?? '').slice(0, 300);
          throw new DeliveryError(status ? `HTTP ${status} ${diag}` : `FHIR server unreachable: ${(e as Error).message}`, isPermanent(status));
        }
      },
      async close() {},
    };
  },
});
