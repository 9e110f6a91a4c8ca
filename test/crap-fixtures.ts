/**
 * The derived pathology-report fixtures (fixtures/crap/): ORU^R01 messages carrying a PDF or a CDA, the second CDA
 * they carry, and the PDF + sidecar envelopes the sftp source builds. Built from the source fixtures so that the
 * Base64 always matches them; `test/crap-fixtures.test.ts` checks the committed files are up to date
 * (`UPDATE_CRAP_FIXTURES=1` rewrites them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './helpers.js';

export const crapDir = path.join(repoRoot, 'fixtures/crap');
export const crapFile = (name: string) => path.join(crapDir, name);

/** One HL7 segment from its fields (index 1 = first field after the name); MSH fields start at MSH-3. */
function segment(name: string, fields: Record<number, string>): string {
  const last = Math.max(0, ...Object.keys(fields).map(Number));
  const out = [name];
  for (let i = 1; i <= last; i++) out.push(fields[i] ?? '');
  return out.join('|');
}

const MSH = (controlId: string, sender: string, time: string) => `MSH|^~\\&|${sender}|RELAIS|DCC-RRC|${time}||ORU^R01^ORU_R01|${controlId}|P|2.5|||||FRA|UNICODE UTF-8|||2.1^CISIS_CDA_HL7_V2`;

/** ORU^R01 + PDF (OBX-16 responsible observer, OBX-23 performing organisation, SPM specimen). */
export function oruPdf(pdf: Buffer): string {
  return [
    MSH('A26009921-1', 'DIAMIC|CABINET-PARC^1.2.250.1.999.4.1^ISO', '20261104101500+0100'),
    segment('PID', {
      3: '165057505608935^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS~8800123^^^CH-NORD&1.2.250.1.999.2.3&ISO^PI',
      5: 'BERNARD^MICHEL^^^^^L',
      7: '19650521',
      8: 'M',
      32: 'VALI',
    }),
    segment('PV1', { 1: '1', 2: 'O' }),
    segment('ORC', { 1: 'SC', 2: 'DEM-2026-7790^CH-NORD', 3: 'A26-009921^CABINET-PARC^1.2.250.1.999.4.2^ISO' }),
    segment('OBR', {
      1: '1',
      2: 'DEM-2026-7790^CH-NORD',
      3: 'A26-009921^CABINET-PARC^1.2.250.1.999.4.2^ISO',
      4: "11526-1^Compte rendu d'anatomie et de cytologie pathologiques^LN",
      7: '202611030830+0100',
      22: '202611041010+0100',
      25: 'F',
    }),
    segment('OBX', {
      1: '1',
      2: 'ED',
      3: "11526-1^Compte rendu d'anatomie et de cytologie pathologiques^LN",
      5: `^AP^PDF^Base64^${pdf.toString('base64')}`,
      11: 'F',
      14: '202611041010+0100',
      16: '810003456789^LEMAIRE^ANNE^^^^^^ASIP-SANTE-PS&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS',
      23: 'Cabinet de pathologie du Parc^^^^^ASIP-SANTE-ST&1.2.250.1.71.4.2.2&ISO^FINEG^^^1750012343',
    }),
    segment('SPM', {
      1: '1',
      2: '^S26-009921-1&CABINET-PARC&1.2.250.1.999.4.3&ISO',
      4: 'TISS^Tissu^HL70487',
      8: "^Prostate, biopsies systématisées",
      17: '202611030830+0100',
      18: '202611031400+0100',
    }),
  ].join('\r') + '\r';
}

/** The CDA carried by `oru-cda.hl7`: the CR-ACP fixture for another patient and report (same laboratory). */
export function embeddedCda(source: string): string {
  return source
    .replace('Fictional CR-ACP', 'Fictional CR-ACP carried in an ORU^R01 (second patient)')
    .replaceAll('CRACP-2026-118734', 'CRACP-2026-120055')
    .replaceAll('B26-118734-A', 'B26-120055-A')
    .replace('258066912304592', '277069201203339')
    .replace('IPP-0045871', 'IPP-0051230')
    .replace('<given qualifier="BR">MARIE</given>', '<given qualifier="BR">CHANTAL</given>')
    .replace('<family qualifier="BR">DURAND</family>', '<family qualifier="BR">MOREL</family>')
    .replace('<family qualifier="SP">LEROY</family>', '<family qualifier="SP">BLANC</family>')
    .replace('<birthTime value="19580614"/>', '<birthTime value="19770618"/>');
}

