/**
 * A PDF with its sidecar metadata (JSON or XML; format in docs/mappings/crap.md), as the `sftp` source delivers the
 * pair: one envelope `{document: {name, contentType, base64}, sidecar: {name, contentType, text}}`
 * (`application/vnd.relais.sidecar+json`). The PDF's Base64 text is used as it came.
 */
import { z } from 'zod';
import { error, type Issue } from '../../engine/issues.js';
import { parseXmlTree, XmlTreeError, type XmlElementNode } from '../schematron/xml-tree.js';
import { checkDoctype } from '../xml/doctype-guard.js';
import { LOINC, PDF_FORMAT, REPORT_CODES, isOid } from './codes.js';
import { compactBase64, decodedSize, isStrictBase64, looksLikePdf, sha1OfBase64 } from './base64.js';
import { dateOnly, fromIsoText } from './dates.js';
import { laboratoryOf, pathologistOf, patientIdentifiers, reportIdentifier } from './identities.js';
import type { PathologyReport, PatientIdentity, ReportStatus, SpecimenInfo } from './model.js';

export const SIDECAR_ENVELOPE_TYPE = 'application/vnd.relais.sidecar+json';
/** Namespace of the XML sidecar (optional on the root element `metadonnees_crap`). */
export const SIDECAR_XML_NS = 'urn:relais:crap-sidecar:1';

const envelopeSchema = z.object({
  document: z.object({ name: z.string(), contentType: z.string().optional(), base64: z.string() }),
  sidecar: z.object({ name: z.string(), contentType: z.string().optional(), text: z.string() }),
});

const text = z.string().trim().min(1);
const isoDate = text.refine((v) => fromIsoText(v) !== undefined, 'not an ISO 8601 date or date-time (YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][±hh:mm])');
const oid = text.refine(isOid, 'not an OID');

/** The sidecar, version 1. French names, as laboratories write them; every date is ISO 8601. */
export const sidecarSchema = z.strictObject({
  format: z.literal('relais-crap-sidecar').optional(),
  version: z.union([z.literal(1), z.literal('1')]).optional(),
  compte_rendu: z.strictObject({
    numero: text.describe("the laboratory's report / exam number"),
    autorite: oid.optional().describe('OID of the numbering; default: scoped by the laboratory FINESS'),
    statut: z.enum(['final', 'preliminaire', 'corrige', 'annule']).default('final'),
    titre: text.optional(),
    code_loinc: z.string().regex(/^\d{1,7}-\d$/, 'a LOINC code such as 11526-1').optional(),
    date_validation: isoDate.describe('validation by the pathologist: DiagnosticReport.issued'),
    date_examen: isoDate.optional(),
    conclusion: text.optional(),
  }),
  patient: z.strictObject({
    ins: text.optional(),
    ins_oid: oid.default('1.2.250.1.213.1.4.8'),
    statut_identite: z.enum(['VIDE', 'PROV', 'RECUP', 'VALI', 'QUAL']).optional(),
    ipp: text.optional(),
    ipp_autorite: text.optional(),
    nom_naissance: text.optional(),
    prenoms: text.optional(),
    date_naissance: isoDate.optional(),
    sexe: z.enum(['M', 'F', 'I', 'U']).optional(),
  }),
  prelevements: z
    .array(
      z.strictObject({
        numero: text,
        nature: text.optional(),
        localisation: text.optional(),
        date_prelevement: isoDate.optional(),
        date_reception: isoDate.optional(),
      }),
    )
    .default([]),
  pathologiste: z.strictObject({ rpps: z.string().regex(/^\d{11}$/, 'an RPPS is 11 digits'), nom: text.optional(), prenom: text.optional() }).optional(),
  laboratoire: z.strictObject({ finess: z.string().regex(/^(\d{9}|2[AB]\d{7})$/, 'a FINESS is 9 characters'), nom: text.optional() }),
});
export type Sidecar = z.infer<typeof sidecarSchema>;

const STATUS: Record<Sidecar['compte_rendu']['statut'], ReportStatus> = { final: 'final', preliminaire: 'preliminary', corrige: 'corrected', annule: 'entered-in-error' };
const SEX: Record<string, PatientIdentity['gender']> = { M: 'male', F: 'female', I: 'other', U: 'unknown' };

/** XML sidecar → the same object as the JSON one: elements become keys, `prelevement` elements the `prelevements` array. */
function xmlToObject(e: XmlElementNode): unknown {
  const elements = e.children.filter((c): c is XmlElementNode => c.kind === 'element');
  if (elements.length === 0) return e.children.map((c) => (c.kind === 'text' ? c.value : '')).join('');
  const out: Record<string, unknown> = {};
  for (const c of elements) {
    if (c.local === 'prelevement') ((out.prelevements ??= []) as unknown[]).push(xmlToObject(c));
    else out[c.local] = xmlToObject(c);
  }
  return out;
}

function readSidecarText(name: string, contentType: string | undefined, textIn: string, issues: Issue[]): unknown {
  const where = `sidecar ${name}`;
  const isXml = contentType?.includes('xml') || /\.xml$/i.test(name) || textIn.trimStart().startsWith('<');
  if (!isXml) {
    try {
      return JSON.parse(textIn) as unknown;
    } catch (e) {
      issues.push(error('CRAP_SIDECAR_JSON', `the sidecar is not valid JSON: ${(e as Error).message}`, where));
      return undefined;
    }
  }
  const refused = checkDoctype(textIn);
  if (refused.length) {
    issues.push(...refused.map((i) => ({ ...i, path: where })));
    return undefined;
  }
  try {
    const root = parseXmlTree(textIn, where);
    if (root.local !== 'metadonnees_crap' || (root.ns !== '' && root.ns !== SIDECAR_XML_NS)) {
      issues.push(error('CRAP_SIDECAR_XML', `the XML sidecar root must be <metadonnees_crap> (namespace ${SIDECAR_XML_NS} or none), not <${root.name}>`, where));
      return undefined;
    }
    const obj = xmlToObject(root) as Record<string, unknown>;
    if (root.attrs.version) obj.version = root.attrs.version;
    return obj;
  } catch (e) {
    if (e instanceof XmlTreeError) {
      issues.push(error('CRAP_SIDECAR_XML', e.message, where));
      return undefined;
    }
    throw e;
  }
}

