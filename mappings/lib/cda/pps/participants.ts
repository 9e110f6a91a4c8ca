/**
 * The PPS header participants: the patient's referents and contacts, from the CareTeam(s) of the PPS care plans
 * (CarePlan.careTeam) and the patient's general practitioner (FR Core Patient.generalPractitioner).
 *
 * CareTeam.participant.role carries a TA_ASIP code (urn:oid:1.2.250.1.213.1.1.4.322) saying what the member is for
 * the patient; member is a PractitionerRole / Practitioner (a professional) or an Organization (a structure);
 * period → participant/time; role.text → functionCode/originalText (comment).
 *
 * | role        | participant                                                         | typeCode   | functionCode (+ translation = role) | classCode | card. |
 * |-------------|---------------------------------------------------------------------|------------|----------------------|------|-------|
 * | ORG-177     | ES de référence (an Organization) / PS of the care team (a professional) | RESP / PRF | NA / 353 (TRE_R85)  | PROV | 0..*  |
 * | ORG-190     | Centre de coordination en cancérologie (3C)                         | PRF        | CORRE                | PROV | 1..1  |
 * | ORG-178     | Structure or professional of proximity                              | PRF        | CORRE                | PROV | 0..*  |
 * | ORG-188     | Médiateur de santé                                                  | INF        | CORRE                | AGNT | 0..1  |
 * | PCP (v3)    | Médecin traitant (else Patient.generalPractitioner; unknown → nullFlavor) | INF  | PCP                  | PROV | 1..1  |
 * | ORG-179     | Structure de coordination ou d'interface ville-hôpital             | CON        | CORRE                | AGNT | 0..*  |
 * | ORG-191     | Réseau régional de cancérologie (RRC)                               | CON        | CORRE                | AGNT | 0..*  |
 * | ORG-180     | Organisme social et de maintien dans l'emploi                      | INF        | CORRE                | AGNT | 0..*  |
 * | ORG-181     | Structure de soutien et d'information                              | INF        | CORRE                | AGNT | 0..*  |
 */
import type { CareTeam, CareTeamParticipant, Reference } from '@medplum/fhirtypes';
import { error, warning, type Issue } from '../../../../src/engine/issues.js';
import { resolveActor, type HealthActor } from '../actors.js';
import type { Coded } from '../datatypes.js';
import type { DocumentBundle } from '../document-bundle.js';
import { hasCode } from '../fhir-find.js';
import type { CdaParticipant } from '../header.js';
import { CS } from '../oids.js';
import { SECTION_KEYS } from './sections.js';

const ta = (code: string, displayName: string): Coded => ({ code, displayName, codeSystem: CS.TA_ASIP, codeSystemName: 'TA_ASIP' });
const CORRE: Coded = { code: 'CORRE', displayName: 'Correspondant', codeSystem: CS.CISIS_FUNCTION };
const CARE_TEAM_MEMBER: Coded = { code: '353', displayName: "Membre de l'équipe de soins", codeSystem: CS.ROLE_PRISE_EN_CHARGE };
const PCP: Coded = { code: 'PCP', displayName: 'Médecin traitant', codeSystem: CS.PARTICIPATION_FUNCTION };

export interface PpsParticipantKind {
  /** The TA_ASIP role code (CareTeam.participant.role), or PCP. */
  role: Coded;
  typeCode: string;
  functionCode: Coded;
  classCode: 'PROV' | 'AGNT';
  label: string;
  required?: boolean;
}

/** Professional or structure → participant kind for the ORG-177 role (reference establishment vs care-team member). */
const REFERENCE = ta('ORG-177', 'Etablissement de santé de référence');
export const PPS_PARTICIPANT_KINDS: readonly PpsParticipantKind[] = [
  { role: ta('ORG-190', 'Centre de coordination de cancérologie (3C)'), typeCode: 'PRF', functionCode: CORRE, classCode: 'PROV', label: 'centre de coordination en cancérologie (3C)', required: true },
  { role: ta('ORG-178', 'Structure et professionnels de proximité impliqués dans les soins'), typeCode: 'PRF', functionCode: CORRE, classCode: 'PROV', label: 'structure de proximité' },
  { role: ta('ORG-188', 'Structures et professionnels de proximité impliqués dans les soins - Médiateur de santé'), typeCode: 'INF', functionCode: CORRE, classCode: 'AGNT', label: 'médiateur de santé' },
  { role: PCP, typeCode: 'INF', functionCode: PCP, classCode: 'PROV', label: 'médecin traitant' },
  { role: ta('ORG-179', "Structure de coordination ou d'interface ville-hôpital"), typeCode: 'CON', functionCode: CORRE, classCode: 'AGNT', label: 'structure de coordination' },
  { role: ta('ORG-191', 'Réseau régional de cancérologie (RRC)'), typeCode: 'CON', functionCode: CORRE, classCode: 'AGNT', label: 'réseau régional de cancérologie' },
  { role: ta('ORG-180', "Organisme social et de maintien dans l'emploi"), typeCode: 'INF', functionCode: CORRE, classCode: 'AGNT', label: 'organisme social' },
  { role: ta('ORG-181', "Structure de soutien et d'information"), typeCode: 'INF', functionCode: CORRE, classCode: 'AGNT', label: "structure de soutien et d'information" },
];

