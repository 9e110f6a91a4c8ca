/**
 * HL7v2 ORU^R01 carrying the report as an encapsulated document (OBX type ED, Base64 PDF or CDA R2), per the ANS
 * volet "Transmission de documents CDA en HL7v2" (ORU, OBX-11 F / C / D; PRT for the author and its organisation).
 * Read with the Relais codec: the Base64 payload is taken from the raw field slice as is (no unescape, no copy) when
 * it holds no escape sequence; a CDA is decoded once to be read.
 */
import { error, hasErrors, warning, type Issue } from '../../engine/issues.js';
import { extractEncapsulatedData, messageType, parseHl7, type Hl7Message, type Hl7Segment } from '../hl7v2/index.js';
import { LOINC, PDF_FORMAT, REPORT_CODES, systemOfHl7Name } from './codes.js';
import { compactBase64, decodedSize, isStrictBase64, looksLikePdf, sha1OfBase64 } from './base64.js';
import { readCda, identifierKeys, type CdaContent } from './cda.js';
import { fromHl7Timestamp } from './dates.js';
import { isInsOid, laboratoryOf, pathologistOf, patientIdentifiers, reportIdentifier, type PatientIdentifiersIn } from './identities.js';
import type { CodeOrText, Coding, Laboratory, OriginalDocument, Pathologist, PathologyReport, PatientIdentity, ReportStatus, SpecimenInfo } from './model.js';

const GENDER: Record<string, PatientIdentity['gender']> = { M: 'male', F: 'female', O: 'other', A: 'other', U: 'unknown', N: 'unknown' };
const RESULT_STATUS: Record<string, ReportStatus> = { F: 'final', C: 'corrected', D: 'entered-in-error', P: 'preliminary', R: 'preliminary', I: 'preliminary', S: 'preliminary' };
/** ANS "MetaDMPMSS" OBX (mail body, DMP / MSSanté flags) are not documents. */
const METADATA_CODING_SYSTEM = 'METADMPMSS';
/** PRT-4 participations that name the document's author (ANS: SB, sent by) or its responsible observer. */
const AUTHOR_ROLES = new Set(['SB', 'RO', 'AUT', 'PRI']);

interface DocumentObx {
  index: number;
  seg: Hl7Segment;
  kind: 'pdf' | 'cda';
}

function documentsOf(msg: Hl7Message): DocumentObx[] {
  const out: DocumentObx[] = [];
  msg.segmentsNamed('OBX').forEach((seg, i) => {
    if (seg.get(2) !== 'ED' || seg.get('3.3').toUpperCase() === METADATA_CODING_SYSTEM) return;
    const subtype = seg.get('5.3').toUpperCase();
    if (subtype === 'PDF') out.push({ index: i + 1, seg, kind: 'pdf' });
    else if (subtype === 'XML' || subtype === 'HL7-CDA' || subtype === 'CDA') out.push({ index: i + 1, seg, kind: 'cda' });
  });
  return out;
}

/** The Base64 text of OBX-5.5: the raw slice when it holds no escape sequence, else unescaped by the codec. */
function base64Of(msg: Hl7Message, doc: DocumentObx, where: string, issues: Issue[]): string | undefined {
  const encoding = doc.seg.get('5.4').toUpperCase();
  if (encoding !== 'BASE64') {
    issues.push(error('CRAP_ED_ENCODING', `the document is encoded "${doc.seg.get('5.4')}"; only Base64 is accepted for PDF and CDA payloads`, `${where}.4`));
    return undefined;
  }
  const raw = doc.seg.getRaw('5.5');
  let b64: string;
  if (msg.delimiters.escape && raw.includes(msg.delimiters.escape)) {
    const ed = extractEncapsulatedData(msg, `OBX[${doc.index}]-5`);
    if (!ed.payload || ed.payload.kind !== 'ED') {
      issues.push(...ed.issues);
      return undefined;
    }
    b64 = ed.payload.data.toString('base64');
  } else b64 = compactBase64(raw);
  if (!isStrictBase64(b64)) {
    issues.push(error('CRAP_BASE64', 'the document (ED.5) is not valid Base64: characters outside the alphabet, misplaced padding or a truncated length', `${where}.5`));
    return undefined;
  }
  return b64;
}

