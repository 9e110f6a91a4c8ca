/**
 * Shared CDA R2 header builder for the ANS CI-SIS volets (fiche RCP, PPS, …), from a FHIR R4 document Bundle.
 *
 * ```ts
 * const header = buildCdaHeader(doc, {
 *   templateIds: [{ root: '1.2.250.1.213.1.1.1.8', extension: '2022.01' }],
 *   code: { code: '34794-8', codeSystem: CS.LOINC, displayName: 'CR de réunion de concertation pluridisciplinaire' },
 *   requiredEncounterIds: [{ oid: '1.2.250.1.161.1.20.1.1', label: 'RRC' }],
 *   participants: [...], documentationOf: [...],
 * });
 * const body = header.root.ele('component').ele('structuredBody');   // the volet writes its sections
 * const xml = serializeCda(header);                                     // deterministic text
 * ```
 *
 * Where each header element comes from (see docs/mappings/frcp.md for the full table):
 * - `id` ← Bundle.identifier (the document instance); `setId` ← Composition.identifier (the same for every version);
 *   `versionNumber` ← Composition extension `composition-clinicaldocument-versionNumber` (default 1);
 *   `relatedDocument typeCode="RPLC"` ← Composition.relatesTo (code `replaces`, targetIdentifier = parent id).
 * - `code` ← the volet (checked against Composition.type); `title` ← Composition.title; `effectiveTime` ←
 *   Composition.date; `confidentialityCode` ← Composition.confidentiality (default N); `languageCode` ←
 *   Composition.language (default fr-FR).
 * - `recordTarget` ← Composition.subject (FR Core Patient, INS + traits, see patient.ts).
 * - `author` ← Composition.author (PractitionerRole → Practitioner RPPS + specialty + Organization), time = date.
 * - `custodian` ← Composition.custodian (Organization); `legalAuthenticator` ← Composition.attester (mode legal).
 * - `informant`, `participant`, `inFulfillmentOf` ← given by the volet (built from its own resources).
 * - `documentationOf/serviceEvent` ← given by the volet, else Composition.event (code, period).
 * - `componentOf/encompassingEncounter` ← Composition.encounter: identifiers (the volet's required ones first),
 *   class, period, serviceProvider (FINESS, JDV_J02 facility type, name, address).
 *
 * Errors are returned as issues (codes `CDA_*`), never thrown; the builder always produces a complete element
 * tree so that every problem of a document is reported in one pass. Same input → same bytes: no clock, no random.
 */
import type { Address, Composition, ContactPoint, Encounter, HumanName, Organization, Patient, Period } from '@medplum/fhirtypes';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { error, info, type Issue } from '../../../src/engine/issues.js';
import { resolveActor, writeActor, type HealthActor } from './actors.js';
import { addressEl, cdEl, codedOf, derivedUuid, iiEl, iiOf, ivlTsEl, nullEl, personNameEl, telecomEls, tsEl, type Coded, type El, type II } from './datatypes.js';
import type { DocumentBundle } from './document-bundle.js';
import { CS, ID_OID, TEMPLATE, oidOfSystem } from './oids.js';
import { writeRecordTarget, type PatientIdentity } from './patient.js';

export const CDA_NS = 'urn:hl7-org:v3';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
/** R4 standard extension carrying the CDA versionNumber of a Composition. */
export const VERSION_NUMBER_URL = 'http://hl7.org/fhir/StructureDefinition/composition-clinicaldocument-versionNumber';

/** A `ClinicalDocument/participant` built by a volet. */
export interface CdaParticipant {
  /** HL7 ParticipationType: RESP, REFB, INF, PRF, CON, … */
  typeCode: string;
  /** associatedEntity/@classCode (default PROV; AGNT for a structure acting for the patient). */
  classCode?: string;
  /** functionCode; absent → `nullFlavor="NA"`. */
  functionCode?: Coded;
  /** functionCode/originalText (free comment on the participant). */
  comment?: string;
  /** absent → `time nullFlavor="UNK"`. */
  time?: Period;
  /** absent → `associatedEntity nullFlavor="UNK"` (e.g. an unknown general practitioner). */
  actor?: HealthActor;
}

