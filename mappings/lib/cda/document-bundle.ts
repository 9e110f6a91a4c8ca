import type { Bundle, Composition, Reference, Resource } from '@medplum/fhirtypes';
import { error, type Issue } from '../../../src/engine/issues.js';

type ResourceOf<K extends Resource['resourceType']> = Extract<Resource, { resourceType: K }>;

/**
 * A FHIR R4 document Bundle (type `document`, first entry the Composition) with reference resolution inside the
 * Bundle. References are resolved the way FHIR documents do: by `fullUrl` (`urn:uuid:…`, absolute URL), or relative
 * `Type/id` against the resources of the Bundle. A document must be self-contained: nothing is fetched.
 */
export interface DocumentBundle {
  bundle: Bundle;
  composition: Composition;
  /**
   * The resource a reference points at, when it is one of `types`. Pushes `CDA_REFERENCE` to `issues` (at `path`)
   * when the reference cannot be resolved or has another type; returns undefined for an absent reference.
   */
  resolve<K extends Resource['resourceType']>(ref: Reference | undefined, types: readonly K[], path: string, issues: Issue[]): ResourceOf<K> | undefined;
  /** Every resource of a type in the Bundle, in Bundle order. */
  all<K extends Resource['resourceType']>(type: K): ResourceOf<K>[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks the Bundle envelope and indexes its entries; errors (`CDA_BUNDLE`) when it is not a FHIR document. */
export function readDocumentBundle(value: unknown): { doc?: DocumentBundle; issues: Issue[] } {
  const issues: Issue[] = [];
  if (!isObject(value) || value.resourceType !== 'Bundle') {
    return { issues: [error('CDA_BUNDLE', `expected a FHIR Bundle, got ${isObject(value) ? `resourceType "${String(value.resourceType)}"` : typeof value}`, 'Bundle')] };
  }
  const bundle = value as unknown as Bundle;
  if (bundle.type !== 'document') issues.push(error('CDA_BUNDLE', `Bundle.type must be "document" (got "${bundle.type ?? ''}")`, 'Bundle.type'));
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  const first = entries[0]?.resource;
  if (!first || first.resourceType !== 'Composition') {
    issues.push(error('CDA_BUNDLE', 'the first entry of a document Bundle must be its Composition', 'Bundle.entry[0].resource'));
  }
  const byUrl = new Map<string, Resource>();
  const byTypeId = new Map<string, Resource>();
  entries.forEach((e, i) => {
    const r = e.resource;
    if (!isObject(r) || typeof r.resourceType !== 'string') {
      issues.push(error('CDA_BUNDLE', 'every Bundle entry needs a resource', `Bundle.entry[${i}]`));
      return;
    }
    if (e.fullUrl) {
      if (byUrl.has(e.fullUrl)) issues.push(error('CDA_BUNDLE', `fullUrl "${e.fullUrl}" appears twice`, `Bundle.entry[${i}].fullUrl`));
      byUrl.set(e.fullUrl, r);
    }
    if (r.id) byTypeId.set(`${r.resourceType}/${r.id}`, r);
  });
  if (issues.length) return { issues };
  const composition = first as Composition;

  const lookup = (reference: string): Resource | undefined => {
    const direct = byUrl.get(reference) ?? byTypeId.get(reference);
    if (direct) return direct;
    const m = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/.exec(reference);
    return m ? byTypeId.get(m[1]!) : undefined;
  };

  const doc: DocumentBundle = {
    bundle,
    composition,
    resolve(ref, types, path, out) {
      if (!ref) return undefined;
      if (!ref.reference) {
        out.push(error('CDA_REFERENCE', 'a reference inside a document must point at a Bundle entry (Reference.reference)', path));
        return undefined;
      }
      const r = lookup(ref.reference);
      if (!r) {
        out.push(error('CDA_REFERENCE', `reference "${ref.reference}" is not in the Bundle`, path));
        return undefined;
      }
      if (!(types as readonly string[]).includes(r.resourceType)) {
        out.push(error('CDA_REFERENCE', `reference "${ref.reference}" is a ${r.resourceType}, expected ${types.join(' or ')}`, path));
        return undefined;
      }
      return r as never;
    },
    all(type) {
      return entries.map((e) => e.resource).filter((r): r is never => r?.resourceType === type);
    },
  };
  return { doc, issues };
}