function patientOf(msg: Hl7Message, issues: Issue[]): PatientIdentity {
  const pid = msg.segment('PID')!;
  const input: PatientIdentifiersIn = { ipp: [], reliability: pid.get(32) || undefined };
  for (let r = 1; r <= pid.repetitionCount(3); r++) {
    const value = pid.get(`3[${r}].1`);
    const oid = pid.get(`3[${r}].4.2`);
    const type = pid.get(`3[${r}].5`).toUpperCase();
    if (!value) continue;
    if (isInsOid(oid) || type === 'INS' || type === 'INS-NIR' || type === 'INS-NIA') input.ins ??= { value, oid: oid || '1.2.250.1.213.1.4.8' };
    else if (type === 'PI' || type === '' || type === 'PT' || type === 'MR') input.ipp.push({ value, authority: oid || pid.get(`3[${r}].4.1`) });
  }
  const ids = patientIdentifiers(input, 'PID-3', issues);
  let nameRep = 1;
  for (let r = 1; r <= pid.repetitionCount(5); r++) if (pid.get(`5[${r}].7`) === 'L') nameRep = r;
  const family = pid.get(`5[${nameRep}].1`);
  const given = pid.get(`5[${nameRep}].2`);
  const birth = fromHl7Timestamp(pid.get(7).slice(0, 8));
  const gender = GENDER[pid.get(8).toUpperCase()];
  return { ...ids, ...(family ? { family } : {}), ...(given ? { given } : {}), ...(birth ? { birthDate: birth } : {}), ...(gender ? { gender } : {}) };
}

function pathologistIn(msg: Hl7Message, doc: DocumentObx, issues: Issue[]): Pathologist | undefined {
  // OBX-16 responsible observer (XCN)
  if (doc.seg.get('16.1')) {
    return pathologistOf({ value: doc.seg.get('16.1'), oid: doc.seg.get('16.9.2'), type: doc.seg.get('16.13') }, { family: doc.seg.get('16.2'), given: doc.seg.get('16.3') }, `OBX[${doc.index}]-16`, issues);
  }
  // ANS: PRT after the document OBX, participation SB (author)
  const prt = authorParticipation(msg, doc);
  if (prt?.get('5.1')) {
    return pathologistOf({ value: prt.get('5.1'), oid: prt.get('5.9.2'), type: prt.get('5.13') }, { family: prt.get('5.2'), given: prt.get('5.3') }, 'PRT-5', issues);
  }
  // OBR-32 principal result interpreter (NDL: CNN in subcomponents)
  const obr = msg.segment('OBR')!;
  if (obr.get('32.1.1')) {
    return pathologistOf({ value: obr.get('32.1.1'), oid: obr.get('32.1.10'), type: obr.get('32.1.11') }, { family: obr.get('32.1.2'), given: obr.get('32.1.3') }, 'OBR-32', issues);
  }
  return undefined;
}

/** The PRT segments right after the document OBX (until the next OBX), first one with an author role. */
function authorParticipation(msg: Hl7Message, doc: DocumentObx): Hl7Segment | undefined {
  const all = msg.segments;
  const start = all.indexOf(doc.seg);
  for (let i = start + 1; i < all.length && all[i]!.name !== 'OBX'; i++) {
    const s = all[i]!;
    if (s.name === 'PRT' && AUTHOR_ROLES.has(s.get('4.1').toUpperCase())) return s;
  }
  return undefined;
}

function laboratoryIn(msg: Hl7Message, doc: DocumentObx, issues: Issue[]): Laboratory | undefined {
  const xon = (s: Hl7Segment, f: number, where: string) =>
    laboratoryOf({ value: s.get(`${f}.10`) || s.get(`${f}.3`), oid: s.get(`${f}.6.2`), type: s.get(`${f}.7`) }, s.get(`${f}.1`) || undefined, where, issues);
  if (doc.seg.get('23.10') || doc.seg.get('23.3')) return xon(doc.seg, 23, `OBX[${doc.index}]-23`);
  const prt = authorParticipation(msg, doc);
  if (prt && (prt.get('8.10') || prt.get('8.3'))) return xon(prt, 8, 'PRT-8');
  return undefined;
}

