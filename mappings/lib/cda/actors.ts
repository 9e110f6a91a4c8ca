/**
 * Health professionals and organisations in the CDA header: FHIR Practitioner / PractitionerRole / Organization
 * (FR Core) → assignedAuthor, assignedEntity, associatedEntity, representedOrganization, scopingOrganization.
 */
import type { Coding, Organization, Practitioner, PractitionerRole, Reference } from '@medplum/fhirtypes';
import { error, type Issue } from '../../../src/engine/issues.js';
import { addressEl, cdEl, codedOf, ele, iiEl, iiOf, personNameEl, telecomEls, type Coded, type El, type II } from './datatypes.js';
import type { DocumentBundle } from './document-bundle.js';
import { CS, ID_OID, oidOfSystem } from './oids.js';

/** A professional as the document names them: the person, their role (specialty, organisation) and organisation. */
export interface HealthActor {
  practitioner?: Practitioner;
  role?: PractitionerRole;
  organization?: Organization;
  /** FHIRPath of the reference, for issues. */
  path: string;
}

/** Resolves a Reference(PractitionerRole | Practitioner) of the document to the practitioner, role and organisation. */
export function resolveActor(doc: DocumentBundle, ref: Reference | undefined, path: string, issues: Issue[]): HealthActor | undefined {
  const r = doc.resolve(ref, ['PractitionerRole', 'Practitioner'], path, issues);
  if (!r) return undefined;
  if (r.resourceType === 'Practitioner') return { practitioner: r, path };
  const practitioner = doc.resolve(r.practitioner, ['Practitioner'], `${path}.resolve().practitioner`, issues);
  const organization = doc.resolve(r.organization, ['Organization'], `${path}.resolve().organization`, issues);
  return { role: r, practitioner, organization, path };
}

/** The professional's national identifier (IDNPS: RPPS or ADELI, root 1.2.250.1.71.4.2.1), else another OID identifier. */
export function professionalId(actor: HealthActor, issues: Issue[]): II | undefined {
  const ids = [...(actor.practitioner?.identifier ?? []), ...(actor.role?.identifier ?? [])];
  const national = ids.find((i) => oidOfSystem(i.system) === ID_OID.IDNPS);
  return iiOf(national ?? ids.find((i) => i.system?.startsWith('urn:oid:')), `${actor.path}.resolve().identifier`, issues);
}

const G15 = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
const R38 = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';

/**
 * Profession / specialty (JDV_J01 XdsAuthorSpecialty, OID 1.2.250.1.213.1.1.4.5): a coding in that system on
 * PractitionerRole.specialty / .code or Practitioner.qualification.code; else built from FR Core's TRE_G15 profession
 * (PractitionerRole.code) and TRE_R38 specialty (PractitionerRole.specialty) as `G15_<profession>/<specialty>`.
 */
export function specialtyOf(actor: HealthActor): Coded | undefined {
  const concepts = [...(actor.role?.specialty ?? []), ...(actor.role?.code ?? []), ...(actor.practitioner?.qualification ?? []).map((q) => q.code)];
  for (const c of concepts) {
    const coded = codedOf(c, [CS.AUTHOR_SPECIALTY]);
    if (coded) return coded;
  }
  const codings = (cs: typeof concepts): Coding[] => cs.flatMap((c) => c.coding ?? []);
  const profession = codings(actor.role?.code ?? []).find((c) => c.system === G15);
  const specialty = codings(actor.role?.specialty ?? []).find((c) => c.system === R38);
  if (!profession?.code) return undefined;
  const code = `G15_${profession.code}${specialty?.code ? `/${specialty.code}` : ''}`;
  const display = [profession.display, specialty?.display].filter(Boolean).join(' - ') || undefined;
  return { code, codeSystem: CS.AUTHOR_SPECIALTY, displayName: display };
}

/** `<representedOrganization>` / `<scopingOrganization>` / `<representedCustodianOrganization>` content. */
export function organizationEl(parent: El, tag: string, org: Organization, path: string, issues: Issue[], opts: { industryClass?: boolean } = {}): El {
  const e = parent.ele(tag);
  const ids = org.identifier ?? [];
  const finess = ids.find((i) => oidOfSystem(i.system) === ID_OID.IDNST) ?? ids.find((i) => i.system?.startsWith('urn:oid:'));
  const id = iiOf(finess, `${path}.identifier`, issues);
  if (id) iiEl(e, id);
  if (org.name) e.ele('name').txt(org.name);
  telecomEls(e, org.telecom);
  if (org.address?.[0]) addressEl(e, org.address[0]);
  if (opts.industryClass !== false) {
    const sector = (org.type ?? []).map((t) => codedOf(t, [CS.PRACTICE_SETTING])).find(Boolean);
    if (sector) cdEl(e, 'standardIndustryClassCode', sector);
  }
  return e;
}

export interface ActorWriteOptions {
  /** `assignedPerson` (author, legalAuthenticator, performer) or `associatedPerson` (participant). */
  personTag: 'assignedPerson' | 'associatedPerson';
  /** `representedOrganization` or `scopingOrganization` (participant). */
  orgTag: 'representedOrganization' | 'scopingOrganization';
  /** The national identifier is mandatory (author, legal authenticator): its absence is an error. */
  requireId?: boolean;
  /** The profession/specialty code is mandatory. */
  requireCode?: boolean;
  /** A structure without a person (no Practitioner) is written without the person element (participants). */
  personOptional?: boolean;
}

/**
 * The body of assignedAuthor / assignedEntity / associatedEntity: id (RPPS), code (specialty), addr, telecom,
 * person name, organisation. Telecoms come from the role when it has them, else the practitioner; the address from
 * the practitioner.
 */
export function writeActor(entity: El, actor: HealthActor, opts: ActorWriteOptions, issues: Issue[]): void {
  const id = professionalId(actor, issues);
  if (id) iiEl(entity, id);
  else if (opts.requireId) {
    issues.push(error('CDA_RPPS_MISSING', 'the professional needs a national identifier (IDNPS, system urn:oid:1.2.250.1.71.4.2.1)', `${actor.path}.resolve().identifier`));
  }
  const code = specialtyOf(actor);
  if (code) cdEl(entity, 'code', code);
  else if (opts.requireCode) {
    issues.push(error('CDA_SPECIALTY_MISSING', 'the professional needs a profession/specialty (JDV_J01, urn:oid:1.2.250.1.213.1.1.4.5, or TRE_G15 + TRE_R38 on PractitionerRole)', `${actor.path}.resolve().specialty`));
  }
  const address = actor.practitioner?.address?.[0];
  if (address) addressEl(entity, address);
  telecomEls(entity, actor.role?.telecom?.length ? actor.role.telecom : actor.practitioner?.telecom);
  if (actor.practitioner || !opts.personOptional) personNameEl(ele(entity, opts.personTag), actor.practitioner?.name?.[0]);
  if (actor.organization) organizationEl(entity, opts.orgTag, actor.organization, `${actor.path}.resolve().organization.resolve()`, issues);
}

/** "Dr Julie PRENT (Radiothérapie)" style label for narratives. */
export function actorLabel(actor: HealthActor | undefined): string {
  if (!actor) return '';
  const n = actor.practitioner?.name?.[0];
  const name = n ? [...(n.prefix ?? []), ...(n.given ?? []), n.family ?? '', ...(n.suffix ?? [])].filter(Boolean).join(' ') : '';
  const spec = specialtyOf(actor)?.displayName;
  const org = actor.organization?.name;
  return [name || '(sans nom)', spec ? `(${spec})` : '', org ? `— ${org}` : ''].filter(Boolean).join(' ');
}
