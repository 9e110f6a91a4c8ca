/**
 * Conditional operations of a transaction performed by the sender, for FHIR servers that do not support them or
 * limit them (medplum resolves no conditional reference in a transaction, and refuses a transaction with a
 * conditional operation beyond 8 entries). Just before sending:
 * - a conditional create (`POST Type` + `ifNoneExist`) is searched: the existing resource is reused (the entry is
 *   dropped), or the resource is created by `PUT Type/<id derived from the condition>` (two senders racing create the
 *   same resource, never two); several matches refuse the message;
 * - a conditional reference (`"reference": "Patient?identifier=…"`, FHIR R4 http.html#trules) must match exactly one
 *   resource and becomes `Type/id`; none or several refuse the message.
 * A refusal is a permanent failure: the delivery is held for an operator, never attached to a guessed resource.
 * The transaction sent then has no conditional operation left.
 */
import { createHash } from 'node:crypto';
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { DeliveryError } from '../engine/define.js';
import { mapReferences } from '../fhir/references.js';

/** Searches `resourceType?query` and returns the ids of (at most two) matches. */
export type ConditionalSearch = (resourceType: string, query: URLSearchParams) => Promise<string[]>;

const CONDITIONAL = /^([A-Z][A-Za-z]+)\?(.+)$/;

function collect(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) collect(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string' && CONDITIONAL.test(v)) out.add(v);
      else if (typeof v === 'object') collect(v, out);
    }
  }
}


/** What a refusal says: the type and search parameters, never their values (they may be patient identifiers). */
const describe = (type: string, query: string) => `${type}?${[...new URLSearchParams(query).keys()].join('&')}`;

/** The id under which a conditional create is made when nothing matches: the same condition, the same id. */
export const conditionalCreateId = (type: string, condition: string): string =>
  `cc-${createHash('sha256').update(`${type}?${new URLSearchParams(condition).toString()}`).digest('hex').slice(0, 40)}`;

/** The transaction with its conditional operations done by search; throws a permanent DeliveryError on a refusal. */
export async function resolveConditionals(bundle: Bundle, search: ConditionalSearch): Promise<Bundle> {
  const resolved = new Map<string, string>();
  const entries: BundleEntry[] = [];
  for (const e of bundle.entry ?? []) {
    const req = e.request;
    if (req?.method !== 'POST' || !req.ifNoneExist || !e.resource) {
      entries.push(e);
      continue;
    }
    const type = req.url.split('?')[0]!;
    const ids = await search(type, new URLSearchParams(req.ifNoneExist));
    if (ids.length > 1) throw new DeliveryError(`conditional create ${describe(type, req.ifNoneExist)} matched several resources: not sent (merge the duplicates, then replay)`, true);
    const ref = `${type}/${ids[0] ?? conditionalCreateId(type, req.ifNoneExist)}`;
    if (e.fullUrl) resolved.set(e.fullUrl, ref);
    if (ids.length === 0) entries.push({ resource: { ...e.resource, id: ref.slice(type.length + 1) }, request: { method: 'PUT', url: ref } });
  }
  const refs = new Set<string>();
  for (const e of entries) collect(e.resource, refs);
  for (const ref of refs) {
    const [, type, query] = CONDITIONAL.exec(ref)!;
    const ids = await search(type!, new URLSearchParams(query));
    if (ids.length !== 1) {
      throw new DeliveryError(`conditional reference ${describe(type!, query!)} matched ${ids.length === 0 ? 'no resource' : 'several resources'}: not sent (fix the identity, then replay)`, true);
    }
    resolved.set(ref, `${type}/${ids[0]}`);
  }
  if (resolved.size === 0) return bundle;
  return { ...bundle, entry: entries.map((e) => (e.resource ? { ...e, resource: mapReferences(e.resource, (r) => resolved.get(r)) } : e)) };
}
