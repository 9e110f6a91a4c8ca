/**
 * The transaction Bundle the mapping produces: conditional updates (PUT `<Type>?identifier=…`) or conditional
 * creates on business identifiers, so that a re-sent message updates and never duplicates. Entries reference each
 * other through `urn:uuid:` full URLs that the server resolves; the UUIDs are derived from the business
 * identifier, so the same message always maps to the same Bundle.
 */
import { createHash } from 'node:crypto';
import type { Bundle, BundleEntry, Identifier, Resource } from '@medplum/fhirtypes';
import { conditionalUrl, token } from './identifiers.js';

/** A name-based (v5-style, SHA-1) UUID of a resource type and business identifier. */
export function stableUuid(type: string, key: Identifier): string {
  const h = createHash('sha1').update(`relais/pam-fr|${type}|${token(key)}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `urn:uuid:${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** Conditional update: the resource as the message describes it replaces the one with this identifier, or is created. */
export function putEntry(resource: Resource, key: Identifier, fullUrl = stableUuid(resource.resourceType, key)): BundleEntry {
  return { fullUrl, resource, request: { method: 'PUT', url: conditionalUrl(resource.resourceType, key) } };
}

/** Conditional create: written only when no resource has this identifier yet (a placeholder never overwrites). */
export function createIfMissingEntry(resource: Resource, key: Identifier, fullUrl = stableUuid(resource.resourceType, key)): BundleEntry {
  return { fullUrl, resource, request: { method: 'POST', url: resource.resourceType, ifNoneExist: new URLSearchParams({ identifier: token(key) }).toString() } };
}

export const transaction = (entry: BundleEntry[]): Bundle => ({ resourceType: 'Bundle', type: 'transaction', entry });
