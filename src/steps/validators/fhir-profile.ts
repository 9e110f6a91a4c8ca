import path from 'node:path';
import { z } from 'zod';
import type { OperationOutcome, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { defineValidator, type Mapped } from '../../engine/define.js';
import { error, warning, type Issue } from '../../engine/issues.js';
import { loadProfiles } from '../../fhir/profiles.js';
import { ProfileValidator } from '../../fhir/profile-validator.js';
import { mapReferences } from '../../fhir/references.js';

const options = z.object({
  profilesDir: z.string().describe('folder of StructureDefinition JSON files (e.g. the FR Core package), relative to the channel file'),
  profile: z.string().optional().describe('canonical URL to validate against; default: each resource’s meta.profile'),
});

function outcomeIssues(outcome: OperationOutcome): Issue[] {
  return (outcome.issue ?? []).map((i) => {
    const make = i.severity === 'warning' || i.severity === 'information' ? warning : error;
    return make('FHIR_PROFILE', i.details?.text ?? i.diagnostics ?? 'invalid', i.expression?.join(', '));
  });
}

/**
 * References to other entries of the same Bundle (`urn:uuid:…` full URLs, resolved by the server when it processes a
 * transaction) become `Type/…`, so that reference-type checks see the target's type.
 */
const withLocalReferences = <T>(value: T, local: Map<string, string>): T =>
  mapReferences(value, (r) => {
    const type = local.get(r);
    return type ? `${type}/${r.slice(r.lastIndexOf(':') + 1)}` : undefined;
  });

/**
 * A Binary's content is opaque to profiles, and medplum's validator refuses any string above 1 MB: its `data` is
 * validated as a stub (its type and contentType still are), so that a large PDF is not refused for its size.
 */
const withoutPayload = (r: Resource): Resource => (r.resourceType === 'Binary' && r.data ? { ...r, data: 'AA==' } : r);

function resourcesOf(mapped: Mapped): Resource[] {
  const r = mapped.content as Resource;
  if (r.resourceType === 'Bundle' && r.type !== 'document') {
    const local = new Map((r.entry ?? []).flatMap((e) => (e.fullUrl?.startsWith('urn:') && e.resource ? [[e.fullUrl, e.resource.resourceType] as const] : [])));
    return (r.entry ?? []).flatMap((e) => (e.resource ? [withoutPayload(local.size ? withLocalReferences(e.resource, local) : e.resource)] : []));
  }
  return [withoutPayload(r)];
}

/** Validates mapped FHIR resources against profiles (medplum's validator with the profiles loaded from a folder). */
export const fhirProfileValidator = defineValidator({
  type: 'fhir-profile',
  description: 'Validate mapped FHIR resources against StructureDefinitions (FR Core …)',
  options,
  async create(o, ctx) {
    const profiles = loadProfiles(path.resolve(ctx.baseDir, o.profilesDir));
    const fixed = o.profile ? profiles.get(o.profile) : undefined;
    if (o.profile && !fixed) throw new Error(`profile ${o.profile} is not in ${o.profilesDir}`);
    const validator = new ProfileValidator();
    return async (mapped) => {
      if (!mapped.contentType.includes('json')) return [error('FHIR_NOT_JSON', `expected FHIR JSON, got ${mapped.contentType}`)];
      const issues: Issue[] = [];
      for (const resource of resourcesOf(mapped)) {
        const wanted: (StructureDefinition | undefined)[] = fixed ? [fixed] : (resource.meta?.profile ?? []).map((u) => profiles.get(u));
        for (const profile of wanted.length ? wanted : [undefined]) {
          issues.push(...outcomeIssues({ resourceType: 'OperationOutcome', issue: validator.validate(resource, profile) }));
        }
      }
      return issues;
    };
  },
});
