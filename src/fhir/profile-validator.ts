import * as medplum from '@medplum/core';
import type { OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';

type MedplumValidation = Pick<typeof medplum, 'getAllDataTypes' | 'OperationOutcomeError' | 'parseStructureDefinition' | 'validateResource' | 'validateTypedValue'>;

/**
 * Validates resources against profiles, parsing each profile once.
 *
 * medplum 4.5's `validateResource(resource, { profile })` re-parses the StructureDefinition on every call (≈ 6 ms
 * for FR Core Patient, 15× the validation itself). Its validator takes the root schema from its data-type table by
 * the typed value's type when no profile is given; so the parsed profile is registered once in that table under a
 * name of its own (`profile:<url>`, which no FHIR type can collide with) and the resource is validated as a value of
 * that type. Nested values (a contained Patient, a HumanName) keep their base types, as with medplum's own call.
 * `profile-validator.test.ts` checks that both ways give the same issues on valid and broken resources.
 *
 * `core`: the @medplum/core instance to validate with (the tests and bench/validator pass the original copy that
 * scripts/medplum-validator-speed-up.mjs keeps, to compare it with the sped-up one).
 */
export class ProfileValidator {
  private readonly registered = new Set<string>();

  constructor(private readonly core: MedplumValidation = medplum) {}

  /** Issues as medplum reports them; errors are returned, not thrown. */
  validate(resource: Resource, profile?: StructureDefinition): OperationOutcomeIssue[] {
    try {
      if (!profile) return this.core.validateResource(resource);
      if (profile.type !== resource.resourceType || !profile.url) return this.core.validateResource(resource, { profile });
      return this.core.validateTypedValue({ type: this.typeFor(profile), value: resource });
    } catch (e) {
      if (e instanceof this.core.OperationOutcomeError) return e.outcome.issue ?? [];
      throw e;
    }
  }

  private typeFor(profile: StructureDefinition & { url: string }): string {
    const name = `profile:${profile.url}`;
    if (!this.registered.has(name)) {
      this.core.getAllDataTypes()[name] = this.core.parseStructureDefinition(profile);
      this.registered.add(name);
    }
    return name;
  }
}