/** The CareTeams of the PPS care plans (both plan sections), in order, without repeats. */
function careTeams(doc: DocumentBundle, issues: Issue[]): { team: CareTeam; path: string }[] {
  const out: { team: CareTeam; path: string }[] = [];
  (doc.composition.section ?? []).forEach((s, i) => {
    const isPlan = [SECTION_KEYS.programme, SECTION_KEYS.support].some((k) => hasCode(s.code, k.loinc) && hasCode(s.code, k.translation));
    if (!isPlan) return;
    (s.entry ?? []).forEach((ref, e) => {
      const plan = doc.resolve(ref, ['CarePlan', 'Observation'], `Composition.section[${i}].entry[${e}]`, []);
      if (plan?.resourceType !== 'CarePlan') return;
      (plan.careTeam ?? []).forEach((t, k) => {
        const path = `Composition.section[${i}].entry[${e}].resolve().careTeam[${k}]`;
        const team = doc.resolve(t, ['CareTeam'], path, issues);
        if (team && !out.some((o) => o.team === team)) out.push({ team, path: `${path}.resolve()` });
      });
    });
  });
  return out;
}

function memberActor(doc: DocumentBundle, member: Reference | undefined, path: string, issues: Issue[]): HealthActor | undefined {
  const r = doc.resolve(member, ['PractitionerRole', 'Practitioner', 'Organization'], path, issues);
  if (!r) return undefined;
  if (r.resourceType === 'Organization') return { organization: r, path };
  return resolveActor(doc, member, path, issues);
}

/** functionCode with the TA_ASIP role as translation (the PCP code is its own classification). */
const functionCodeOf = (kind: PpsParticipantKind): Coded => (kind.role === PCP ? PCP : { ...kind.functionCode, translations: [kind.role] });

function participantOf(kind: PpsParticipantKind, p: CareTeamParticipant, actor: HealthActor): CdaParticipant {
  const role = p.role?.find((r) => hasCode(r, kind.role));
  return { typeCode: kind.typeCode, classCode: kind.classCode, functionCode: { ...functionCodeOf(kind), originalText: role?.text }, time: p.period, actor };
}

/** The header participants of the PPS; `PPS_PARTICIPANT_MISSING` for the 3C and the médecin traitant. */
export function ppsParticipants(doc: DocumentBundle, issues: Issue[]): CdaParticipant[] {
  const out: CdaParticipant[] = [];
  const found = new Set<PpsParticipantKind>();
  const teams = careTeams(doc, issues);
  // ORG-177 first (reference establishment, care team), in the order of the example document.
  for (const { team, path } of teams) {
    (team.participant ?? []).forEach((p, i) => {
      if (!p.role?.some((r) => hasCode(r, REFERENCE))) return;
      const actor = memberActor(doc, p.member, `${path}.participant[${i}].member`, issues);
      if (!actor) return;
      const structure = !actor.practitioner && !actor.role;
      const role = p.role.find((r) => hasCode(r, REFERENCE));
      const functionCode = structure ? undefined : { ...CARE_TEAM_MEMBER, originalText: role?.text, translations: [REFERENCE] };
      out.push({ typeCode: structure ? 'RESP' : 'PRF', functionCode, comment: structure ? role?.text : undefined, time: p.period, actor });
    });
  }
  for (const kind of PPS_PARTICIPANT_KINDS) {
    for (const { team, path } of teams) {
      (team.participant ?? []).forEach((p, i) => {
        if (!p.role?.some((r) => hasCode(r, kind.role))) return;
        const actor = memberActor(doc, p.member, `${path}.participant[${i}].member`, issues);
        if (!actor) return;
        found.add(kind);
        out.push(participantOf(kind, p, actor));
      });
    }
    if (kind.role === PCP && !found.has(kind)) {
      const patient = doc.resolve(doc.composition.subject, ['Patient'], 'Composition.subject', []);
      const gp = patient?.generalPractitioner?.[0];
      const actor = gp ? resolveActor(doc, gp, 'Composition.subject.resolve().generalPractitioner[0]', issues) : undefined;
      found.add(kind);
      if (!actor) issues.push(warning('PPS_PCP_UNKNOWN', 'no médecin traitant (Patient.generalPractitioner, or a CareTeam participant with role PCP): written as unknown (nullFlavor)', 'Composition.subject.resolve().generalPractitioner'));
      out.push({ typeCode: kind.typeCode, functionCode: PCP, comment: actor ? undefined : 'Inconnu', actor });
    }
    if (kind.required && !found.has(kind)) {
      issues.push(error('PPS_PARTICIPANT_MISSING', `the PPS names the ${kind.label}: a CareTeam participant (CarePlan.careTeam) with role TA_ASIP ${kind.role.code}`, 'CarePlan.careTeam'));
    }
  }
  return out;
}