/** A `documentationOf/serviceEvent` built by a volet. */
export interface CdaServiceEvent {
  /** serviceEvent/code; absent → no code (the PPS documents the programme itself, with no act code). */
  code?: Coded;
  period?: Period;
  performers?: HealthActor[];
  /** FHIRPath of the source, for issues. */
  path: string;
}

/** A `ClinicalDocument/informant/relatedEntity`: a person close to the patient (e.g. personne de confiance). */
export interface CdaInformant {
  /** RoleClass: NOK (next of kin, personne de confiance), ECON (emergency contact, personne à prévenir), … */
  classCode: string;
  /** relatedEntity/code: the relationship (v3 RoleCode, e.g. FTH). */
  code?: Coded;
  name?: HumanName;
  address?: Address;
  telecom?: ContactPoint[];
}

/** An `inFulfillmentOf/order` (e.g. the registration of the patient to an RCP session). */
export interface CdaOrder {
  id: II;
  /** order/code/originalText (comment); the code itself is `nullFlavor="NA"`. */
  comment?: string;
}

/** What a volet tells the header builder. */
export interface CdaVoletHeader {
  /** Volet templateIds, written after the HL7 France and CI-SIS generic ones. */
  templateIds: II[];
  /** ClinicalDocument/code; Composition.type must carry this code (LOINC). */
  code: Coded;
  /** Identifiers componentOf/encompassingEncounter must have (by II root), in the order they are written. */
  requiredEncounterIds?: { oid: string; label: string }[];
  /** componentOf is mandatory (default: true when requiredEncounterIds is given). */
  encounterRequired?: boolean;
  /** The facility (healthCareFacility) of the encounter must be given with its name and address. */
  facilityRequired?: boolean;
  participants?: CdaParticipant[];
  inFulfillmentOf?: CdaOrder[];
  /** informant/relatedEntity after the authors (e.g. from FR Core Patient.contact). */
  informants?: CdaInformant[];
  /** Replaces the default service events built from Composition.event. */
  documentationOf?: CdaServiceEvent[];
}

/** The header under construction: the volet appends `component/structuredBody` to `root`. */
export interface CdaHeader {
  /** The XML document (serialize with {@link serializeCda}). */
  document: XMLBuilder;
  /** `ClinicalDocument`. */
  root: El;
  /** Document instance id (Bundle.identifier). */
  id?: II;
  /** Id shared by all versions (Composition.identifier). */
  setId?: II;
  versionNumber: number;
  patient?: Patient;
  identity?: PatientIdentity;
  encounter?: Encounter;
  issues: Issue[];
  /**
   * A deterministic UUID for a part of the body that the input does not identify (section, entry):
   * derived from the document id and `part`, so the same input always gives the same ids.
   */
  uuid(part: string): string;
}

const composition = (doc: DocumentBundle): Composition => doc.composition;

/** Composition.identifier → setId; Bundle.identifier → id; they must differ. */
function documentIds(doc: DocumentBundle, issues: Issue[]): { id?: II; setId?: II } {
  const id = doc.bundle.identifier ? iiOf(doc.bundle.identifier, 'Bundle.identifier', issues) : undefined;
  if (!doc.bundle.identifier) issues.push(error('CDA_REQUIRED', 'the document id (Bundle.identifier, urn:oid or urn:uuid) is required', 'Bundle.identifier'));
  const c = composition(doc);
  const setId = c.identifier ? iiOf(c.identifier, 'Composition.identifier', issues) : undefined;
  if (!c.identifier) issues.push(error('CDA_REQUIRED', 'the id shared by all versions of the document (Composition.identifier → setId) is required', 'Composition.identifier'));
  if (id && setId && id.root === setId.root && id.extension === setId.extension) {
    issues.push(error('CDA_SET_ID', 'setId (Composition.identifier) must differ from the document id (Bundle.identifier)', 'Composition.identifier'));
  }
  return { id, setId };
}

