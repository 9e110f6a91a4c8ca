/**
 * Oracle 2: every ANS HL7v2 example message (/work/shared/ans/hl7v2-exemples, recursive) parses without error
 * and round-trips byte for byte, both from the kept input bytes and from the re-joined text model.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasErrors } from '../../engine/issues.js';
import { encodeText } from './charset.js';
import { parseHl7 } from './parse.js';
import { extractEncapsulatedData } from './payload.js';
import { serializeHl7 } from './serialize.js';

const root = fileURLToPath(new URL('../../../../shared/ans/hl7v2-exemples/', import.meta.url));

/** Message files: .er7 / .hl7 / .txt, and extension-less files that are not a readme. */
function messageFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return messageFiles(full);
    if (/\.(er7|hl7|txt)$/i.test(e.name)) return [full];
    if (!e.name.includes('.') && !/^readme/i.test(e.name)) return [full];
    return [];
  });
}

const files = messageFiles(root);
const rel = (f: string) => path.relative(root, f);

describe('ANS HL7v2 examples', () => {
  it('finds the corpus', () => {
    expect(files.length).toBe(65); // 45 .er7, 14 .hl7, 6 extension-less "Message metier ..." files
  });

  for (const file of files) {
    it(`${rel(file)}: parses, warns about its defects, round-trips`, () => {
      const bytes = readFileSync(file);
      const { message, issues } = parseHl7(bytes);
      expect(hasErrors(issues), JSON.stringify(issues)).toBe(false);
      const msg = message!;
      expect(msg.segments[0]!.name).toBe('MSH');
      // every corpus file ends its segments with LF: a defect that must be reported
      expect(issues.map((i) => i.code)).toContain('HL7_SEGMENT_TERMINATOR');
      expect(serializeHl7(msg).equals(bytes)).toBe(true);

      // the text model: touch every field of every segment, then serialise through the re-joined text
      for (const seg of msg.segments) {
        for (let f = seg.name === 'MSH' ? 3 : 1; f <= seg.fieldCount; f++) seg.setField(f, seg.getField(f));
      }
      expect(msg.modified).toBe(true);
      expect(encodeText(msg.toString(), msg.encoding).equals(bytes)).toBe(true);
      expect(serializeHl7(msg).equals(bytes)).toBe(true);
    });
  }

  it('decodes UTF-8 accents (MSH-18 UNICODE UTF-8)', () => {
    const f = path.join(root, 'Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Transmission initiale ORU/message_ORU_CR_Bio_INIT_N1_N3.hl7');
    const { message } = parseHl7(readFileSync(f));
    expect(message!.encoding).toBe('utf8');
    expect(message!.get('OBX[3]-3.2')).toBe('Masqué aux professionnels de Santé');
  });

  it('decodes Latin-1 accents when the same message is sent in 8859/1 bytes', () => {
    const f = path.join(root, 'Volets/TRANS_DOC_CDA_HL7V2/V2.1/ORU/Transmission initiale ORU/message_ORU_CR_Bio_INIT_N1_N3.hl7');
    const latin1 = encodeText(readFileSync(f, 'utf8').replace('UNICODE UTF-8', '8859/1'), 'iso-8859-1');
    expect(latin1.includes(Buffer.from([0x4d, 0x61, 0x73, 0x71, 0x75, 0xe9]))).toBe(true); // "Masqu" + 0xE9
    const { message, issues } = parseHl7(latin1);
    expect(hasErrors(issues)).toBe(false);
    expect(message!.encoding).toBe('iso-8859-1');
    expect(message!.get('OBX[3]-3.2')).toBe('Masqué aux professionnels de Santé');
    expect(serializeHl7(message!).equals(latin1)).toBe(true);
  });

  it('reads MSH-2 written with U+02DC and the repetitions that use it', () => {
    const f = path.join(root, 'Volets/TRANS_DOC_CDA_HL7V2/V2.0/ORU/Transmission initiale ORU/message_ORU_CR_Bio_INIT_N1_N3.hl7');
    const bytes = readFileSync(f);
    const { message, issues } = parseHl7(bytes);
    expect(issues.map((i) => i.code)).toContain('HL7_MSH2_SMALL_TILDE');
    expect(message!.get('MSH-2')).toBe('^\u02dc\\&');
    expect(message!.delimiters.repetition).toBe('\u02dc');
    expect(message!.get('PID-11[2].7')).toBe('BDL');
    expect(message!.get('PID-5.1')).toBe('NESSI');
  });

  it('reports a missing final terminator and blank lines', () => {
    const sortie = parseHl7(readFileSync(path.join(root, 'SGL/sortie.er7')));
    expect(sortie.issues.map((i) => i.code)).toContain('HL7_NO_FINAL_TERMINATOR');
    const consent = parseHl7(readFileSync(path.join(root, 'Vague 2/Consentement_DMP_PAMFR/ConsentementConsultation_NonOppositionAlimentation.er7')));
    expect(consent.issues.map((i) => i.code)).toContain('HL7_BLANK_LINES');
  });

  it('extracts the Base64 CDA of an MDM', () => {
    const dir = path.join(root, 'Volets/TRANS_DOC_CDA_HL7V2/V2.0/MDM/Transmission initiale MDM');
    const { message } = parseHl7(readFileSync(path.join(dir, 'message_MDM_CR_Radio_INIT_N1_Base64.er7')));
    const { payload, issues } = extractEncapsulatedData(message!, 'OBX-5');
    expect(issues).toEqual([]);
    expect(payload?.kind).toBe('ED');
    if (payload?.kind !== 'ED') return;
    expect([payload.typeOfData, payload.dataSubtype, payload.encoding]).toEqual(['text', 'XML', 'Base64']);
    const xml = payload.data.toString('utf8');
    expect(xml.startsWith('<ClinicalDocument')).toBe(true);
    expect(xml.trimEnd().endsWith('</ClinicalDocument>')).toBe(true);
    expect(xml).toContain(readFileSync(path.join(dir, 'CR_Radio_CDAN1_v1.XML'), 'utf8').slice(-200).trim().slice(-100));
  });
});
