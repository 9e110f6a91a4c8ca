/**
 * ITI-30 A40 (merge two patient records) and A47 (change a patient identifier), PAM FR 2.11 §4.1 and §4.4.
 * Nothing is ever deleted: a merged record stays, inactive, pointing to the surviving one; an old IPP stays as an
 * `old` identifier.
 */
import type { BundleEntry, Identifier, Patient } from '@medplum/fhirtypes';
import type { Hl7Segment } from '../../../src/formats/hl7v2/index.js';
import { error, info, type Issue } from '../../../src/engine/issues.js';
import { putEntry, stableUuid } from './bundle.js';
import { cxList } from './hl7-types.js';
import { ippIdentifier, isInsCx, otherIdentifier, systemOf, token } from './identifiers.js';
import type { PatientResult } from './patient.js';

export interface PatientWrite {
  entries: BundleEntry[];
  /** Identifiers whose `system|value` become patient business keys, the conditional key first. */
  keyIdentifiers: Identifier[];
  /** The Patient entry's full URL, for the Encounters' subject (movement events only). */
  patientRef?: string;
  issues: Issue[];
}

/** MRG-1 IPPs (type PI, usable authority) and whether MRG-1 names an INS. */
function mrgIdentifiers(mrg: Hl7Segment, issues: Issue[]): { ipps: Identifier[]; ins: boolean } {
  const ipps: Identifier[] = [];
  let ins = false;
  for (const cx of cxList(mrg, 1)) {
    if (isInsCx(cx)) {
      ins = true;
      continue;
    }
    if (!cx.value) continue;
    if (cx.typeCode && cx.typeCode !== 'PI') {
      issues.push(info('MRG_IDENTIFIER_IGNORED', `MRG-1 identifier of type ${cx.typeCode} is not an IPP: ignored`, `MRG-1[${cx.repetition}]`));
      continue;
    }
    const sys = systemOf(cx.authority, `MRG-1[${cx.repetition}].4`);
    if (sys.issue) issues.push(sys.issue);
    if (sys.system) ipps.push(ippIdentifier(sys.system, cx.value));
  }
  return { ipps, ins };
}

const sameId = (a: Identifier, b: Identifier) => a.system === b.system && a.value === b.value;

/**
 * A40: the surviving patient (PID) gets `link: replaces` to the merged one (MRG-1); the merged one is written
 * inactive with `link: replaced-by`. It is written with the surviving demographics (the same person, and FR Core
 * requires them) but only its own IPP: never the INS, which belongs to the surviving record.
 */
export function mergeEntries(target: PatientResult, mrg: Hl7Segment): PatientWrite {
  const issues: Issue[] = [];
  const targetIpp = target.ids.ipp!;
  const { ipps } = mrgIdentifiers(mrg, issues);
  const source = ipps[0];
  if (!source) return { entries: [], keyIdentifiers: [], issues: [...issues, error('MERGE_SOURCE_MISSING', 'MRG-1 has no IPP (type PI with an OID or FINESS authority) of the record to merge', 'MRG-1')] };
  if (sameId(source, targetIpp)) return { entries: [], keyIdentifiers: [], issues: [...issues, error('MERGE_SAME_PATIENT', 'MRG-1 names the surviving patient itself: nothing to merge', 'MRG-1')] };
  const targetUrl = stableUuid('Patient', targetIpp);
  const sourceUrl = stableUuid('Patient', source);
  const survivor: Patient = { ...target.patient, link: [{ other: { reference: sourceUrl }, type: 'replaces' }] };
  const merged: Patient = {
    ...target.patient,
    identifier: [source, ...ipps.slice(1).map((i) => otherIdentifier({ typeCode: 'PI', value: i.value! }, i.system!))],
    active: false,
    link: [{ other: { reference: targetUrl }, type: 'replaced-by' }],
  };
  return {
    entries: [putEntry(survivor, targetIpp, targetUrl), putEntry(merged, source, sourceUrl)],
    keyIdentifiers: [targetIpp, ...(target.ids.ins ? [target.ids.ins] : []), ...ipps],
    issues,
  };
}

/**
 * A47: MRG-1 holds the identifiers being replaced, PID-3 the new ones. An old IPP: the patient found by it is
 * rewritten with the new IPP and keeps the old one as `use: old` (so a re-sent A47 still finds it). An INS in
 * MRG-1: the patient (found by its IPP) is rewritten with the new INS if qualified, without any INS when PID-3
 * deletes it (`""`, PAM FR §4.4.3) or no longer qualifies (§4.4.4).
 */
export function identifierChangeEntries(current: PatientResult, mrg: Hl7Segment): PatientWrite {
  const issues: Issue[] = [];
  const newIpp = current.ids.ipp!;
  const { ipps, ins } = mrgIdentifiers(mrg, issues);
  const oldIpp = ipps.find((i) => !sameId(i, newIpp));
  if (!oldIpp && !ins) {
    return { entries: [], keyIdentifiers: [], issues: [...issues, error('A47_NOTHING_TO_CHANGE', 'MRG-1 names neither an INS nor an IPP different from PID-3: nothing to change', 'MRG-1')] };
  }
  if (ins && !current.ids.ins) {
    issues.push(info('INS_REMOVED', current.ids.insDeleted ? 'PID-3 deletes the INS named in MRG-1: the patient is written without INS' : 'MRG-1 names an INS and PID-3 carries no qualified INS: the patient is written without INS', 'PID-3'));
  }
  const key = oldIpp ?? newIpp;
  const identifier = [...(current.patient.identifier ?? []), ...(oldIpp ? [otherIdentifier({ typeCode: 'PI', value: oldIpp.value! }, oldIpp.system!, 'old')] : [])];
  const patient: Patient = { ...current.patient, identifier };
  const url = stableUuid('Patient', key);
  return {
    entries: [putEntry(patient, key, url)],
    keyIdentifiers: [newIpp, ...(current.ids.ins ? [current.ids.ins] : []), ...(oldIpp ? [oldIpp] : [])],
    patientRef: url,
    issues,
  };
}

/** The business keys of a patient write: `sender|system|value` of the conditional key first (the ordering key), then every `system|value`. */
export function patientKeys(sender: string, ids: Identifier[]): string[] {
  const [first] = ids;
  return first ? [`${sender}|${token(first)}`, ...new Set(ids.map(token))] : [];
}