/** versionNumber and the id of the replaced version (relatesTo replaces). */
function versioning(doc: DocumentBundle, issues: Issue[]): { version: number; parent?: II } {
  const c = composition(doc);
  const ext = c.extension?.find((e) => e.url === VERSION_NUMBER_URL);
  const raw = ext?.valueString ?? (ext?.valueInteger !== undefined ? String(ext.valueInteger) : undefined);
  let version = 1;
  if (raw !== undefined) {
    if (/^[1-9]\d{0,8}$/.test(raw)) version = Number(raw);
    else issues.push(error('CDA_VERSION', `versionNumber "${raw}" is not a positive integer`, `Composition.extension('${VERSION_NUMBER_URL}')`));
  }
  const replaces = (c.relatesTo ?? []).map((r, i) => ({ r, i })).filter(({ r }) => r.code === 'replaces');
  if (replaces.length > 1) issues.push(error('CDA_RELATES_TO', 'a document replaces at most one earlier version', 'Composition.relatesTo'));
  const first = replaces[0];
  if (!first) {
    if (raw !== undefined && version > 1) issues.push(error('CDA_VERSION', `versionNumber ${version} without the replaced version (Composition.relatesTo code "replaces")`, 'Composition.relatesTo'));
    return { version };
  }
  const path = `Composition.relatesTo[${first.i}]`;
  const target = first.r.targetIdentifier ?? first.r.targetReference?.identifier;
  const parent = target ? iiOf(target, `${path}.targetIdentifier`, issues) : undefined;
  if (!target) issues.push(error('CDA_RELATES_TO', 'the replaced document must be given by its id (relatesTo.targetIdentifier)', `${path}.targetIdentifier`));
  if (raw === undefined || version < 2) {
    issues.push(error('CDA_VERSION', `a document replacing an earlier version needs versionNumber ≥ 2 (extension ${VERSION_NUMBER_URL})`, 'Composition.extension'));
  }
  return { version, parent };
}

function checkDocumentType(doc: DocumentBundle, code: Coded, issues: Issue[]): void {
  const ok = composition(doc).type?.coding?.some((c) => oidOfSystem(c.system) === code.codeSystem && c.code === code.code);
  if (!ok) issues.push(error('CDA_DOCUMENT_TYPE', `Composition.type must be ${code.code} (${code.displayName ?? code.codeSystem})`, 'Composition.type'));
}

function confidentiality(doc: DocumentBundle, issues: Issue[]): Coded {
  const raw = composition(doc).confidentiality;
  const names: Record<string, string> = { N: 'Normal', R: 'Restreint', V: 'Très restreint' };
  if (raw === undefined) {
    issues.push(info('CDA_CONFIDENTIALITY_DEFAULT', 'Composition.confidentiality absent: confidentialityCode N (normal)', 'Composition.confidentiality'));
  } else if (!names[raw]) {
    issues.push(error('CDA_CODE', `confidentiality "${raw}" is not N, R or V (JDV_HL7_Confidentiality_CISIS)`, 'Composition.confidentiality'));
  }
  const code = raw && names[raw] ? raw : 'N';
  return { code, codeSystem: CS.CONFIDENTIALITY, displayName: names[code], codeSystemName: 'Confidentiality' };
}

function writeAuthors(root: El, doc: DocumentBundle, issues: Issue[]): void {
  const c = composition(doc);
  if (!c.author?.length) issues.push(error('CDA_REQUIRED', 'the document needs an author (Composition.author)', 'Composition.author'));
  (c.author ?? []).forEach((ref, i) => {
    const path = `Composition.author[${i}]`;
    const actor = resolveActor(doc, ref, path, issues);
    const author = root.ele('author');
    tsEl(author, 'time', c.date, 'Composition.date', issues);
    const assigned = author.ele('assignedAuthor');
    if (actor) writeActor(assigned, actor, { personTag: 'assignedPerson', orgTag: 'representedOrganization', requireId: true, requireCode: true }, issues);
    else nullEl(assigned, 'id', 'NI');
  });
}

