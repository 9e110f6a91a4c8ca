/**
 * Deterministic identities for the transaction Bundle: the same report always gives the same placeholders, Binary
 * id and conditional URLs, so that a re-send is idempotent and the mapping stays pure.
 */
import { createHash } from 'node:crypto';
import type { Identifier } from '../../../src/formats/pathology-report/index.js';

const NAMESPACE = 'relais:crap-to-fhir:';

/** A name-based UUID (RFC 4122 version 5 layout over SHA-1) as a `urn:uuid:` placeholder. */
export function placeholder(name: string): string {
  const h = createHash('sha1').update(NAMESPACE + name).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `urn:uuid:${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export const keyOf = (i: Identifier): string => `${i.system}|${i.value}`;

/** The Binary holding a report's original document: one per report (a corrected version replaces it). */
export function binaryId(report: Identifier): string {
  return `crap-${createHash('sha256').update(keyOf(report)).digest('hex').slice(0, 40)}`;
}

/** Escapes a token search value (FHIR search §3.1.1.4.8: `\\`, `,`, `|`, `$`). */
export function escapeSearchValue(v: string): string {
  return v.replace(/[\\,|$]/g, (c) => `\\${c}`);
}

/** `identifier=system|value[,system|value…]`, URL-encoded (several identifiers: any of them matches). */
export function identifierSearch(identifiers: Identifier[]): string {
  const value = identifiers.map((i) => `${escapeSearchValue(i.system)}|${escapeSearchValue(i.value)}`).join(',');
  return new URLSearchParams({ identifier: value }).toString();
}

/** `Type?identifier=…`: a conditional update URL or a conditional reference. */
export const byIdentifier = (type: string, identifiers: Identifier[]): string => `${type}?${identifierSearch(identifiers)}`;
