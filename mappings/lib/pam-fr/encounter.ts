/**
 * PV1 / PV2 / ZBE → two FR Core Encounters: the visit ("venue", PV1-19) and the movement (ZBE-1), the movement
 * being `partOf` the visit. See docs/mappings/pam-fr-adt.md for the status and cancel rules.
 */
import type { Coding, Encounter, EncounterLocation, EncounterParticipant, Extension, Identifier, Organization, Patient, Period, Reference } from '@medplum/fhirtypes';
import type { Hl7Segment } from '../../../src/formats/hl7v2/index.js';
import { error, info, warning, type Issue } from '../../../src/engine/issues.js';
import { hl7Date, hl7DateTime } from './dates.js';
import { cxList, pl, xcnList, type Cx, type Ei, type Hd, type Xon } from './hl7-types.js';
import { systemOf } from './identifiers.js';
import { stableUuid } from './bundle.js';
import type { Movement } from './movement.js';
import { CLASS_SWITCH_EVENTS, type EncounterStatus, type EventRule } from './events.js';

export const FR_CORE_ENCOUNTER = 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-encounter';
export const FR_CORE_ESTIMATED_DISCHARGE = 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-estimated-discharge-date';
const ENCOUNTER_ID_TYPE_SYSTEM = 'http://interopsante.org/fhir/CodeSystem/fr-identifier-type';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const PHYSICAL_TYPE = 'http://terminology.hl7.org/CodeSystem/location-physical-type';
export const FR_CORE_ORGANIZATION_UF = 'http://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-organization-uf';
const ORGANIZATION_ID_TYPE_SYSTEM = 'http://interopsante.org/CodeSystem/fr-v2-0203';
const ORGANIZATION_TYPE_SYSTEM = 'http://interopsante.org/fhir/CodeSystem/fr-v2-3307';

/** PV1-2 (PAM FR table 0004) → Encounter.class (v3 ActEncounterCode). R (séances) is a short stay, V a virtual encounter. */
const CLASS: Record<string, Coding> = {
  E: { system: ACT_CODE, code: 'EMER', display: 'emergency' },
  I: { system: ACT_CODE, code: 'IMP', display: 'inpatient encounter' },
  O: { system: ACT_CODE, code: 'AMB', display: 'ambulatory' },
  R: { system: ACT_CODE, code: 'SS', display: 'short stay' },
  V: { system: ACT_CODE, code: 'VR', display: 'virtual' },
};
/** PV1-4 (PAM FR table 0007) → Encounter.type, the codes of FR Core's `fr-core-encounter-type`. */
const ADMISSION_TYPE: Record<string, Coding> = {
  C: { system: 'http://hl7.org/fhir/v2/0007', code: 'C', display: 'Confort' },
  L: { system: 'http://hl7.org/fhir/v2/0007', code: 'L', display: 'Accouchement maternité' },
  N: { system: 'http://hl7.org/fhir/v2/0007', code: 'N', display: 'Nouveau né' },
  R: { system: 'http://hl7.org/fhir/v2/0007', code: 'R', display: 'Routine' },
  U: { system: 'http://hl7.org/fhir/v2/0007', code: 'U', display: 'Urgence' },
  RM: { system: 'http://interopsante.org/fhir/CodeSystem/fr-type-admission', code: 'RM', display: 'Rétrocession de médicament' },
  IE: { system: 'http://interopsante.org/fhir/CodeSystem/fr-type-admission', code: 'IE', display: 'Prestation inter-établissements' },
};

export interface EncounterEntry {
  resource: Encounter;
  /** The identifier the conditional update (or conditional create) matches on. */
  key: Identifier;
  /** put: conditional update (the message carries the state); create: conditional create, only when missing. */
  write: 'put' | 'create';
}

/** A ward (UF) as an Organization, created when unknown, never overwritten (the structure referential owns it). */
export interface WardEntry {
  resource: Organization;
  key: Identifier;
}

export interface EncountersResult {
  venue?: EncounterEntry;
  /** ZBE-7, the ward of medical responsibility: the Encounters' serviceProvider. */
  ward?: WardEntry;
  movement?: EncounterEntry;
  issues: Issue[];
}

const idType = (code: 'VN' | 'MN') => ({ coding: [{ system: ENCOUNTER_ID_TYPE_SYSTEM, code, display: code === 'VN' ? 'Visit Number' : 'Movement Number' }] });

function cxIdentifier(cx: Cx, type: Identifier['type'], where: string, issues: Issue[]): Identifier | undefined {
  const sys = systemOf(cx.authority, `${where}.4`);
  if (sys.issue) issues.push(sys.issue);
  return sys.system ? { type, system: sys.system, value: cx.value } : undefined;
}

