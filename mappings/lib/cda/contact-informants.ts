/**
 * The patient's close contacts in the header of both cancer volets, fiche RCP and PPS (informant/relatedEntity), from
 * FR Core Patient.contact:
 * - relationship `K` "Personne de confiance" (http://interopsante.org/fhir/CodeSystem/fr-contact-relationship) or
 *   v2-0131 `N` (next of kin) → classCode NOK;
 * - v2-0131 `C` (emergency contact) → classCode ECON (personne à prévenir en cas d'urgence);
 * - a family relationship from v3-RoleCode (or the same code in the FR Core contact-relationship system, which
 *   reuses the v3 codes: FTH, MTH, HUSB…) → relatedEntity/code, when it is in JDV_J11_RelationPatient_CISIS (else
 *   the code is left out, with a warning: e.g. SPS "spouse" is not in it, HUSB / WIFE / SIGOTHR are).
 * A contact that is both (K and C) is written twice, as the volets list the two roles separately. Other contacts
 * (tutor, person not to inform…) are not informants.
 */
import type { Coding, Patient } from '@medplum/fhirtypes';
import { warning, type Issue } from '../../../src/engine/issues.js';
import { JDV_RELATION_PATIENT } from './cancer-value-sets.js';
import type { Coded } from './datatypes.js';
import type { CdaInformant } from './header.js';
import { CS, oidOfSystem } from './oids.js';
import { conceptOf } from './value-set.js';

const FR_CONTACT = 'http://interopsante.org/fhir/CodeSystem/fr-contact-relationship';
const V2_0131 = ['http://terminology.hl7.org/CodeSystem/v2-0131', 'http://hl7.org/fhir/v2/0131'];
const NOT_FAMILY = new Set(['WRD', 'GRD', 'CUR', 'CURTL', 'EDUREF', 'SVG', 'K', 'P']);

const is = (c: Coding, systems: string[], code: string): boolean => c.code === code && systems.includes(c.system ?? '');

/** The family relationship of a contact, when JDV_J11 has it (with its French display name). */
function family(codings: Coding[], path: string, issues: Issue[]): Coded | undefined {
  const c = codings.find((k) => oidOfSystem(k.system) === CS.ROLE_CODE || (k.system === FR_CONTACT && k.code && !NOT_FAMILY.has(k.code)));
  if (!c?.code) return undefined;
  const concept = conceptOf(JDV_RELATION_PATIENT, c.code, CS.ROLE_CODE);
  if (!concept) {
    issues.push(warning('PPS_RELATIONSHIP_NOT_WRITTEN', `relationship "${c.code}" is not in JDV_J11_RelationPatient_CISIS: the informant is written without it`, `${path}.relationship`));
    return undefined;
  }
  return { ...concept, codeSystemName: 'RoleCode' };
}

/** NOK (personne de confiance) first, then ECON (personne à prévenir), in Patient.contact order within each. */
export function contactInformants(patient: Patient | undefined, issues: Issue[] = []): CdaInformant[] {
  const contacts = (patient?.contact ?? []).flatMap((contact, i) => {
    const codings = (contact.relationship ?? []).flatMap((r) => r.coding ?? []);
    const nok = codings.some((c) => is(c, [FR_CONTACT], 'K') || is(c, V2_0131, 'N'));
    const econ = codings.some((c) => is(c, V2_0131, 'C'));
    if (!nok && !econ) return [];
    const person = { code: family(codings, `Composition.subject.resolve().contact[${i}]`, issues), name: contact.name, address: contact.address, telecom: contact.telecom };
    return [{ nok, econ, person }];
  });
  return [...contacts.filter((c) => c.nok).map((c) => ({ classCode: 'NOK', ...c.person })), ...contacts.filter((c) => c.econ).map((c) => ({ classCode: 'ECON', ...c.person }))];
}