function codingOf(code: string, text: string, systemName: string): Coding | undefined {
  const system = systemOfHl7Name(systemName);
  return code && system ? { system, code, ...(text ? { display: text } : {}) } : undefined;
}

function cweOf(s: Hl7Segment, f: number): CodeOrText | undefined {
  const coding = codingOf(s.get(`${f}.1`), s.get(`${f}.2`), s.get(`${f}.3`));
  const text = s.get(`${f}.2`) || (coding ? '' : s.get(`${f}.1`));
  if (!coding && !text) return undefined;
  return { ...(coding ? { coding } : {}), ...(text ? { text } : {}) };
}

function specimensOf(msg: Hl7Message, scope: Parameters<typeof reportIdentifier>[1], issues: Issue[]): SpecimenInfo[] {
  return msg.segmentsNamed('SPM').flatMap((spm, i) => {
    const filler = spm.get('2.2.1');
    const value = filler || spm.get('2.1.1');
    if (!value) return [];
    const authority = filler ? spm.get('2.2.3') : spm.get('2.1.3');
    const identifier = reportIdentifier(value, { ...scope, authorityOid: authority || undefined }, `SPM[${i + 1}]-2`, issues);
    if (!identifier) return [];
    const type = cweOf(spm, 4);
    const bodySite = cweOf(spm, 8);
    const collected = fromHl7Timestamp(spm.get('17.1'));
    const received = fromHl7Timestamp(spm.get(18));
    return [{ identifier, ...(type ? { type } : {}), ...(bodySite ? { bodySite } : {}), ...(collected ? { collected } : {}), ...(received ? { received } : {}) }];
  });
}

/** Picks the document OBX: a CDA with a structured body, else a CDA, else a PDF; the others are reported. */
function chooseDocument(docs: DocumentObx[], issues: Issue[]): DocumentObx | undefined {
  const chosen = docs.find((d) => d.kind === 'cda') ?? docs[0];
  for (const d of docs) if (d !== chosen) issues.push(warning('CRAP_HL7_EXTRA_DOCUMENT', `OBX[${d.index}] also carries a document (${d.kind}); only OBX[${chosen!.index}] is filed`, `OBX[${d.index}]-5`));
  return chosen;
}

function mergePatients(hl7: PatientIdentity, cda: PatientIdentity, issues: Issue[]): PatientIdentity {
  if (hl7.ins && cda.ins && (hl7.ins.system !== cda.ins.system || hl7.ins.value !== cda.ins.value)) {
    issues.push(error('CRAP_PATIENT_MISMATCH', 'the INS in PID-3 and the INS in the CDA recordTarget differ: the message and its document are not about the same patient', 'PID-3'));
  }
  const keys = new Set(identifierKeys(hl7));
  return { ...cda, ...hl7, ins: hl7.ins ?? cda.ins, ipp: [...hl7.ipp, ...cda.ipp.filter((i) => !keys.has(`${i.system}|${i.value}`))] };
}