function eiIdentifier(ei: Ei, where: string, issues: Issue[]): Identifier | undefined {
  const sys = systemOf(ei.authority, where);
  if (sys.issue) issues.push(sys.issue);
  return sys.system ? { type: idType('MN'), system: sys.system, value: ei.value } : undefined;
}

/** FR Core `fr-core-organization-uf` for a ward (UF) named by an XON with a code and a usable authority. */
function wardOrganization(ward: Xon | undefined, where: string, facility: Hd | undefined, issues: Issue[]): WardEntry | undefined {
  if (!ward || (!ward.id && !ward.name)) return undefined;
  // a ward without its own authority belongs to the establishment where the patient is (PV1-3.4)
  const ownAuthority = Boolean(ward.authority.universalId);
  const authority = ownAuthority ? ward.authority : facility;
  const sys = ward.id && authority?.universalId ? systemOf(authority, ownAuthority ? `${where}.6` : 'PV1-3.4') : undefined;
  if (sys?.issue) issues.push(sys.issue);
  if (sys?.system && !ownAuthority) issues.push(info('WARD_AUTHORITY', `${where} has no assigning authority (XON.6): the UF code is taken in the domain of the establishment in PV1-3.4`, `${where}.6`));
  if (!ward.id || !sys?.system) {
    issues.push(warning('WARD_UNIDENTIFIED', `${where} "${ward.name}" has no UF code (XON.10) with a usable authority (XON.6): not mapped`, where));
    return undefined;
  }
  const key: Identifier = { type: { coding: [{ system: ORGANIZATION_ID_TYPE_SYSTEM, code: 'INTRN', display: 'Identifiant interne' }] }, system: sys.system, value: ward.id };
  const resource: Organization = {
    resourceType: 'Organization',
    meta: { profile: [FR_CORE_ORGANIZATION_UF] },
    identifier: [key],
    type: [{ coding: [{ system: ORGANIZATION_TYPE_SYSTEM, code: 'UF', display: 'Unité fonctionnelle' }] }],
    ...(ward.name ? { name: ward.name } : {}),
  };
  return { resource, key };
}

function locations(pv1: Hl7Segment, status: EncounterLocation['status'], start: string | undefined, issues: Issue[]): EncounterLocation[] {
  const loc = pl(pv1, 3);
  if (!loc || (!loc.pointOfCare && !loc.room && !loc.bed)) return [];
  const out: EncounterLocation[] = [];
  const period = start ? { period: { start } } : {};
  const facility: Hd = loc.facility;
  const sys = loc.pointOfCare && facility.universalId ? systemOf(facility, 'PV1-3.4') : undefined;
  if (sys?.issue) issues.push(sys.issue);
  const place = (display: string, code: string, value?: string): EncounterLocation => ({
    location: { ...(value && sys?.system ? { identifier: { system: sys.system, value } } : {}), display },
    status,
    physicalType: { coding: [{ system: PHYSICAL_TYPE, code }] },
    ...period,
  });
  if (loc.pointOfCare) out.push(place(`UF ${loc.pointOfCare}`, 'wa', loc.pointOfCare));
  if (loc.room) out.push(place(`Chambre ${loc.room}`, 'ro'));
  if (loc.bed) out.push(place(`Lit ${loc.bed}`, 'bd'));
  return out;
}

function participants(pv1: Hl7Segment, issues: Issue[]): EncounterParticipant[] {
  const roles: [number, string, string][] = [
    [7, 'ATND', 'attender'],
    [8, 'REF', 'referrer'],
    [17, 'ADM', 'admitter'],
  ];
  const out: EncounterParticipant[] = [];
  for (const [field, code, display] of roles) {
    for (const x of xcnList(pv1, field)) {
      const name = [x.given, x.family].filter(Boolean).join(' ');
      const sys = x.id ? systemOf(x.authority, `PV1-${field}[${x.repetition}].9`) : undefined;
      if (sys?.issue && sys.system === undefined) issues.push(sys.issue);
      const identifier = x.id && sys?.system ? { system: sys.system, value: x.id } : undefined;
      if (!identifier && !name) continue;
      out.push({ type: [{ coding: [{ system: PARTICIPATION, code, display }] }], individual: { ...(identifier ? { identifier } : {}), ...(name ? { display: name } : {}) } });
    }
  }
  return out;
}

export interface EncounterInput {
  event: string;
  rule: EventRule;
  pid: Hl7Segment;
  pv1: Hl7Segment;
  pv2?: Hl7Segment;
  movement: Movement;
  patient: Reference<Patient>;
}

