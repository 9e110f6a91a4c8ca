import type { BundleEntry } from '@medplum/fhirtypes';
import { defineMapping } from '../src/engine/define.js';
import { error, hasErrors, warning, type Issue } from '../src/engine/issues.js';
import { messageType, type Hl7Message } from '../src/formats/hl7v2/index.js';
import { createIfMissingEntry, putEntry, stableUuid, transaction } from './lib/pam-fr/bundle.js';
import { buildEncounters } from './lib/pam-fr/encounter.js';
import { EVENTS, SUPPORTED_EVENTS, type EventRule } from './lib/pam-fr/events.js';
import { identifierChangeEntries, mergeEntries, patientKeys, type PatientWrite } from './lib/pam-fr/merge.js';
import { readMovement } from './lib/pam-fr/movement.js';
import { buildPatient, type PatientResult } from './lib/pam-fr/patient.js';

/**
 * PAM FR (IHE PAM national extension France 2.11) ADT feed → FHIR transaction Bundle of FR Core resources:
 * Patient (ITI-30 A28 A31 A08 A40 A47 and the PID of every message) and, for ITI-31 movements (A01 A02 A03 A04
 * A05 A06 A07 A11 A12 A13 A21 A22 A38), the visit Encounter (PV1-19) and the movement Encounter (ZBE-1).
 * Field by field: docs/mappings/pam-fr-adt.md.
 */

/** Segments each event family needs (PAM FR usage R). */
const REQUIRED: Record<EventRule['family'], string[]> = {
  identity: ['EVN', 'PID'],
  merge: ['EVN', 'PID', 'MRG'],
  'identifier-change': ['EVN', 'PID', 'MRG'],
  movement: ['EVN', 'PID', 'PV1', 'ZBE'],
};

/** The same finding made on several fields (one sender's authority everywhere) is reported once, at its first place. */
function distinct(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.severity}|${i.code}|${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const senderOf = (msg: Hl7Message): string => `${msg.get('MSH-3.1') || msg.get('MSH-3.2')}@${msg.get('MSH-4.1') || msg.get('MSH-4.2')}`;

function patientWrite(event: string, rule: EventRule, msg: Hl7Message, patient: PatientResult): PatientWrite {
  if (rule.family === 'merge') return mergeEntries(patient, msg.segment('MRG')!);
  if (rule.family === 'identifier-change') return identifierChangeEntries(patient, msg.segment('MRG')!);
  const ipp = patient.ids.ipp!;
  const url = stableUuid('Patient', ipp);
  const issues: Issue[] = event === 'A08' ? [warning('PAM_FR_A08', 'A08 is excluded by PAM FR (demographics are updated by A31): processed as A31, its PV1 is not used', 'MSH-9.2')] : [];
  return { entries: [putEntry(patient.patient, ipp, url)], keyIdentifiers: [ipp, ...(patient.ids.ins ? [patient.ids.ins] : [])], patientRef: url, issues };
}

function encounterEntries(event: string, rule: EventRule, msg: Hl7Message, patientRef: string): { entries: BundleEntry[]; issues: Issue[] } {
  const zbe = msg.segment('ZBE')!;
  const pv1 = msg.segment('PV1')!;
  const read = readMovement(zbe);
  if (hasErrors(read.issues)) return { entries: [], issues: read.issues };
  const enc = buildEncounters({ event, rule, pid: msg.segment('PID')!, pv1, pv2: msg.segment('PV2'), movement: read.movement, patient: { reference: patientRef } });
  const issues = [...read.issues, ...enc.issues];
  if (!enc.venue) return { entries: [], issues };
  const venueUrl = stableUuid('Encounter', enc.venue.key);
  const entries: BundleEntry[] = [enc.venue.write === 'put' ? putEntry(enc.venue.resource, enc.venue.key, venueUrl) : createIfMissingEntry(enc.venue.resource, enc.venue.key, venueUrl)];
  if (enc.movement) entries.push(putEntry(enc.movement.resource, enc.movement.key));
  if (enc.ward) entries.push(createIfMissingEntry(enc.ward.resource, enc.ward.key));
  return { entries, issues };
}

export default defineMapping<Hl7Message>({
  name: 'pam-fr-adt-to-fhir',
  description: 'PAM FR 2.11 ADT (A01–A07 A08 A11–A13 A21 A22 A28 A31 A38 A40 A47, ZBE, ZFD) → FHIR transaction Bundle of FR Core Patient and Encounters (conditional updates)',
  input: 'hl7v2',
  map(msg) {
    const issues: Issue[] = [];
    const { code, event } = messageType(msg);
    if (code !== 'ADT') return { issues: [error('UNSUPPORTED_MESSAGE', `message type "${code}^${event}" is not ADT`, 'MSH-9')] };
    const rule = EVENTS[event];
    if (!rule) return { issues: [error('UNSUPPORTED_EVENT', `ADT event "${event}" is not supported (supported: ${SUPPORTED_EVENTS.join(' ')})`, 'MSH-9.2')] };
    for (const name of REQUIRED[rule.family]) {
      if (!msg.segment(name)) issues.push(error('MISSING_SEGMENT', `ADT^${event} (${rule.label}) requires a ${name} segment`, name));
    }
    if (hasErrors(issues)) return { issues };

    const patient = buildPatient(msg.segment('PID')!, msg.segment('ZFD'));
    issues.push(...patient.issues);
    if (hasErrors(issues)) return { issues: distinct(issues) };
    const write = patientWrite(event, rule, msg, patient);
    issues.push(...write.issues);
    const entries = [...write.entries];
    if (rule.family === 'movement') {
      const enc = encounterEntries(event, rule, msg, write.patientRef!);
      issues.push(...enc.issues);
      entries.push(...enc.entries);
    }
    if (hasErrors(issues)) return { issues: distinct(issues) };
    return {
      output: { content: transaction(entries), contentType: 'application/fhir+json' },
      issues: distinct(issues),
      keys: { patient: patientKeys(senderOf(msg), write.keyIdentifiers) },
    };
  },
});