function writeCustodian(root: El, doc: DocumentBundle, issues: Issue[]): void {
  const org = doc.resolve(composition(doc).custodian, ['Organization'], 'Composition.custodian', issues);
  if (!org) {
    if (!composition(doc).custodian) issues.push(error('CDA_REQUIRED', 'the document needs a custodian organisation (Composition.custodian)', 'Composition.custodian'));
    return;
  }
  const o = root.ele('custodian').ele('assignedCustodian').ele('representedCustodianOrganization');
  const id = iiOf(org.identifier?.find((i) => oidOfSystem(i.system) === ID_OID.IDNST) ?? org.identifier?.find((i) => i.system?.startsWith('urn:oid:')), 'Composition.custodian.resolve().identifier', issues);
  if (id) iiEl(o, id);
  else issues.push(error('CDA_REQUIRED', 'the custodian needs an identifier (FINESS, urn:oid:1.2.250.1.71.4.2.2)', 'Composition.custodian.resolve().identifier'));
  if (org.name) o.ele('name').txt(org.name);
  telecomEls(o, org.telecom?.slice(0, 1));
  if (org.address?.[0]) addressEl(o, org.address[0]);
}

function writeLegalAuthenticator(root: El, doc: DocumentBundle, issues: Issue[]): void {
  const c = composition(doc);
  const index = (c.attester ?? []).findIndex((a) => a.mode === 'legal');
  if (index < 0) {
    issues.push(error('CDA_REQUIRED', 'the document needs a legal authenticator (Composition.attester with mode "legal")', 'Composition.attester'));
    return;
  }
  const attester = c.attester![index]!;
  const path = `Composition.attester[${index}]`;
  const actor = resolveActor(doc, attester.party, `${path}.party`, issues);
  const la = root.ele('legalAuthenticator');
  tsEl(la, 'time', attester.time ?? c.date, `${path}.time`, issues);
  la.ele('signatureCode', { code: 'S' });
  const entity = la.ele('assignedEntity');
  if (actor) writeActor(entity, actor, { personTag: 'assignedPerson', orgTag: 'representedOrganization', requireId: true }, issues);
  else {
    nullEl(entity, 'id', 'NI');
    if (!attester.party) issues.push(error('CDA_REQUIRED', 'the legal authenticator must name a professional (attester.party)', `${path}.party`));
  }
}

function writeParticipants(root: El, participants: CdaParticipant[], issues: Issue[]): void {
  for (const p of participants) {
    const e = root.ele('participant', { typeCode: p.typeCode });
    const f = p.functionCode ? cdEl(e, 'functionCode', p.functionCode) : nullEl(e, 'functionCode', 'NA');
    if (p.comment && !p.functionCode?.originalText) f.ele('originalText').txt(p.comment);
    if (p.time) ivlTsEl(e, 'time', p.time, `${p.actor?.path ?? 'participant'}.period`, issues);
    else nullEl(e, 'time');
    const classCode = p.classCode ?? 'PROV';
    if (p.actor) writeActor(e.ele('associatedEntity', { classCode }), p.actor, { personTag: 'associatedPerson', orgTag: 'scopingOrganization', personOptional: true }, issues);
    else e.ele('associatedEntity', { classCode, nullFlavor: 'UNK' });
  }
}

function writeServiceEvents(root: El, doc: DocumentBundle, events: CdaServiceEvent[] | undefined, issues: Issue[]): void {
  const list =
    events ??
    (composition(doc).event ?? []).flatMap((ev, i): CdaServiceEvent[] => {
      const code = (ev.code ?? []).map((c) => codedOf(c)).find(Boolean);
      return code ? [{ code, period: ev.period, path: `Composition.event[${i}]` }] : [];
    });
  for (const ev of list) {
    const se = root.ele('documentationOf').ele('serviceEvent', { classCode: 'ACT' });
    if (ev.code) cdEl(se, 'code', ev.code);
    if (ev.period) ivlTsEl(se, 'effectiveTime', ev.period, `${ev.path}.period`, issues);
    for (const actor of ev.performers ?? []) {
      writeActor(se.ele('performer', { typeCode: 'PRF' }).ele('assignedEntity'), actor, { personTag: 'assignedPerson', orgTag: 'representedOrganization' }, issues);
    }
  }
}

