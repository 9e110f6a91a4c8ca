/**
 * CDA R2 anatomic pathology report (ANS CI-SIS CR-ACP / IHE PaLM APSR 2.0, and APSR 1) → the parts of a
 * `PathologyReport` that a CDA carries. Read with fast-xml-parser through `parseXmlTree`: a DOCTYPE is refused,
 * no entity other than the predefined ones is expanded, nothing external is ever loaded.
 */
import { error, warning, type Issue } from '../../engine/issues.js';
import { decodeXml } from '../xml/decode-xml.js';
import { parseXmlTree, XmlTreeError, type XmlElementNode } from '../schematron/xml-tree.js';
import { checkDoctype } from '../xml/doctype-guard.js';
import { APSR_FORMAT, ID_NAT_PS_OID, ID_NAT_ST_OID, REPORT_CODES, TEMPLATES } from './codes.js';
import { at, attr, codeOrTextOf, codingOf, identifierOf, kid, kids, narrative, personName, templatesOf, text, timeOf, V3, xsiType } from './cda-tree.js';
import { fromHl7Timestamp } from './dates.js';
import { isInsOid, laboratoryOf, pathologistOf, patientIdentifiers, type PatientIdentifiersIn } from './identities.js';
import type { Coding, Identifier, Laboratory, ObservationValue, Pathologist, PathologyReport, PatientIdentity, ReportStatus, SpecimenInfo, StructuredObservation } from './model.js';

/** What a CDA gives; the caller adds the original document (and, for HL7, its own envelope data). */
export type CdaContent = Omit<PathologyReport, 'form' | 'document'> & { format?: Coding };

const GENDER: Record<string, PatientIdentity['gender']> = { M: 'male', F: 'female', U: 'unknown', UN: 'other' };
const SPECIMEN_RECEIVED = 'SPRECEIVE';
const GENERIC_COLLECTION_CODE = '33882-2';
const CONCLUSION_TEMPLATES = new Set([TEMPLATES.diagnosticConclusion, '1.2.250.1.213.1.1.2.34']);
const CONCLUSION_CODES = new Set(['22637-3', '30954-2']);

/** Parses CDA bytes (or text); refuses a DOCTYPE; checks that the root is a ClinicalDocument. */
export function parseCdaTree(input: Buffer | string, where: string): { root?: XmlElementNode; issues: Issue[] } {
  const refused = checkDoctype(input);
  if (refused.length) return { issues: refused.map((i) => ({ ...i, path: `${where}${i.path ? ` ${i.path}` : ''}` })) };
  let textInput: string;
  try {
    textInput = decodeXml(input);
  } catch (e) {
    return { issues: [error('CRAP_CDA_ENCODING', `the CDA cannot be decoded: ${(e as Error).message}`, where)] };
  }
  try {
    const root = parseXmlTree(textInput, where);
    if (root.ns !== V3 || root.local !== 'ClinicalDocument') {
      return { issues: [error('CRAP_CDA_ROOT', `the XML root is <${root.name}> in "${root.ns}", not a CDA R2 ClinicalDocument (urn:hl7-org:v3)`, where)] };
    }
    return { root, issues: [] };
  } catch (e) {
    if (e instanceof XmlTreeError) return { issues: [error('CRAP_CDA_XML', e.message.slice(e.file.length + 2) || e.message, where)] };
    throw e;
  }
}

/** Which pathology report this CDA is, from its templateIds and code; undefined when it is not one. */
function variantOf(root: XmlElementNode): { variant: string; format?: Coding; apsr1: boolean } | undefined {
  const templates = templatesOf(root);
  const code = attr(kid(root, 'code'), 'code');
  if (templates.includes(TEMPLATES.crAcp)) return { variant: 'CDA CR-ACP (APSR 2.0)', format: APSR_FORMAT, apsr1: false };
  if (code === REPORT_CODES.synoptic.code) return { variant: 'CDA APSR 2.0', format: APSR_FORMAT, apsr1: false };
  if (code === REPORT_CODES.study.code) return { variant: 'CDA APSR 1', apsr1: true };
  if (templates.includes(TEMPLATES.apsr)) return { variant: 'CDA APSR', apsr1: false };
  return undefined;
}