function zodIssues(err: z.ZodError, name: string): Issue[] {
  return err.issues.map((i) => error('CRAP_SIDECAR_FIELD', i.message, `sidecar ${name} ${i.path.join('.') || '(root)'}`));
}

/** Reads the envelope, its PDF and its sidecar. */
export function readSidecarEnvelope(raw: Buffer): { value?: PathologyReport; issues: Issue[] } {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    return { issues: [error('CRAP_SIDECAR_ENVELOPE', `the envelope is not valid JSON: ${(e as Error).message}`)] };
  }
  const env = envelopeSchema.safeParse(json);
  if (!env.success) return { issues: [error('CRAP_SIDECAR_ENVELOPE', `the envelope must be {document: {name, contentType, base64}, sidecar: {name, contentType, text}}: ${env.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`)] };
  const { document, sidecar } = env.data;
  const issues: Issue[] = [];
  const b64 = compactBase64(document.base64);
  if (!isStrictBase64(b64)) issues.push(error('CRAP_BASE64', 'the document is not valid Base64', `document ${document.name}`));
  else if (!looksLikePdf(b64)) issues.push(error('CRAP_PDF_CONTENT', 'the document does not start with %PDF-: only PDF documents are accepted with a sidecar', `document ${document.name}`));
  const obj = readSidecarText(sidecar.name, sidecar.contentType, sidecar.text, issues);
  if (obj === undefined || issues.some((i) => i.severity === 'error')) return { issues };
  const parsed = sidecarSchema.safeParse(obj);
  if (!parsed.success) return { issues: [...issues, ...zodIssues(parsed.error, sidecar.name)] };
  const s = parsed.data;
  const where = `sidecar ${sidecar.name}`;
  const laboratory = laboratoryOf({ value: s.laboratoire.finess }, s.laboratoire.nom, `${where} laboratoire`, issues);
  const pathologist = s.pathologiste ? pathologistOf({ value: s.pathologiste.rpps, type: 'RPPS' }, { family: s.pathologiste.nom, given: s.pathologiste.prenom }, `${where} pathologiste`, issues) : undefined;
  const ids = patientIdentifiers(
    { ...(s.patient.ins ? { ins: { value: s.patient.ins, oid: s.patient.ins_oid } } : {}), reliability: s.patient.statut_identite ?? '', ipp: s.patient.ipp ? [{ value: s.patient.ipp, authority: s.patient.ipp_autorite ?? '' }] : [] },
    `${where} patient`,
    issues,
  );
  const identifier = reportIdentifier(s.compte_rendu.numero, { authorityOid: s.compte_rendu.autorite, laboratory }, `${where} compte_rendu.numero`, issues);
  const specimens: SpecimenInfo[] = [];
  for (const [i, p] of s.prelevements.entries()) {
    const sid = reportIdentifier(p.numero, { laboratory }, `${where} prelevements.${i}.numero`, issues);
    if (!sid) continue;
    const collected = p.date_prelevement ? fromIsoText(p.date_prelevement) : undefined;
    const received = p.date_reception ? fromIsoText(p.date_reception) : undefined;
    specimens.push({ identifier: sid, ...(p.nature ? { type: { text: p.nature } } : {}), ...(p.localisation ? { bodySite: { text: p.localisation } } : {}), ...(collected ? { collected } : {}), ...(received ? { received } : {}) });
  }
  if (!identifier || issues.some((i) => i.severity === 'error')) return { issues };
  const cr = s.compte_rendu;
  const collected = specimens.map((x) => x.collected).filter((c): c is string => !!c).sort()[0];
  const effective = collected ?? (cr.date_examen ? fromIsoText(cr.date_examen) : undefined);
  const birthDate = dateOnly(s.patient.date_naissance ? fromIsoText(s.patient.date_naissance) : undefined);
  const gender = s.patient.sexe ? SEX[s.patient.sexe] : undefined;
  const title = cr.titre ?? "Compte rendu d'anatomie et de cytologie pathologiques";
  return {
    value: {
      form: 'pdf-sidecar',
      variant: `PDF + ${/\.xml$/i.test(sidecar.name) || sidecar.contentType?.includes('xml') ? 'XML' : 'JSON'} sidecar`,
      identifier,
      status: STATUS[cr.statut],
      code: cr.code_loinc ? { system: LOINC, code: cr.code_loinc } : REPORT_CODES.study,
      title,
      ...(effective ? { effective } : {}),
      issued: fromIsoText(cr.date_validation)!,
      ...(cr.conclusion ? { conclusion: cr.conclusion } : {}),
      patient: {
        ...ids,
        ...(s.patient.nom_naissance ? { family: s.patient.nom_naissance } : {}),
        ...(s.patient.prenoms ? { given: s.patient.prenoms } : {}),
        ...(birthDate ? { birthDate } : {}),
        ...(gender ? { gender } : {}),
      },
      ...(pathologist ? { pathologist } : {}),
      ...(laboratory ? { laboratory } : {}),
      specimens,
      observations: [],
      document: { contentType: 'application/pdf', base64: b64, size: decodedSize(b64), sha1: sha1OfBase64(b64), title, fileName: document.name, format: PDF_FORMAT },
    },
    issues,
  };
}