function writeEncounter(root: El, doc: DocumentBundle, volet: CdaVoletHeader, issues: Issue[]): Encounter | undefined {
  const c = composition(doc);
  const required = volet.requiredEncounterIds ?? [];
  const mandatory = volet.encounterRequired ?? required.length > 0;
  const encounter = doc.resolve(c.encounter, ['Encounter'], 'Composition.encounter', issues);
  if (!encounter) {
    if (mandatory && !c.encounter) issues.push(error('CDA_REQUIRED', 'the document needs its encounter (Composition.encounter)', 'Composition.encounter'));
    return undefined;
  }
  const path = 'Composition.encounter.resolve()';
  const ids = (encounter.identifier ?? []).flatMap((i, n) => {
    const id = iiOf(i, `${path}.identifier[${n}]`, issues);
    return id ? [id] : [];
  });
  for (const r of required) {
    if (!ids.some((id) => id.root === r.oid)) {
      issues.push(error('CDA_ENCOUNTER_ID', `the encounter needs the ${r.label} identifier (system urn:oid:${r.oid})`, `${path}.identifier`));
    }
  }
  const rank = (id: II): number => {
    const k = required.findIndex((r) => r.oid === id.root);
    return k < 0 ? required.length : k;
  };
  const ee = root.ele('componentOf').ele('encompassingEncounter');
  for (const id of [...ids].sort((a, b) => rank(a) - rank(b))) iiEl(ee, id);
  const code = codedOf(encounter.class) ?? (encounter.type ?? []).map((t) => codedOf(t)).find(Boolean);
  if (code) cdEl(ee, 'code', code);
  ivlTsEl(ee, 'effectiveTime', encounter.period, `${path}.period`, issues);
  const facility = doc.resolve(encounter.serviceProvider, ['Organization'], `${path}.serviceProvider`, issues);
  if (facility) writeFacility(ee, facility, `${path}.serviceProvider.resolve()`, volet.facilityRequired ?? false, issues);
  else if (volet.facilityRequired && !encounter.serviceProvider) {
    issues.push(error('CDA_REQUIRED', 'the encounter needs the organisation where it takes place (Encounter.serviceProvider)', `${path}.serviceProvider`));
  }
  return encounter;
}

function writeFacility(ee: El, org: Organization, path: string, required: boolean, issues: Issue[]): void {
  const hcf = ee.ele('location').ele('healthCareFacility');
  const idSource = org.identifier?.find((i) => oidOfSystem(i.system) === ID_OID.IDNST) ?? org.identifier?.find((i) => i.system?.startsWith('urn:oid:'));
  const id = iiOf(idSource, `${path}.identifier`, issues);
  if (id) iiEl(hcf, id);
  const type = (org.type ?? []).map((t) => codedOf(t, [CS.HEALTHCARE_FACILITY_TYPE])).find(Boolean);
  if (type) cdEl(hcf, 'code', type);
  else if (required) issues.push(error('CDA_REQUIRED', 'the facility needs its type (JDV_J02, urn:oid:1.2.250.1.71.4.2.4) in Organization.type', `${path}.type`));
  const loc = hcf.ele('location');
  if (org.name) loc.ele('name').txt(org.name);
  else if (required) issues.push(error('CDA_REQUIRED', 'the facility needs its name', `${path}.name`));
  if (org.address?.[0]) addressEl(loc, org.address[0]);
  else if (required) issues.push(error('CDA_REQUIRED', 'the facility needs its address', `${path}.address`));
}

/**
 * Builds `ClinicalDocument` up to and including `componentOf`. The volet then appends its body to `root`.
 * All problems are in `issues`; a document with error issues must not be sent.
 */
