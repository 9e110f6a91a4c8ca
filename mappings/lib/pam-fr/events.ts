/**
 * The ADT trigger events this mapping handles, and what each means for the Patient, the venue (visit) Encounter
 * and the movement Encounter. PAM FR 2.11 §2 and §5.3.2 (insert / cancel pairs).
 */
import type { Encounter } from '@medplum/fhirtypes';

export type EventFamily = 'identity' | 'merge' | 'identifier-change' | 'movement';
export type EncounterStatus = Encounter['status'];

export interface EventRule {
  family: EventFamily;
  /** What happened, for documentation and issue messages. */
  label: string;
  /** The event cancels a movement (PAM FR "annulé" column). */
  cancels?: boolean;
  /** Status of the visit Encounter after a current (non-historic) movement of this event. */
  venueStatus?: EncounterStatus;
  /** The movement starts the visit: its ZBE-2 is the visit start when PV1-44 is empty. */
  startsVisit?: boolean;
  /** The movement ends the visit: its ZBE-2 is the visit end when PV1-45 is empty. */
  endsVisit?: boolean;
}

export const EVENTS: Record<string, EventRule> = {
  A28: { family: 'identity', label: 'create a patient' },
  A31: { family: 'identity', label: 'update patient information' },
  A08: { family: 'identity', label: 'update patient information (international PAM; PAM FR uses A31)' },
  A40: { family: 'merge', label: 'merge two patient records' },
  A47: { family: 'identifier-change', label: 'change a patient identifier' },
  A05: { family: 'movement', label: 'pre-admit a patient', venueStatus: 'planned', startsVisit: true },
  A01: { family: 'movement', label: 'admit an inpatient', venueStatus: 'in-progress', startsVisit: true },
  A04: { family: 'movement', label: 'register an outpatient', venueStatus: 'in-progress', startsVisit: true },
  A06: { family: 'movement', label: 'change an outpatient or emergency patient to inpatient', venueStatus: 'in-progress' },
  A07: { family: 'movement', label: 'change an inpatient to outpatient', venueStatus: 'in-progress' },
  A02: { family: 'movement', label: 'transfer a patient', venueStatus: 'in-progress' },
  A21: { family: 'movement', label: 'leave of absence', venueStatus: 'onleave' },
  A22: { family: 'movement', label: 'return from leave of absence', venueStatus: 'in-progress' },
  A03: { family: 'movement', label: 'discharge', venueStatus: 'finished', endsVisit: true },
  A11: { family: 'movement', label: 'cancel admit / visit', cancels: true, venueStatus: 'entered-in-error' },
  A12: { family: 'movement', label: 'cancel transfer', cancels: true, venueStatus: 'in-progress' },
  A13: { family: 'movement', label: 'cancel discharge', cancels: true, venueStatus: 'in-progress' },
  A38: { family: 'movement', label: 'cancel pre-admit', cancels: true, venueStatus: 'cancelled' },
};

/** A06 and A07 cancel each other (PAM FR §5.3.5): with ZBE-4 = CANCEL they are cancels, not inserts. */
export const CLASS_SWITCH_EVENTS = new Set(['A06', 'A07']);

export const SUPPORTED_EVENTS = Object.keys(EVENTS).sort();