function patientOf(root: XmlElementNode, where: string, issues: Issue[]): PatientIdentity {
  const role = at(root, 'recordTarget', 'patientRole');
  const input: PatientIdentifiersIn = { ipp: [] };
  for (const id of kids(role, 'id')) {
    const oid = attr(id, 'root');
    const value = attr(id, 'extension');
    if (!oid || !value) continue;
    if (isInsOid(oid)) input.ins ??= { value, oid };
    else input.ipp.push({ value, authority: oid });
  }
  const patient = kid(role, 'patient');
  const birth = attr(kid(patient, 'birthTime'), 'value');
  const gender = GENDER[attr(kid(patient, 'administrativeGenderCode'), 'code') ?? ''];
  return {
    ...patientIdentifiers(input, `${where} recordTarget`, issues),
    ...personName(patient),
    ...(birth && fromHl7Timestamp(birth.slice(0, 8)) ? { birthDate: fromHl7Timestamp(birth.slice(0, 8)) } : {}),
    ...(gender ? { gender } : {}),
  };
}

function pathologistIn(entity: XmlElementNode | undefined, person: string, where: string, issues: Issue[]): Pathologist | undefined {
  const id = kids(entity, 'id').find((i) => attr(i, 'root') === ID_NAT_PS_OID) ?? kid(entity, 'id');
  if (!entity || !id) return undefined;
  return pathologistOf({ value: attr(id, 'extension') ?? '', oid: attr(id, 'root') }, personName(kid(entity, person)), where, issues);
}

function laboratoryIn(org: XmlElementNode | undefined, where: string, issues: Issue[]): Laboratory | undefined {
  const id = kids(org, 'id').find((i) => attr(i, 'root') === ID_NAT_ST_OID) ?? kid(org, 'id');
  if (!org || !id) return undefined;
  return laboratoryOf({ value: attr(id, 'extension') ?? '', oid: attr(id, 'root') }, text(kid(org, 'name')) || undefined, where, issues);
}

/** Every element below `e` (document order), descending through sections, entries and entry relationships. */
function* descendants(e: XmlElementNode): Generator<XmlElementNode> {
  for (const c of e.children) {
    if (c.kind !== 'element') continue;
    yield c;
    yield* descendants(c);
  }
}

function valueOf(v: XmlElementNode | undefined): ObservationValue | undefined {
  if (!v || attr(v, 'nullFlavor') && !kid(v, 'originalText')) return undefined;
  const type = xsiType(v) ?? '';
  switch (type) {
    case 'CD':
    case 'CE':
    case 'CV':
    case 'CO': {
      const ct = codeOrTextOf(v);
      return ct ? { kind: 'codeable', ...ct } : undefined;
    }
    case 'PQ':
    case 'REAL': {
      const n = Number(attr(v, 'value'));
      const unit = attr(v, 'unit');
      return Number.isFinite(n) ? { kind: 'quantity', value: n, ...(unit && unit !== '1' ? { unit } : {}) } : undefined;
    }
    case 'INT': {
      const n = Number(attr(v, 'value'));
      return Number.isInteger(n) ? { kind: 'integer', value: n } : undefined;
    }
    case 'BL':
      return attr(v, 'value') === 'true' || attr(v, 'value') === 'false' ? { kind: 'boolean', value: attr(v, 'value') === 'true' } : undefined;
    case 'TS': {
      const t = timeOf(v);
      return t ? { kind: 'dateTime', value: t } : undefined;
    }
    default: {
      const s = text(v);
      return s ? { kind: 'string', value: s } : undefined;
    }
  }
}

/**
 * Structured entries: every `observation` in event mood with a code; nested observations (entryRelationship) become
 * members of their parent (the pTNM stage and its pT / pN / pM). Keys are the code (with its occurrence number).
 */
