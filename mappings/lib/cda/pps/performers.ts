/**
 * Who and where for a PPS care step: `performer/assignedEntity` (professional with RPPS and specialty, or a
 * non-health professional with an INSEE PCS profession, or a structure alone) and `participant typeCode="LOC"`
 * (the place, when it is not the patient's home).
 */
import type { Location } from '@medplum/fhirtypes';
import { organizationEl, professionalId, specialtyOf, type HealthActor } from '../actors.js';
import { addressEl, cdEl, codedOf, iiEl, iiOf, nullEl, personNameEl, telecomEls, type El } from '../datatypes.js';
import { PPS_CS } from './codes.js';
import type { PpsContext } from './context.js';

/** `<performer typeCode="PRF"><assignedEntity>`: id (IDNPS, else nullFlavor NA), profession, contacts, person, organisation. */
export function writePerformer(parent: El, actor: HealthActor, ctx: PpsContext): void {
  const entity = parent.ele('performer', { typeCode: 'PRF' }).ele('assignedEntity', { classCode: 'ASSIGNED' });
  const id = actor.practitioner || actor.role ? professionalId(actor, ctx.issues) : undefined;
  if (id) iiEl(entity, id);
  else nullEl(entity, 'id', 'NA');
  const code = specialtyOf(actor) ?? (actor.role?.code ?? []).map((c) => codedOf(c, [PPS_CS.INSEE_PCS])).find(Boolean);
  if (code) cdEl(entity, 'code', code);
  const address = actor.practitioner?.address?.[0];
  if (address) addressEl(entity, address);
  telecomEls(entity, actor.role?.telecom?.length ? actor.role.telecom : actor.practitioner?.telecom);
  if (actor.practitioner) personNameEl(entity.ele('assignedPerson'), actor.practitioner.name?.[0]);
  if (actor.organization) organizationEl(entity, 'representedOrganization', actor.organization, `${actor.path}.resolve()`, ctx.issues);
}

/** `<participant typeCode="LOC"><participantRole classCode="SDLOC">` for the place of a step. */
export function writePlace(parent: El, place: Location, path: string, ctx: PpsContext): void {
  const role = parent.ele('participant', { typeCode: 'LOC' }).ele('participantRole', { classCode: 'SDLOC' });
  (place.identifier ?? []).forEach((i, n) => {
    if (!i.system?.startsWith('urn:oid:')) return;
    const id = iiOf(i, `${path}.identifier[${n}]`, ctx.issues);
    if (id) iiEl(role, id);
  });
  if (place.address) addressEl(role, place.address);
  telecomEls(role, place.telecom);
  const entity = role.ele('playingEntity', { classCode: 'PLC' });
  if (place.name) entity.ele('name').txt(place.name);
}

/** "Lieu et intervenants" text of a step for the narrative. */
export function placeAndPeopleLabel(place: Location | undefined, atHome: boolean | undefined, people: HealthActor[]): string {
  const parts: string[] = [];
  if (atHome) parts.push('À domicile');
  if (place) parts.push([place.name, place.address?.city].filter(Boolean).join(', '));
  for (const a of people) {
    const n = a.practitioner?.name?.[0];
    const name = n ? [...(n.prefix ?? []), ...(n.given ?? []), n.family ?? ''].filter(Boolean).join(' ') : '';
    const what = specialtyOf(a)?.displayName ?? (a.role?.code ?? []).map((c) => c.text ?? c.coding?.[0]?.display).find(Boolean);
    parts.push([name, what ? `(${what})` : '', a.organization?.name ? `${name || what ? '— ' : ''}${a.organization.name}` : ''].filter(Boolean).join(' '));
  }
  return parts.filter(Boolean).join(' ; ');
}