/** ORU^R01 + CDA as the ANS volet sends it: PRT SB author with its organisation, MetaDMPMSS flags. */
export function oruCda(cda: Buffer): string {
  return [
    MSH('CRACP2026120055-1', 'DIAMIC|BROTTEAUX^1.2.250.1.999.1.1^ISO', '20261119163500+0100'),
    segment('PID', {
      3: '277069201203339^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS^^20101207~IPP-0051230^^^CH-LYON&1.2.250.1.999.2.1&ISO^PI',
      5: 'MOREL^CHANTAL^^^^^L~BLANC^CHANTAL^^^^^D',
      7: '19770618',
      8: 'F',
      32: 'VALI',
    }),
    segment('PV1', { 1: '1', 2: 'I', 3: 'CHIR-DIG' }),
    segment('ORC', { 1: 'SC', 2: 'DEM-2026-8120^CH-LYON', 3: 'B26-120055^BROTTEAUX' }),
    segment('OBR', { 1: '1', 2: 'DEM-2026-8120^CH-LYON', 3: 'B26-120055^BROTTEAUX', 4: "60568-3^CR d'anatomie et de cytologie pathologiques^LN", 25: 'F' }),
    segment('OBX', { 1: '1', 2: 'ED', 3: "60568-3^CR d'anatomie et de cytologie pathologiques^LN", 5: `^TEXT^XML^Base64^${cda.toString('base64')}`, 11: 'F' }),
    segment('PRT', {
      2: 'UC',
      4: 'SB^^participation',
      5: '810101234567^FONTAINE^Claire^^^^^^ASIP-SANTE-PS&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS',
      8: "Cabinet d'anatomie et cytologie pathologiques des Brotteaux^^^^^ASIP-SANTE-ST&1.2.250.1.71.4.2.2&ISO^FINEG^^^1690012345",
    }),
    segment('OBX', { 1: '2', 2: 'CE', 3: 'MASQUE_PS^Masqué aux professionnels de Santé^MetaDMPMSS', 5: 'N^^expandedYes-NoIndicator', 11: 'F' }),
    segment('OBX', { 1: '3', 2: 'CE', 3: 'DESTDMP^Destinataire DMP^MetaDMPMSS', 5: 'Y^^expandedYes-NoIndicator', 11: 'F' }),
  ].join('\r') + '\r';
}

/** The envelope the sftp source delivers for a PDF and its sidecar (`application/vnd.relais.sidecar+json`). */
export function envelope(pdfName: string, pdf: Buffer, sidecarName: string, sidecar: string): string {
  return JSON.stringify({
    document: { name: pdfName, contentType: 'application/pdf', base64: pdf.toString('base64') },
    sidecar: { name: sidecarName, contentType: sidecarName.endsWith('.xml') ? 'application/xml' : 'application/json', text: sidecar },
  });
}

/** Every derived fixture: relative path → content. */
export function derivedFixtures(): Record<string, string> {
  const read = (p: string) => fs.readFileSync(crapFile(p));
  const cda2 = embeddedCda(read('cr-acp-colon.xml').toString('utf8'));
  return {
    'oru-pdf.hl7': oruPdf(read('pdf/A26-009921.pdf')),
    'oru-cda-embedded.xml': cda2,
    'oru-cda.hl7': oruCda(Buffer.from(cda2, 'utf8')),
    'envelopes/P26-004412.json-sidecar.json': envelope('P26-004412.pdf', read('sidecar/P26-004412.pdf'), 'P26-004412.json', read('sidecar/P26-004412.json').toString('utf8')),
    'envelopes/G26-000731.xml-sidecar.json': envelope('G26-000731.pdf', read('sidecar/G26-000731.pdf'), 'G26-000731.xml', read('sidecar/G26-000731.xml').toString('utf8')),
  };
}