function observationsOf(body: XmlElementNode): StructuredObservation[] {
  const out: StructuredObservation[] = [];
  const occurrences = new Map<string, number>();
  const visit = (obs: XmlElementNode): string | undefined => {
    const members: string[] = [];
    for (const rel of kids(obs, 'entryRelationship')) for (const child of kids(rel, 'observation')) {
      const k = visit(child);
      if (k) members.push(k);
    }
    const mood = attr(obs, 'moodCode');
    const code = codeOrTextOf(kid(obs, 'code'));
    if ((mood && mood !== 'EVN') || !code) return undefined;
    const value = valueOf(kids(obs, 'value')[0]);
    const aborted = attr(kid(obs, 'statusCode'), 'code') === 'aborted';
    if (!value && members.length === 0 && !aborted) return undefined;
    const sourceId = identifierOf(kid(obs, 'id'));
    const base = code.coding?.code ?? `text-${code.text!.slice(0, 40)}`;
    const n = (occurrences.get(base) ?? 0) + 1;
    occurrences.set(base, n);
    const key = n === 1 ? base : `${base}.${n}`;
    const specimens = kids(obs, 'specimen').flatMap((s) => {
      const sid = identifierOf(at(s, 'specimenRole', 'id'));
      return sid ? [sid] : [];
    });
    const effective = timeOf(kid(obs, 'effectiveTime'));
    out.push({
      key,
      ...(sourceId ? { sourceId } : {}),
      code,
      ...(value ? { value } : {}),
      status: aborted ? 'cancelled' : 'final',
      ...(effective ? { effective } : {}),
      specimens,
      members,
    });
    return key;
  };
  // top-level observations: those not nested in another observation (nested ones are visited by their parent)
  const walk = (e: XmlElementNode) => {
    for (const c of e.children) {
      if (c.kind !== 'element') continue;
      if (c.ns === V3 && c.local === 'observation') visit(c);
      else walk(c);
    }
  };
  walk(body);
  return out;
}

function specimensOf(body: XmlElementNode, observations: StructuredObservation[]): SpecimenInfo[] {
  const byKey = new Map<string, SpecimenInfo>();
  const add = (s: SpecimenInfo) => {
    const k = `${s.identifier.system}|${s.identifier.value}`;
    const prev = byKey.get(k);
    byKey.set(k, prev ? { ...s, ...prev, identifier: prev.identifier } : s);
  };
  for (const e of descendants(body)) {
    if (e.ns !== V3 || e.local !== 'procedure') continue;
    const identifier = identifierOf(at(e, 'specimen', 'specimenRole', 'id')) ?? identifierOf(at(e, 'participant', 'participantRole', 'id'));
    if (!identifier) continue;
    const collected = timeOf(kid(e, 'effectiveTime'));
    const receivedAct = kids(e, 'entryRelationship').flatMap((r) => kids(r, 'act')).find((a) => attr(kid(a, 'code'), 'code') === SPECIMEN_RECEIVED);
    const received = timeOf(kid(receivedAct, 'effectiveTime'));
    const method = codeOrTextOf(kid(e, 'code'));
    const type = codeOrTextOf(at(e, 'participant', 'participantRole', 'playingEntity', 'code')) ?? (method?.coding?.code !== GENERIC_COLLECTION_CODE ? method : undefined);
    const bodySite = codeOrTextOf(kid(e, 'targetSiteCode'));
    add({ identifier, ...(type ? { type } : {}), ...(collected ? { collected } : {}), ...(received ? { received } : {}), ...(bodySite ? { bodySite } : {}) });
  }
  for (const o of observations) for (const identifier of o.specimens) add({ identifier });
  return [...byKey.values()];
}

function conclusionOf(body: XmlElementNode): string | undefined {
  for (const e of descendants(body)) {
    if (e.ns !== V3 || e.local !== 'section') continue;
    if (templatesOf(e).some((t) => CONCLUSION_TEMPLATES.has(t)) || CONCLUSION_CODES.has(attr(kid(e, 'code'), 'code') ?? '')) {
      const t = narrative(kid(e, 'text'));
      if (t) return t.length > 20_000 ? `${t.slice(0, 20_000)}…` : t;
    }
  }
  return undefined;
}

function statusOf(root: XmlElementNode, version: number | undefined): ReportStatus {
  const replaces = kids(root, 'relatedDocument').some((r) => attr(r, 'typeCode') === 'RPLC');
  return replaces || (version !== undefined && version > 1) ? 'corrected' : 'final';
}

