/**
 * Deterministic identities: the same business identifier always gives the same resource id (the report's own
 * resources are written by a plain `PUT Type/id`, update or create) or the same placeholder (the conditional creates
 * of Practitioner and Organization), so that a re-send is idempotent while the mapping stays pure. Conditional
 * updates are not used: they need serializable transactions, which medplum refuses beyond 8 entries.
 */
import { createHash } from 'node:crypto';
import type { Identifier } from '../../../src/formats/pathology-report/index.js';

export const keyOf = (i: Identifier): string => `${i.system}|${i.value}`;

/** A name-based UUID (RFC 4122 version 5 layout over SHA-1) as the `urn:uuid:` full URL of a conditional create. */
export function placeholder(name: string): string {
  const h = createHash('sha1').update(`relais:crap-to-fhir:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `urn:uuid:${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** `crap-` + 40 hex characters of SHA-256 over the resource type and its business key (never all digits). */
export function resourceId(type: string, businessKey: string): string {
  return `crap-${createHash('sha256').update(`${type}|${businessKey}`).digest('hex').slice(0, 40)}`;
}

/** `Type/id` of a resource identified by its business key. */
export const localRef = (type: string, businessKey: string): string => `${type}/${resourceId(type, businessKey)}`;

/** Escapes a token search value (FHIR search §3.1.1.4.8: `\\`, `,`, `|`, `$`). */
export function escapeSearchValue(v: string): string {
  return v.replace(/[\\,|$]/g, (c) => `\\${c}`);
}

/** `identifier=system|value[,system|value…]`, URL-encoded (several identifiers: any of them matches). */
export function identifierSearch(identifiers: Identifier[]): string {
  const value = identifiers.map((i) => `${escapeSearchValue(i.system)}|${escapeSearchValue(i.value)}`).join(',');
  return new URLSearchParams({ identifier: value }).toString();
}

/** `Type?identifier=…`: a conditional reference (or search). */
export const byIdentifier = (type: string, identifiers: Identifier[]): string => `${type}?${identifierSearch(identifiers)}`;
