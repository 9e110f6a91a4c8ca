import { describe, expect, it } from 'vitest';
import { extractEncapsulatedData } from './payload.js';
import { parseHl7 } from './parse.js';

const oru = (obx: string) => parseHl7(`MSH|^~\\&|L|H|D|H|1||ORU^R01|1|P|2.5|||||FRA|8859/1\rOBX|1|ST|X||x\r${obx}\r`).message!;

describe('extractEncapsulatedData', () => {
  it('decodes Base64, including data wrapped with escaped line breaks', () => {
    const pdf = Buffer.from('%PDF-1.7 binary \x00\xff', 'latin1');
    const b64 = pdf.toString('base64');
    const m = oru(`OBX|2|ED|PDF||APP^AP^PDF^Base64^${b64.slice(0, 8)}\\X0D0A\\${b64.slice(8)}`);
    const { payload, issues } = extractEncapsulatedData(m, 'OBX[2]-5');
    expect(issues).toEqual([]);
    expect(payload).toEqual({ kind: 'ED', sourceApplication: 'APP', typeOfData: 'AP', dataSubtype: 'PDF', encoding: 'Base64', data: pdf });
  });

  it('decodes A (escaped text, message charset) and Hex', () => {
    const a = extractEncapsulatedData(oru('OBX|2|ED|T||^TEXT^^A^Caf\\XE9\\ \\T\\ th\u00e9'), 'OBX[2]-5');
    expect(a.payload).toMatchObject({ kind: 'ED', data: Buffer.from('Café & thé', 'latin1') });
    const hex = extractEncapsulatedData(oru('OBX|2|ED|T||^AP^^Hex^00ff10'), 'OBX[2]-5');
    expect(hex.payload).toMatchObject({ data: Buffer.from([0, 255, 16]) });
  });

  it('reads RP as a reference', () => {
    const r = extractEncapsulatedData(oru('OBX|2|RP|T||http://x/doc.pdf^APP&1.2&ISO^AP^PDF'), 'OBX[2]-5');
    expect(r.payload).toEqual({ kind: 'RP', pointer: 'http://x/doc.pdf', applicationId: 'APP', typeOfData: 'AP', subtype: 'PDF' });
  });

  it('reports bad data as issues', () => {
    const codes = (obx: string) => extractEncapsulatedData(oru(obx), 'OBX[2]-5').issues.map((i) => i.code);
    expect(codes('OBX|2|ED|T||^AP^PDF^Base64^not base64!')).toEqual(['HL7_ED_BASE64']);
    expect(codes('OBX|2|ED|T||^AP^PDF^UUE^xx')).toEqual(['HL7_ED_ENCODING']);
    expect(codes('OBX|2|ST|T||text')).toEqual(['HL7_ED_TYPE']);
    expect(codes('OBX|2|ED|T||')).toEqual(['HL7_ED_EMPTY']);
    expect(codes('OBX|2|ED|T||^AP^^Hex^0')).toEqual(['HL7_ED_HEX']);
  });
});