/** Reads a CDA pathology report; `where` prefixes issue paths (e.g. `OBX[1]-5`). */
export function readCda(input: Buffer | string, where = 'CDA'): { content?: CdaContent; issues: Issue[] } {
  const parsed = parseCdaTree(input, where);
  if (!parsed.root) return { issues: parsed.issues };
  const root = parsed.root;
  const issues: Issue[] = [];
  const variant = variantOf(root);
  if (!variant) {
    const code = kid(root, 'code');
    return {
      issues: [
        error(
          'CRAP_CDA_NOT_PATHOLOGY',
          `the CDA is not an anatomic pathology report (code ${attr(code, 'code') ?? '?'} "${attr(code, 'displayName') ?? ''}", templateIds ${templatesOf(root).join(', ') || 'none'}); expected templateId ${TEMPLATES.crAcp} or ${TEMPLATES.apsr}, or code ${REPORT_CODES.synoptic.code} / ${REPORT_CODES.study.code}`,
          where,
        ),
      ],
    };
  }
  const documentId = identifierOf(kid(root, 'id'));
  const identifier = identifierOf(kid(root, 'setId')) ?? documentId;
  if (!identifier) issues.push(error('CRAP_NO_REPORT_ID', 'the CDA has neither setId nor id: re-sending it could not update it', `${where} /ClinicalDocument/id`));
  const versionText = attr(kid(root, 'versionNumber'), 'value');
  const version = versionText && /^\d+$/.test(versionText) ? Number(versionText) : undefined;
  const code = codingOf(kid(root, 'code')) ?? (variant.apsr1 ? REPORT_CODES.study : REPORT_CODES.synoptic);
  const patient = patientOf(root, where, issues);
  const legal = at(root, 'legalAuthenticator', 'assignedEntity');
  const author = at(root, 'author', 'assignedAuthor');
  const pathologist = pathologistIn(legal, 'assignedPerson', `${where} legalAuthenticator`, []) ?? pathologistIn(author, 'assignedPerson', `${where} author`, issues);
  const laboratory =
    laboratoryIn(kid(author, 'representedOrganization'), `${where} author`, []) ??
    laboratoryIn(at(root, 'custodian', 'assignedCustodian', 'representedCustodianOrganization'), `${where} custodian`, issues);
  const issued = timeOf(at(root, 'legalAuthenticator', 'time')) ?? timeOf(kid(root, 'effectiveTime'));
  const body = at(root, 'component', 'structuredBody');
  const nonXml = at(root, 'component', 'nonXMLBody');
  if (!body && !nonXml) issues.push(warning('CRAP_CDA_NO_BODY', 'the CDA has no body', where));
  const observations = body ? observationsOf(body) : [];
  const specimens = body ? specimensOf(body, observations) : [];
  const serviceTime = timeOf(at(root, 'documentationOf', 'serviceEvent', 'effectiveTime'));
  const collected = specimens.map((s) => s.collected).filter((c): c is string => !!c).sort()[0];
  const effective = collected ?? serviceTime;
  const conclusion = body ? conclusionOf(body) : undefined;
  const title = text(kid(root, 'title'));
  if (!identifier) return { issues };
  return {
    content: {
      variant: variant.variant,
      identifier,
      ...(documentId ? { documentId } : {}),
      ...(version !== undefined ? { version } : {}),
      status: statusOf(root, version),
      code,
      ...(title ? { title } : {}),
      ...(effective ? { effective } : {}),
      ...(issued ? { issued } : {}),
      ...(conclusion ? { conclusion } : {}),
      patient,
      ...(pathologist ? { pathologist } : {}),
      ...(laboratory ? { laboratory } : {}),
      specimens,
      observations,
      ...(variant.format ? { format: variant.format } : {}),
    },
    issues,
  };
}

/** The identifiers of a CDA patient, for comparing with an HL7 envelope. */
export const identifierKeys = (p: PatientIdentity): string[] => [...(p.ins ? [p.ins] : []), ...p.ipp].map((i: Identifier) => `${i.system}|${i.value}`);