/** How the message acts on the movement and on the visit, after reconciling the event with ZBE-4. */
function resolveAction(input: EncounterInput, issues: Issue[]): { cancel: boolean; touchVenue: boolean } {
  const { event, rule, movement } = input;
  if (rule.cancels) {
    if (movement.action && movement.action !== 'CANCEL') issues.push(warning('ZBE_ACTION_MISMATCH', `${event} cancels a movement but ZBE-4 says ${movement.action}: processed as a cancel`, 'ZBE-4'));
    return { cancel: true, touchVenue: true };
  }
  if (movement.action === 'CANCEL') {
    if (CLASS_SWITCH_EVENTS.has(event)) return { cancel: true, touchVenue: true };
    issues.push(warning('ZBE_ACTION_MISMATCH', `${event} inserts a movement but ZBE-4 says CANCEL: the movement is cancelled, the visit is left as it is`, 'ZBE-4'));
    return { cancel: true, touchVenue: false };
  }
  if (movement.action === 'UPDATE') issues.push(warning('ZBE_UPDATE', `ZBE-4 UPDATE belongs to Z99 (movement correction); with ${event} the movement is written as sent`, 'ZBE-4'));
  return { cancel: false, touchVenue: true };
}

function venueStatus(input: EncounterInput): EncounterStatus {
  if (input.event === 'A11' && input.pv1.get(5)) return 'planned'; // A05 → A01 → A11: back to the pre-admission (PAM FR §5.4.1)
  return input.rule.venueStatus ?? 'unknown';
}

/**
 * The visit's period, and whether the message may rewrite the visit. PV1-44 / PV1-45 first; else the movement
 * start when the movement starts (A01, A04, A05, and A11 / A38 cancelling it) or ends (A03) the visit; A05 plans it
 * at PV2-8. A visit that would lose its stored start is not rewritten (conditional create only), unless the
 * message ends it.
 */
function visitPeriod(input: EncounterInput, replace: boolean, movementStart: string, issues: Issue[]): { period: Period; write: EncounterEntry['write'] } {
  const { event, rule, pv1, pv2 } = input;
  const startFromMovement = rule.startsVisit || event === 'A11' || event === 'A38';
  const expected = event === 'A05' ? hl7DateTime(pv2?.get(8) ?? '') : undefined;
  const start = hl7DateTime(pv1.get(44)) ?? expected ?? (startFromMovement || !replace ? movementStart : undefined);
  const end = event === 'A13' ? undefined : (hl7DateTime(pv1.get(45)) ?? (rule.endsVisit ? movementStart : undefined));
  if (!replace) return { period: { start: start!, ...(end ? { end } : {}) }, write: 'create' };
  if (start) return { period: { start, ...(end ? { end } : {}) }, write: 'put' };
  if (end) {
    issues.push(warning('VISIT_START_UNKNOWN', 'PV1-44 (admit date/time) is empty: the visit is rewritten without its start', 'PV1-44'));
    return { period: { end }, write: 'put' };
  }
  issues.push(warning('VISIT_NOT_UPDATED', 'PV1-44 (admit date/time) is empty: the visit cannot be rewritten without losing its start; only the movement is recorded (the visit is created if unknown)', 'PV1-44'));
  return { period: { start: movementStart }, write: 'create' };
}

