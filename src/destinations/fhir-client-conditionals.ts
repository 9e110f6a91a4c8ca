/**
 * Conditional references (`"reference": "Patient?identifier=urn:oid:…|…"`, FHIR R4 http.html#trules) resolved by the
 * sender, for FHIR servers that do not resolve them in a transaction (the medplum router used as the test DCC does
 * not): each distinct one is searched just before sending; exactly one match becomes `Type/id`, none or several
 * refuse the message (a permanent failure: the delivery is held for an operator, never attached to a guessed
 * resource). The references must name resources that exist before the transaction.
 */
import type { Bundle } from '@medplum/fhirtypes';
import { DeliveryError } from '../engine/define.js';

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

/** Rewrites the references found in `map`; unchanged branches are returned as they are (no copy of large data). */
function rewrite<T>(value: T, map: Map<string, string>): T {
  if (Array.isArray(value)) {
    const out = value.map((v) => rewrite(v, map));
    return (out.some((v, i) => v !== value[i]) ? out : value) as T;
  }
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  let changed: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(obj)) {
    const next = k === 'reference' && typeof v === 'string' ? (map.get(v) ?? v) : typeof v === 'object' ? rewrite(v, map) : v;
    if (next !== v) (changed ??= { ...obj })[k] = next;
  }
  return (changed ?? value) as T;
}

/** What a refusal says: the type and search parameters, never their values (they are patient identifiers). */
const describe = (ref: string) => {
  const [, type, query] = CONDITIONAL.exec(ref)!;
  return `${type}?${[...new URLSearchParams(query).keys()].join('&')}`;
};

/** The transaction with its conditional references resolved; throws a permanent DeliveryError when one is not unique. */
export async function resolveConditionalReferences(bundle: Bundle, search: ConditionalSearch): Promise<Bundle> {
  const refs = new Set<string>();
  for (const e of bundle.entry ?? []) collect(e.resource, refs);
  if (refs.size === 0) return bundle;
  const resolved = new Map<string, string>();
  for (const ref of refs) {
    const [, type, query] = CONDITIONAL.exec(ref)!;
    const ids = await search(type!, new URLSearchParams(query));
    if (ids.length !== 1) {
      throw new DeliveryError(`conditional reference ${describe(ref)} matched ${ids.length === 0 ? 'no resource' : 'several resources'}: not sent (fix the identity, then replay)`, true);
    }
    resolved.set(ref, `${type}/${ids[0]}`);
  }
  return { ...bundle, entry: (bundle.entry ?? []).map((e) => (e.resource ? { ...e, resource: rewrite(e.resource, resolved) } : e)) };
}