export function buildCdaHeader(doc: DocumentBundle, volet: CdaVoletHeader): CdaHeader {
  const issues: Issue[] = [];
  const c = composition(doc);
  if (c.status === 'entered-in-error') issues.push(error('CDA_STATUS', 'a Composition entered in error cannot be sent as a document', 'Composition.status'));
  const { id, setId } = documentIds(doc, issues);
  const { version, parent } = versioning(doc, issues);
  checkDocumentType(doc, volet.code, issues);

  const document = create({ version: '1.0', encoding: 'UTF-8' });
  const root = document.ele(CDA_NS, 'ClinicalDocument', { 'xmlns:xsi': XSI_NS });
  root.ele('realmCode', { code: 'FR' });
  root.ele('typeId', { root: '2.16.840.1.113883.1.3', extension: 'POCD_HD000040' });
  root.ele('templateId', { root: TEMPLATE.HL7_FRANCE });
  root.ele('templateId', { root: TEMPLATE.CISIS });
  for (const t of volet.templateIds) iiEl(root, t, 'templateId');
  if (id) iiEl(root, id);
  else nullEl(root, 'id', 'NI');
  cdEl(root, 'code', { ...volet.code, codeSystemName: volet.code.codeSystemName ?? 'LOINC' });
  root.ele('title').txt(c.title ?? '');
  if (!c.title) issues.push(error('CDA_REQUIRED', 'the document needs a title (Composition.title)', 'Composition.title'));
  if (!c.date) issues.push(error('CDA_REQUIRED', 'the document needs its date (Composition.date)', 'Composition.date'));
  tsEl(root, 'effectiveTime', c.date, 'Composition.date', issues);
  cdEl(root, 'confidentialityCode', confidentiality(doc, issues));
  root.ele('languageCode', { code: c.language ?? 'fr-FR' });
  if (setId) iiEl(root, setId, 'setId');
  root.ele('versionNumber', { value: String(version) });

  const patient = doc.resolve(c.subject, ['Patient'], 'Composition.subject', issues);
  if (!c.subject) issues.push(error('CDA_REQUIRED', 'the document needs its patient (Composition.subject)', 'Composition.subject'));
  const identity = patient ? writeRecordTarget(root, patient, 'Composition.subject.resolve()', issues) : undefined;
  writeAuthors(root, doc, issues);
  for (const inf of volet.informants ?? []) {
    const entity = root.ele('informant').ele('relatedEntity', { classCode: inf.classCode });
    if (inf.code) cdEl(entity, 'code', inf.code);
    if (inf.address) addressEl(entity, inf.address);
    telecomEls(entity, inf.telecom);
    personNameEl(entity.ele('relatedPerson'), inf.name);
  }
  writeCustodian(root, doc, issues);
  writeLegalAuthenticator(root, doc, issues);
  writeParticipants(root, volet.participants ?? [], issues);
  for (const o of volet.inFulfillmentOf ?? []) {
    const order = root.ele('inFulfillmentOf').ele('order');
    iiEl(order, o.id);
    const code = nullEl(order, 'code', 'NA');
    if (o.comment) code.ele('originalText').txt(o.comment);
  }
  writeServiceEvents(root, doc, volet.documentationOf, issues);
  if (parent) iiEl(root.ele('relatedDocument', { typeCode: 'RPLC' }).ele('parentDocument'), parent);
  const encounter = writeEncounter(root, doc, volet, issues);

  const seed = id ? `${id.root}|${id.extension ?? ''}` : JSON.stringify(doc.bundle.identifier ?? c.identifier ?? c.id ?? '');
  return { document, root, id, setId, versionNumber: version, patient, identity, encounter, issues, uuid: (part) => derivedUuid(`${seed}#${part}`) };
}

/** The document as UTF-8 XML text, indented; deterministic. */
export function serializeCda(header: CdaHeader): string {
  return `${header.document.end({ prettyPrint: true })}\n`;
}