/** Builds the visit and movement Encounters of an ITI-31 message. Errors: no visit number, no usable class. */
export function buildEncounters(input: EncounterInput): EncountersResult {
  const issues: Issue[] = [];
  const { pv1, pv2, movement, rule, event } = input;

  const patientClass = pv1.get(2).toUpperCase();
  const klass = CLASS[patientClass];
  if (!klass) issues.push(error('PATIENT_CLASS', patientClass ? `PV1-2 "${patientClass}" is not a visit class (E, I, O, R, V) for ${event}` : `PV1-2 (patient class) is required for ${event}`, 'PV1-2'));

  const [visitCx] = cxList(pv1, 19);
  const visitId = visitCx?.value ? cxIdentifier(visitCx, idType('VN'), 'PV1-19', issues) : undefined;
  if (!visitCx?.value) issues.push(error('VISIT_NUMBER_MISSING', `PV1-19 (visit number) is required by PAM FR for ${event}`, 'PV1-19'));
  else if (!visitId) issues.push(error('VISIT_NUMBER_AUTHORITY', 'PV1-19 has no usable assigning authority: the visit cannot be updated idempotently', 'PV1-19.4'));

  const movementIds = movement.ids.flatMap((ei) => {
    const id = eiIdentifier(ei, `ZBE-1[${ei.repetition}]`, issues);
    return id ? [id] : [];
  });
  if (movement.ids.length && !movementIds.length) issues.push(error('MOVEMENT_ID_AUTHORITY', 'ZBE-1 has no identifier with a usable authority (EI.3 OID or FINESS): the movement cannot be updated idempotently', 'ZBE-1'));
  const movementStart = hl7DateTime(movement.start);
  if (movement.start && !movementStart) issues.push(error('ZBE_START_INVALID', `ZBE-2 "${movement.start}" is not a valid HL7 date/time`, 'ZBE-2'));
  if (!klass || !visitId || !movementIds.length || !movementStart) return { issues };

  const { cancel, touchVenue } = resolveAction(input, issues);
  const [ndaCx] = cxList(input.pid, 18);
  const nda = ndaCx?.value ? cxIdentifier(ndaCx, { coding: [{ system: V2_0203, code: 'AN', display: 'Account number' }] }, 'PID-18', issues) : undefined;
  const admissionType = ADMISSION_TYPE[pv1.get(4).toUpperCase()];
  if (pv1.get(4) && !admissionType) issues.push(info('ADMISSION_TYPE', `PV1-4 "${pv1.get(4)}" is not in PAM FR table 0007: not mapped`, 'PV1-4'));
  const ward = wardOrganization(movement.medicalWard, 'ZBE-7', pl(pv1, 3)?.facility, issues);
  const serviceProvider: Reference<Organization> | undefined = ward ? { reference: stableUuid('Organization', ward.key), display: ward.resource.name ?? `UF ${ward.key.value}` } : undefined;
  const common = {
    resourceType: 'Encounter' as const,
    meta: { profile: [FR_CORE_ENCOUNTER] },
    class: klass,
    subject: input.patient,
  };

  // the visit
  const replaceVenue = touchVenue && !movement.historic;
  const status: EncounterStatus = replaceVenue ? venueStatus(input) : 'unknown';
  const { period, write: venueWrite } = visitPeriod(input, replaceVenue, movementStart, issues);
  const discharge = hl7Date(pv2?.get(9) ?? '');
  const extension: Extension[] = discharge && discharge.length === 10 ? [{ url: FR_CORE_ESTIMATED_DISCHARGE, valueDate: discharge }] : [];
  const venueLocations = status === 'entered-in-error' || status === 'cancelled' ? [] : locations(pv1, locationStatusOf(status), movementStart, issues);
  if (!pl(pv1, 3)?.pointOfCare && !rule.cancels && !movement.historic) issues.push(warning('WARD_MISSING', `PV1-3.1 (housing ward, UF d'hébergement) is empty; PAM FR requires it for ${event}`, 'PV1-3.1'));
  const venue: Encounter = {
    ...common,
    ...(extension.length ? { extension } : {}),
    identifier: [visitId, ...(nda ? [nda] : [])],
    status: venueWrite === 'create' ? 'unknown' : status,
    ...(admissionType ? { type: [{ coding: [admissionType] }] } : {}),
    ...participantsOf(pv1, issues),
    period,
    ...(venueLocations.length ? { location: venueLocations } : {}),
    ...(serviceProvider && status !== 'entered-in-error' ? { serviceProvider } : {}),
  };

  // the movement
  const movementStatus: EncounterStatus = cancel ? 'entered-in-error' : movement.historic || rule.endsVisit ? 'finished' : rule.venueStatus === 'planned' ? 'planned' : 'in-progress';
  // a cancelled movement keeps no place: PV1-3 then describes the state restored, not the cancelled movement
  const movementLocations = cancel ? [] : locations(pv1, locationStatusOf(movementStatus), movementStart, []);
  const movementEncounter: Encounter = {
    ...common,
    identifier: movementIds,
    status: movementStatus,
    period: { start: movementStart },
    ...(movementLocations.length ? { location: movementLocations } : {}),
    ...(serviceProvider && !cancel ? { serviceProvider } : {}),
    partOf: { reference: stableUuid('Encounter', visitId) },
  };
  const movementKey = movementIds[0]!;
  const sameAsVisit = movementKey.system === visitId.system && movementKey.value === visitId.value;
  if (sameAsVisit) issues.push(warning('MOVEMENT_IS_VISIT', 'ZBE-1 equals PV1-19: the movement is the visit itself, no separate movement Encounter is written', 'ZBE-1'));
  return {
    venue: { resource: venue, key: visitId, write: venueWrite },
    ...(ward && (venue.serviceProvider || (!sameAsVisit && movementEncounter.serviceProvider)) ? { ward } : {}),
    ...(sameAsVisit ? {} : { movement: { resource: movementEncounter, key: movementKey, write: 'put' as const } }),
    issues,
  };
}

function locationStatusOf(status: EncounterStatus): EncounterLocation['status'] {
  return status === 'finished' ? 'completed' : status === 'planned' ? 'planned' : 'active';
}

function participantsOf(pv1: Hl7Segment, issues: Issue[]): { participant?: EncounterParticipant[] } {
  const p = participants(pv1, issues);
  return p.length ? { participant: p } : {};
}
