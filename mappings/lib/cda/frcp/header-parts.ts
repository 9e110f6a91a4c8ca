/**
 * The fiche RCP's own header parts: participants of the RCP meeting (coordinator, requester, presenter, quorum and
 * other members, correspondents) and the general practitioner, the registration order, the documented acts (the
 * RCP itself, and the topography of each tumour).
 *
 * FHIR: Encounter.participant (type: a v3-ParticipationType coding = participant typeCode — RESP, REFB, PRF, CON…;
 * a second coding with an OID system = functionCode, e.g. urn:oid:1.2.250.1.213.1.6.1.107|353 for a quorum member,
 * urn:oid:1.2.250.1.213.1.1.4.2.280|CORRE for a member outside the quorum; type.text = comment; period;
 * individual → PractitionerRole); Patient.generalPractitioner → participant INF/PCP; Encounter.basedOn →
 * ServiceRequest (identifier = registration id, note = comment); Composition.event (code TRE_R213 39 "RCP", text =
 * the RCP's name; period).
 */
import type { Encounter } from '@medplum/fhirtypes';
import { error, type Issue } from '../../../../src/engine/issues.js';
import { resolveActor } from '../actors.js';
import { codedOf, iiOf, type Coded } from '../datatypes.js';
import type { Tumour } from '../diagnosis.js';
import type { DocumentBundle } from '../document-bundle.js';
import type { CdaOrder, CdaParticipant, CdaServiceEvent } from '../header.js';
import { CS, oidOfSystem } from '../oids.js';

const PARTICIPATION_TYPE = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const GENERAL_PRACTITIONER: Coded = { code: 'PCP', displayName: 'Médecin traitant', codeSystem: CS.PARTICIPATION_FUNCTION };
const RCP_EVENT: Coded = { code: '39', displayName: 'Réunion de Concertation Pluridisciplinaire (RCP)', codeSystem: CS.MODE_PRISE_EN_CHARGE, codeSystemName: 'TRE_R213-ModePriseEnCharge' };
const TOPOGRAPHY: Coded = { code: 'GEN-243', displayName: 'Topographie', codeSystem: CS.TA_ASIP, codeSystemName: 'TA_ASIP' };

export function encounterOf(doc: DocumentBundle): Encounter | undefined {
  return doc.resolve(doc.composition.encounter, ['Encounter'], 'Composition.encounter', []);
}

/** Participants of the meeting, then the general practitioner (INF/PCP, `nullFlavor` when unknown). */
export function frcpParticipants(doc: DocumentBundle, encounter: Encounter | undefined, issues: Issue[]): CdaParticipant[] {
  const out: CdaParticipant[] = [];
  (encounter?.participant ?? []).forEach((p, i) => {
    const path = `Composition.encounter.resolve().participant[${i}]`;
    const codings = (p.type ?? []).flatMap((t) => t.coding ?? []);
    const typeCode = codings.find((c) => c.system === PARTICIPATION_TYPE)?.code;
    if (!typeCode) {
      issues.push(error('CDA_PARTICIPANT', `a participant needs its role as a ${PARTICIPATION_TYPE} coding (RESP, REFB, PRF, CON…)`, `${path}.type`));
      return;
    }
    const fn = codings.find((c) => c.system !== PARTICIPATION_TYPE && oidOfSystem(c.system));
    const actor = resolveActor(doc, p.individual, `${path}.individual`, issues);
    if (!actor) {
      if (!p.individual) issues.push(error('CDA_PARTICIPANT', 'a participant needs its professional (individual → PractitionerRole or Practitioner)', `${path}.individual`));
      return;
    }
    out.push({ typeCode, functionCode: fn ? codedOf(fn) : undefined, comment: p.type?.find((t) => t.text)?.text, time: p.period, actor });
  });
  const patient = doc.resolve(doc.composition.subject, ['Patient'], 'Composition.subject', []);
  const gp = patient?.generalPractitioner?.[0];
  const gpActor = gp ? resolveActor(doc, gp, 'Composition.subject.resolve().generalPractitioner[0]', issues) : undefined;
  out.push({ typeCode: 'INF', functionCode: GENERAL_PRACTITIONER, comment: gpActor ? 'Médecin traitant' : 'Inconnu', actor: gpActor });
  return out;
}

/** The registration of the patient to the RCP session (Encounter.basedOn → ServiceRequest). */
export function frcpOrders(doc: DocumentBundle, encounter: Encounter | undefined, issues: Issue[]): CdaOrder[] {
  return (encounter?.basedOn ?? []).flatMap((ref, i) => {
    const path = `Composition.encounter.resolve().basedOn[${i}]`;
    const sr = doc.resolve(ref, ['ServiceRequest'], path, issues);
    if (!sr) return [];
    const id = iiOf(sr.identifier?.[0], `${path}.resolve().identifier`, issues);
    if (!id) {
      if (!sr.identifier?.length) issues.push(error('CDA_REQUIRED', 'the registration to the RCP needs its identifier', `${path}.resolve().identifier`));
      return [];
    }
    return [{ id, comment: sr.note?.map((n) => n.text).filter(Boolean).join('\n') || undefined }];
  });
}

/** The RCP act (performed by the coordinators, RESP), then one topography act per tumour. */
export function frcpServiceEvents(doc: DocumentBundle, encounter: Encounter | undefined, participants: CdaParticipant[], tumours: Tumour[]): CdaServiceEvent[] {
  const event = doc.composition.event?.[0];
  const eventCode = (event?.code ?? []).map((c) => codedOf(c, [CS.MODE_PRISE_EN_CHARGE])).find(Boolean);
  const name = event?.code?.find((c) => c.text)?.text ?? encounter?.serviceType?.text ?? doc.composition.title;
  const rcp: CdaServiceEvent = {
    code: { ...RCP_EVENT, ...(eventCode ? { code: eventCode.code, displayName: eventCode.displayName ?? RCP_EVENT.displayName } : {}), originalText: name },
    period: event?.period ?? encounter?.period,
    performers: participants.filter((p) => p.typeCode === 'RESP' && p.actor).map((p) => p.actor!),
    path: 'Composition.event[0]',
  };
  const topographies = tumours.map((t): CdaServiceEvent => ({
    code: t.topography ? { ...t.topography, originalText: undefined, originalTextRef: undefined } : { ...TOPOGRAPHY, originalText: t.topographyText || undefined },
    path: t.path,
  }));
  return [rcp, ...topographies];
}
