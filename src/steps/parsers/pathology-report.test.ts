import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseHl7 } from '../../formats/hl7v2/index.js';
import type { PathologyReport } from '../../formats/pathology-report/index.js';
import { pathologyReportParser } from './pathology-report.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
const fixture = (name: string) => fs.readFileSync(path.join(root, 'fixtures/crap', name));
const ansOru = path.join(root, '../shared/ans/hl7v2-exemples/Vague 2/Trans_Doc-CDA-HL7V2/TRANSMISSION_DOCS_CDA_EN_HL7V2_V2.1/ORU/Transmission initiale ORU/message_ORU_CR_Bio_INIT_N3_SEGUR.hl7');
const options = pathologyReportParser.options.parse({});
const parse = (raw: Buffer | string) => pathologyReportParser.parse(Buffer.isBuffer(raw) ? raw : Buffer.from(raw), options);
const codes = (issues: { code: string }[]) => issues.map((i) => i.code);

function ok(raw: Buffer | string): PathologyReport {
  const r = parse(raw);
  expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
  expect(r.value).toBeDefined();
  // the intermediate is plain JSON: it is stored as the parsed snapshot
  expect(JSON.parse(JSON.stringify(r.value))).toEqual(r.value);
  return r.value!;
}

describe('pathology-report parser: CDA R2', () => {
  it('reads a CR-ACP (APSR 2.0) with its structured entries', () => {
    const raw = fixture('cr-acp-colon.xml');
    const r = parse(raw);
    expect(r.issues).toEqual([]);
    const v = ok(raw);
    expect(v).toMatchObject({
      form: 'cda',
      variant: 'CDA CR-ACP (APSR 2.0)',
      identifier: { system: 'urn:oid:1.2.250.1.999.1.1.7', value: 'CRACP-2026-118734' },
      documentId: { system: 'urn:oid:1.2.250.1.999.1.1.7', value: 'CRACP-2026-118734-V1' },
      version: 1,
      status: 'final',
      code: { system: 'http://loinc.org', code: '60568-3' },
      effective: '2026-11-17T09:30:00+01:00',
      issued: '2026-11-19T16:25:00+01:00',
      patient: {
        ins: { system: 'urn:oid:1.2.250.1.213.1.4.8', value: '258066912304592' },
        ipp: [{ system: 'urn:oid:1.2.250.1.999.2.1', value: 'IPP-0045871' }],
        family: 'DURAND',
        given: 'MARIE',
        birthDate: '1958-06-14',
        gender: 'female',
      },
      pathologist: { idNatPs: '810101234567', rpps: '10101234567', family: 'FONTAINE', given: 'Claire' },
      laboratory: { idNatSt: '1690012345', finess: '690012345', name: "Cabinet d'anatomie et cytologie pathologiques des Brotteaux" },
      specimens: [
        {
          identifier: { system: 'urn:oid:1.2.250.1.999.1.1.8', value: 'B26-118734-A' },
          type: { text: 'Pièce de colectomie gauche' },
          collected: '2026-11-17T09:30:00+01:00',
          received: '2026-11-17T14:30:00+01:00',
          bodySite: { coding: { system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: 'C18.7' } },
        },
      ],
    });
    expect(v.conclusion).toBe('Adénocarcinome lieberkühnien bien différencié du côlon sigmoïde.\npT3 pN1b (2/18) — UICC 8e édition. Exérèse complète (R0).');
    expect(v.document).toEqual({
      contentType: 'text/xml',
      base64: raw.toString('base64'),
      size: raw.length,
      sha1: expect.stringMatching(/^[A-Za-z0-9+/]{27}=$/),
      format: { system: 'urn:oid:1.3.6.1.4.1.19376.1.2.3', code: 'urn:ihe:palm:apsr:2016', display: 'APSR 2.0' },
      title: "Compte rendu d'anatomie et de cytologie pathologiques",
    });
    const byKey = Object.fromEntries(v.observations.map((o) => [o.key, o]));
    expect(Object.keys(byKey)).toEqual(['33725-3', '21889-1', '84882-0', '44648-4', '84885-3', 'MED-852', '21894-1', '21893-3', '59541-3', '21899-0', '21900-6', '21902-2', '31210-8']);
    // tumour site and morphology in ICD-O-3, on the specimen
    expect(byKey['33725-3']).toMatchObject({ value: { kind: 'codeable', coding: { system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: 'C18.7' } }, specimens: [{ value: 'B26-118734-A' }], sourceId: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:0c1d8b52-7a9e-4b37-9f55-0a4e6d1b2d01' } });
    expect(byKey['84882-0']?.value).toEqual({ kind: 'codeable', coding: { system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: '8140/3', display: 'Adénocarcinome, SAI' } });
    expect(byKey['21889-1']?.value).toEqual({ kind: 'quantity', value: 4.2, unit: 'cm' });
    expect(byKey['21894-1']?.value).toEqual({ kind: 'integer', value: 18 });
    // margins: a coded value that only has its original text
    expect(byKey['84885-3']?.value).toEqual({ kind: 'codeable', text: 'Non envahie (distance minimale 12 mm)' });
    // pTNM: the stage groups its classification, pT and pN; pN keeps both its TA_ASIP code and its text
    expect(byKey['21902-2']).toMatchObject({ value: { kind: 'codeable', text: 'Stade IIIB' }, members: ['59541-3', '21899-0', '21900-6'] });
    expect(byKey['21899-0']?.value).toEqual({ kind: 'codeable', text: 'pT3' });
    expect(byKey['21900-6']?.value).toEqual({ kind: 'codeable', coding: { system: 'urn:oid:1.2.250.1.213.1.1.4.322', code: 'MED-798', display: 'Métastases dans 2 ou 3 ganglions lymphatiques régionaux' }, text: 'pN1b' });
  });

  it('reads an APSR 1 report: namespace prefixes, another xsi prefix, text values, an aborted entry', () => {
    const v = ok(fixture('apsr1-breast.xml'));
    expect(v).toMatchObject({
      form: 'cda',
      variant: 'CDA APSR 1',
      identifier: { system: 'urn:oid:1.2.250.1.999.3.1', value: 'APSR1-2026-55012' },
      code: { code: '11526-1' },
      issued: '2026-11-02T10:15:00+01:00', // no offset in the document: Paris time
      pathologist: { rpps: '10107654321' },
      laboratory: { finess: '330012347' },
      specimens: [],
    });
    expect(v.observations.map((o) => [o.key, o.status, o.value?.kind])).toEqual([
      ['33725-3', 'final', 'codeable'],
      ['84882-0', 'final', 'codeable'],
      ['44648-4', 'final', 'string'],
      ['16112-5', 'cancelled', undefined],
    ]);
    expect(v.conclusion).toBe('Carcinome infiltrant de type non spécifique (canalaire), grade SBR II.\nRécepteurs hormonaux en cours.');
    expect(v.document.format).toBeUndefined();
  });

  it('refuses a CDA with a DOCTYPE (external entity) before parsing it', () => {
    const r = parse(fixture('broken/cda-doctype.xml'));
    expect(r.value).toBeUndefined();
    expect(r.issues).toEqual([expect.objectContaining({ severity: 'error', code: 'XML_EXTERNAL_ENTITY', path: 'CDA line 9' })]);
    const internal = fixture('cr-acp-colon.xml').toString('utf8').replace('<ClinicalDocument xmlns=', '<!DOCTYPE ClinicalDocument [<!ENTITY a "aaaa">]>\n<ClinicalDocument xmlns=');
    expect(codes(parse(internal).issues)).toEqual(['XML_DOCTYPE']);
  });

  it('a CDA that is not a pathology report, or not well-formed, is refused with a clear issue', () => {
    const bio = fs.readFileSync(path.join(root, '../shared/ans/cda/ExemplesCDA/BIO-CR-BIO_2024.01_TSH_1.xml'));
    const r = parse(bio);
    expect(codes(r.issues)).toEqual(['CRAP_CDA_NOT_PATHOLOGY']);
    expect(r.issues[0]!.message).toMatch(/expected templateId 1\.2\.250\.1\.213\.1\.1\.1\.57/);
    const broken = fixture('cr-acp-colon.xml').toString('utf8').replace('</recordTarget>', '');
    expect(codes(parse(broken).issues)).toEqual(['CRAP_CDA_XML']);
  });

  it('a wrong NIR key rejects; an INS-less CDA is still filed by its IPP; no identifier at all is refused', () => {
    const cda = fixture('cr-acp-colon.xml').toString('utf8');
    expect(codes(parse(cda.replace('258066912304592', '258066912304591')).issues)).toEqual(['NIR_KEY']);
    const ippOnly = ok(cda.replace('<id root="1.2.250.1.213.1.4.8" extension="258066912304592"/>', ''));
    expect(ippOnly.patient).toMatchObject({ ipp: [{ value: 'IPP-0045871' }] });
    expect(ippOnly.patient.ins).toBeUndefined();
    const none = cda.replace('<id root="1.2.250.1.213.1.4.8" extension="258066912304592"/>', '').replace('<id root="1.2.250.1.999.2.1" extension="IPP-0045871"/>', '');
    expect(codes(parse(none).issues)).toEqual(['CRAP_NO_PATIENT_ID']);
  });

  it('a new version (versionNumber 2, relatedDocument RPLC) is a correction of the same report', () => {
    const v2 = fixture('cr-acp-colon.xml').toString('utf8').replace('<versionNumber value="1"/>', '<versionNumber value="2"/>').replace('CRACP-2026-118734-V1', 'CRACP-2026-118734-V2');
    expect(ok(v2)).toMatchObject({ status: 'corrected', version: 2, identifier: { value: 'CRACP-2026-118734' }, documentId: { value: 'CRACP-2026-118734-V2' } });
  });
});

describe('pathology-report parser: HL7v2 ORU^R01', () => {
  it('reads an ORU with a PDF: the Base64 is taken as sent, identity, performer, specimen, dates', () => {
    const raw = fixture('oru-pdf.hl7');
    const r = parse(raw);
    expect(r.issues).toEqual([]);
    const v = ok(raw);
    const pdf = fixture('pdf/A26-009921.pdf');
    expect(v).toMatchObject({
      form: 'hl7v2-oru',
      variant: 'HL7v2 ORU^R01 + PDF',
      identifier: { system: 'urn:oid:1.2.250.1.999.4.2', value: 'A26-009921' },
      status: 'final',
      code: { system: 'http://loinc.org', code: '11526-1' },
      effective: '2026-11-03T08:30:00+01:00',
      issued: '2026-11-04T10:10:00+01:00',
      patient: { ins: { value: '165057505608935' }, ipp: [{ system: 'urn:oid:1.2.250.1.999.2.3', value: '8800123' }], family: 'BERNARD', given: 'MICHEL', birthDate: '1965-05-21', gender: 'male' },
      pathologist: { idNatPs: '810003456789', rpps: '10003456789', family: 'LEMAIRE' },
      laboratory: { idNatSt: '1750012343', finess: '750012343', name: 'Cabinet de pathologie du Parc' },
      specimens: [{ identifier: { system: 'urn:oid:1.2.250.1.999.4.3', value: 'S26-009921-1' }, collected: '2026-11-03T08:30:00+01:00', received: '2026-11-03T14:00:00+01:00', bodySite: { text: 'Prostate, biopsies systématisées' } }],
      observations: [],
    });
    expect(v.document).toMatchObject({ contentType: 'application/pdf', size: pdf.length, format: { code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient' } });
    expect(v.document.base64).toBe(pdf.toString('base64'));
  });

  it('a large PDF (8 MiB) in an ORU is read whole: size, hash and the Base64 as sent', async () => {
    const { oruPdf } = await import('../../../test/crap-fixtures.js');
    const pdf = Buffer.concat([fixture('pdf/A26-009921.pdf'), Buffer.alloc(8 * 1024 * 1024, 0x20)]);
    const v = ok(oruPdf(pdf));
    expect(v.document.size).toBe(pdf.length);
    expect(v.document.base64).toBe(pdf.toString('base64'));
    expect(v.document.sha1).toBe(createHash('sha1').update(pdf).digest('base64'));
  });

  it('OBX-11 C / D / P give corrected / entered-in-error / preliminary', () => {
    const text = fixture('oru-pdf.hl7').toString('utf8');
    const withStatus = (s: string) => {
      const m = parseHl7(text).message!;
      m.set('OBX-11', s);
      return m.toString();
    };
    expect(ok(withStatus('C')).status).toBe('corrected');
    expect(ok(withStatus('D')).status).toBe('entered-in-error');
    expect(ok(withStatus('P')).status).toBe('preliminary');
  });

  it('reads an ORU with a CDA as the ANS volet sends it (PRT author, MetaDMPMSS OBX ignored)', () => {
    const v = ok(fixture('oru-cda.hl7'));
    expect(v).toMatchObject({
      form: 'hl7v2-oru',
      variant: 'HL7v2 ORU^R01 + CDA CR-ACP (APSR 2.0)',
      identifier: { value: 'CRACP-2026-120055' },
      patient: { ins: { value: '277069201203339' }, ipp: [{ value: 'IPP-0051230' }], family: 'MOREL' },
      pathologist: { rpps: '10101234567' },
      laboratory: { finess: '690012345' },
      specimens: [{ identifier: { value: 'B26-120055-A' } }],
    });
    expect(v.observations).toHaveLength(13);
    expect(v.document.contentType).toBe('text/xml');
    expect(Buffer.from(v.document.base64, 'base64').toString('utf8')).toBe(fixture('oru-cda-embedded.xml').toString('utf8'));
  });

  it('the ANS example ORU (CR-BIO CDA) is read and refused as not a pathology report', () => {
    const r = parse(fs.readFileSync(ansOru));
    expect(codes(r.issues.filter((i) => i.severity === 'error'))).toEqual(['CRAP_CDA_NOT_PATHOLOGY']);
    expect(r.issues.find((i) => i.code === 'CRAP_CDA_NOT_PATHOLOGY')).toMatchObject({ path: 'OBX[1]-5', message: expect.stringContaining('code 11502-2') });
  });

  it('the ANS example ORU carrying a CR-ACP: identity checked against the CDA, filed once the PID agrees', () => {
    const cda = fixture('cr-acp-colon.xml');
    const msg = parseHl7(fs.readFileSync(ansOru)).message!;
    msg.setRaw('OBX[1]-5.5', cda.toString('base64'));
    // PID says PAT-TROIS (another INS): the message and its document disagree
    const mismatch = parse(msg.toString());
    expect(codes(mismatch.issues.filter((i) => i.severity === 'error'))).toEqual(['CRAP_PATIENT_MISMATCH']);
    msg.set('PID-3[1].1', '258066912304592');
    msg.set('PID-3[1].4.2', '1.2.250.1.213.1.4.8');
    const r = parse(msg.toString());
    expect(codes(r.issues)).toEqual(['HL7_SEGMENT_TERMINATOR', 'HL7_TRAILING_EMPTY_FIELDS']); // the ANS file ends segments with LF
    expect(r.value).toMatchObject({ variant: 'HL7v2 ORU^R01 + CDA CR-ACP (APSR 2.0)', identifier: { value: 'CRACP-2026-118734' }, patient: { ins: { value: '258066912304592' } } });
    expect(r.value!.document.base64).toBe(cda.toString('base64'));
  });

  it('broken messages: no patient identifier, corrupt Base64, a PDF that is not one, no document, not an ORU', () => {
    expect(codes(parse(fixture('broken/oru-no-patient-id.hl7')).issues)).toEqual(['CRAP_NO_PATIENT_ID']);
    expect(parse(fixture('broken/oru-corrupt-base64.hl7')).issues).toEqual([expect.objectContaining({ code: 'CRAP_BASE64', path: 'OBX[1]-5.5' })]);
    const text = fixture('oru-pdf.hl7').toString('utf8');
    const m = parseHl7(text).message!;
    m.setRaw('OBX-5.5', Buffer.from('<html>not a pdf</html>').toString('base64'));
    expect(codes(parse(m.toString()).issues)).toEqual(['CRAP_PDF_CONTENT']);
    m.set('OBX-2', 'TX');
    expect(codes(parse(m.toString()).issues)).toEqual(['CRAP_HL7_NO_DOCUMENT']);
    expect(codes(parse(text.replace('ORU^R01^ORU_R01', 'ADT^A01^ADT_A01')).issues)).toEqual(['CRAP_HL7_TYPE']);
  });

  it('an unqualified identity does not use its INS: the IPP remains', () => {
    const m = parseHl7(fixture('oru-pdf.hl7')).message!;
    m.set('PID-32', 'PROV');
    const r = parse(m.toString());
    expect(codes(r.issues)).toEqual(['CRAP_INS_NOT_QUALIFIED']);
    expect(r.value?.patient).toMatchObject({ ipp: [{ value: '8800123' }] });
    expect(r.value?.patient.ins).toBeUndefined();
  });
});

describe('pathology-report parser: PDF + sidecar envelope', () => {
  it('reads a PDF with its JSON sidecar', () => {
    const v = ok(fixture('envelopes/P26-004412.json-sidecar.json'));
    expect(v).toMatchObject({
      form: 'pdf-sidecar',
      variant: 'PDF + JSON sidecar',
      identifier: { system: 'urn:relais:crap:finess:130045671', value: 'P26-004412' },
      status: 'final',
      code: { code: '11526-1' },
      effective: '2026-11-05T10:20:00+01:00',
      issued: '2026-11-08T11:42:00+01:00',
      patient: { ins: { value: '149021305504495' }, ipp: [{ system: 'urn:oid:1.2.250.1.999.2.4', value: '00451290' }], family: 'PETIT', given: 'Jacques André', birthDate: '1949-02-14', gender: 'male' },
      pathologist: { idNatPs: '810009876543', rpps: '10009876543' },
      laboratory: { finess: '130045671', idNatSt: '1130045671' },
      specimens: [{ identifier: { system: 'urn:relais:crap:finess:130045671', value: 'P26-004412-A' }, type: { text: 'Pièce de lobectomie supérieure droite' }, received: '2026-11-05T16:05:00+01:00' }],
    });
    expect(v.document).toMatchObject({ contentType: 'application/pdf', fileName: 'P26-004412.pdf', base64: fixture('sidecar/P26-004412.pdf').toString('base64') });
  });

  it('reads a PDF with its XML sidecar (namespace, repeated prelevement, numbering OID)', () => {
    const v = ok(fixture('envelopes/G26-000731.xml-sidecar.json'));
    expect(v).toMatchObject({
      variant: 'PDF + XML sidecar',
      identifier: { system: 'urn:oid:1.2.250.1.999.5.1', value: 'G26-000731' },
      effective: '2026-11-07',
      patient: { ins: { value: '282103155507811' }, given: 'Hélène' },
      specimens: [{ identifier: { value: 'G26-000731-1' }, collected: '2026-11-07' }],
    });
  });

  const envelope = (sidecar: unknown, name = 'x.json', pdf: Buffer = fixture('sidecar/P26-004412.pdf')) =>
    JSON.stringify({ document: { name: 'x.pdf', contentType: 'application/pdf', base64: pdf.toString('base64') }, sidecar: { name, text: typeof sidecar === 'string' ? sidecar : JSON.stringify(sidecar) } });
  const base = () => JSON.parse(fixture('sidecar/P26-004412.json').toString('utf8')) as Record<string, Record<string, unknown>>;

  it('sidecar problems are named by field', () => {
    const noLab = base();
    delete noLab.laboratoire;
    expect(parse(envelope(noLab)).issues).toEqual([expect.objectContaining({ code: 'CRAP_SIDECAR_FIELD', path: 'sidecar x.json laboratoire' })]);
    const badDate = base();
    badDate.compte_rendu!.date_validation = '08/11/2026';
    expect(parse(envelope(badDate)).issues).toEqual([expect.objectContaining({ code: 'CRAP_SIDECAR_FIELD', path: 'sidecar x.json compte_rendu.date_validation' })]);
    const extra = base();
    extra.patient!.couleur = 'bleu';
    expect(codes(parse(envelope(extra)).issues)).toEqual(['CRAP_SIDECAR_FIELD']);
    expect(codes(parse(envelope('{not json')).issues)).toEqual(['CRAP_SIDECAR_JSON']);
    expect(codes(parse(envelope('<?xml version="1.0"?><!DOCTYPE x SYSTEM "http://evil/x.dtd"><metadonnees_crap/>', 'x.xml')).issues)).toEqual(['XML_EXTERNAL_ENTITY']);
    expect(codes(parse(envelope('<autre/>', 'x.xml')).issues)).toEqual(['CRAP_SIDECAR_XML']);
  });

  it('identity rules: INS without a qualified status is not used; no identifier is refused', () => {
    const s = base();
    delete s.patient!.statut_identite;
    const r = parse(envelope(s));
    expect(codes(r.issues)).toEqual(['CRAP_INS_NOT_QUALIFIED']);
    expect(r.value?.patient.ins).toBeUndefined();
    delete s.patient!.ipp;
    expect(codes(parse(envelope(s)).issues)).toEqual(['CRAP_INS_NOT_QUALIFIED', 'CRAP_NO_PATIENT_ID']);
  });

  it('the document must be a PDF in valid Base64; the envelope must be well-formed', () => {
    expect(codes(parse(envelope(base(), 'x.json', Buffer.from('GIF89a…'))).issues)).toEqual(['CRAP_PDF_CONTENT']);
    expect(codes(parse(JSON.stringify({ document: { name: 'x.pdf', base64: '%%%' }, sidecar: { name: 'x.json', text: JSON.stringify(base()) } })).issues)).toEqual(['CRAP_BASE64']);
    expect(codes(parse('{"document": {}}').issues)).toEqual(['CRAP_SIDECAR_ENVELOPE']);
  });
});

describe('pathology-report parser: recognition', () => {
  it('unknown content, a bare PDF, an empty input, an oversized input', () => {
    const unknown = parse(fixture('broken/unknown-form.txt'));
    expect(codes(unknown.issues)).toEqual(['CRAP_UNKNOWN_FORM']);
    expect(unknown.issues[0]!.message).not.toContain('DUPONT'); // the content is never quoted
    expect(parse(fixture('pdf/A26-009921.pdf')).issues[0]!.message).toMatch(/a PDF alone cannot be filed: it needs its sidecar/);
    expect(parse('').issues[0]!.message).toMatch(/empty/);
    expect(codes(pathologyReportParser.parse(Buffer.alloc(4096, 0x20), { maxBytes: 2048 }).issues)).toEqual(['CRAP_TOO_LARGE']);
  });

  it('a BOM before a CDA, blank lines before an MSH do not hide the form', () => {
    const cda = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fixture('apsr1-breast.xml')]);
    expect(ok(cda).variant).toBe('CDA APSR 1');
    const hl7 = Buffer.concat([Buffer.from('\r\n'), fixture('oru-pdf.hl7')]);
    expect(ok(hl7).variant).toBe('HL7v2 ORU^R01 + PDF');
  });
});