/** Reads an ORU^R01 pathology message. */
export function readOru(raw: Buffer, opts: { maxBytes?: number } = {}): { value?: PathologyReport; issues: Issue[] } {
  const parsed = parseHl7(raw, { maxBytes: opts.maxBytes });
  const issues: Issue[] = [...parsed.issues];
  const msg = parsed.message;
  if (!msg || hasErrors(issues)) return { issues };
  const type = messageType(msg);
  if (type.code !== 'ORU' || type.event !== 'R01') {
    issues.push(error('CRAP_HL7_TYPE', `message type ${type.code}^${type.event}: pathology reports are accepted as ORU^R01`, 'MSH-9'));
    return { issues };
  }
  if (!msg.segment('PID')) return { issues: [...issues, error('CRAP_HL7_NO_PID', 'the message has no PID segment: no patient', 'PID')] };
  const obr = msg.segment('OBR');
  if (!obr) return { issues: [...issues, error('CRAP_HL7_NO_OBR', 'the message has no OBR segment: no report', 'OBR')] };
  const doc = chooseDocument(documentsOf(msg), issues);
  if (!doc) {
    return { issues: [...issues, error('CRAP_HL7_NO_DOCUMENT', 'no OBX of type ED carries a PDF or CDA document (OBX-5.3 must be PDF or XML, OBX-5.4 Base64)', 'OBX-5')] };
  }
  const where = `OBX[${doc.index}]-5`;
  const patient = patientOf(msg, issues);
  const pathologist = pathologistIn(msg, doc, issues);
  const laboratory = laboratoryIn(msg, doc, issues);
  const b64 = base64Of(msg, doc, where, issues);
  if (!b64) return { issues };

  let cda: CdaContent | undefined;
  let document: OriginalDocument;
  const title = obr.get('4.2') || doc.seg.get('3.2') || undefined;
  if (doc.kind === 'pdf') {
    if (!looksLikePdf(b64)) return { issues: [...issues, error('CRAP_PDF_CONTENT', 'the document is declared PDF but its content does not start with %PDF-', `${where}.5`)] };
    document = { contentType: 'application/pdf', base64: b64, size: decodedSize(b64), sha1: sha1OfBase64(b64), format: PDF_FORMAT, ...(title ? { title } : {}) };
  } else {
    const read = readCda(Buffer.from(b64, 'base64'), where);
    issues.push(...read.issues);
    if (!read.content) return { issues };
    cda = read.content;
    document = { contentType: 'text/xml', base64: b64, size: decodedSize(b64), sha1: sha1OfBase64(b64), ...(cda.format ? { format: cda.format } : {}), ...(cda.title ?? title ? { title: cda.title ?? title } : {}) };
  }

  const hl7Status = RESULT_STATUS[doc.seg.get(11).toUpperCase()] ?? RESULT_STATUS[obr.get(25).toUpperCase()];
  const effective = fromHl7Timestamp(obr.get('7.1')) ?? fromHl7Timestamp(msg.segment('SPM')?.get('17.1') ?? '');
  const issued = fromHl7Timestamp(obr.get('22.1')) ?? fromHl7Timestamp(doc.seg.get('14.1')) ?? fromHl7Timestamp(msg.get('MSH-7.1'));
  const lab = cda?.laboratory ?? laboratory;
  const scope = { authorityOid: obr.get('3.3') || undefined, laboratory: lab, sender: obr.get('3.2') || msg.get('MSH-4.1') || msg.get('MSH-3.1') || undefined };
  const specimens = cda?.specimens.length ? cda.specimens : specimensOf(msg, { laboratory: lab, sender: scope.sender }, issues);
  const identifier = cda?.identifier ?? reportIdentifier(obr.get('3.1') || obr.get('2.1'), scope, 'OBR-3', issues);
  if (!identifier || hasErrors(issues)) return { issues };
  const code = cda?.code ?? codingOf(obr.get('4.1'), obr.get('4.2'), obr.get('4.3')) ?? (doc.seg.get('3.3') === 'LN' ? { system: LOINC, code: doc.seg.get('3.1'), display: doc.seg.get('3.2') } : REPORT_CODES.study);
  const finalPatient = cda ? mergePatients(patient, cda.patient, issues) : patient;
  if (hasErrors(issues)) return { issues };
  const pathologistOut = cda?.pathologist ?? pathologist;
  const effectiveOut = cda?.effective ?? effective;
  const issuedOut = cda?.issued ?? issued;
  const titleOut = cda?.title ?? title;
  return {
    value: {
      form: 'hl7v2-oru',
      variant: cda ? `HL7v2 ORU^R01 + ${cda.variant}` : 'HL7v2 ORU^R01 + PDF',
      identifier,
      ...(cda?.documentId ? { documentId: cda.documentId } : {}),
      ...(cda?.version !== undefined ? { version: cda.version } : {}),
      status: hl7Status && hl7Status !== 'final' ? hl7Status : (cda?.status ?? hl7Status ?? 'final'),
      code,
      ...(titleOut ? { title: titleOut } : {}),
      ...(effectiveOut ? { effective: effectiveOut } : {}),
      ...(issuedOut ? { issued: issuedOut } : {}),
      ...(cda?.conclusion ? { conclusion: cda.conclusion } : {}),
      patient: finalPatient,
      ...(pathologistOut ? { pathologist: pathologistOut } : {}),
      ...(lab ? { laboratory: lab } : {}),
      specimens,
      observations: cda?.observations ?? [],
      document,
    },
    issues,
  };
}
