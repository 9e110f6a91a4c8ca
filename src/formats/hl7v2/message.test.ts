import { describe, expect, it } from 'vitest';
import { hasErrors, IssuesError } from '../../engine/issues.js';
import { parseHl7 } from './parse.js';
import { serializeHl7 } from './serialize.js';

const ADT =
  'MSH|^~\\&|SENDER|FAC|RECV|FAC2|20240101120000||ADT^A01^ADT_A01|MSG001|P|2.5|||AL|NE|FRA|8859/1\r' +
  'EVN|A01|20240101120000\r' +
  'PID|1||123^^^HOP&1.2.3&ISO^PI~456^^^INS&1.2.250.1.213.1.4.8&ISO^INS||DUPONT^Ren\\E\\e^^^M.||19700101|M\r' +
  'PV1|1|I\r' +
  'OBX|1|ST|A||first\r' +
  'OBX|2|ST|B||second\r' +
  'OBX|3|ST|C||third\\F\\x\r';

const parse = (s: string | Buffer) => {
  const r = parseHl7(s);
  expect(hasErrors(r.issues), JSON.stringify(r.issues)).toBe(false);
  return r.message!;
};

describe('path access', () => {
  const m = parse(ADT);
  it('reads fields, repetitions, components, subcomponents, nth segments', () => {
    expect(m.get('MSH-1')).toBe('|');
    expect(m.get('MSH-2')).toBe('^~\\&');
    expect(m.get('MSH-9.2')).toBe('A01');
    expect(m.get('PID-3[2].4.2')).toBe('1.2.250.1.213.1.4.8');
    expect(m.get('PID-5.2')).toBe('Ren\\e');
    expect(m.get('OBX[3]-5')).toBe('third|x');
    expect(m.get('OBX[4]-5')).toBe('');
    expect(m.get('ZZZ-1')).toBe('');
    expect(m.get('PID-3')).toBe('123');
  });

  it('getRaw returns the element itself, escapes and delimiters kept', () => {
    expect(m.getRaw('PID-3')).toBe('123^^^HOP&1.2.3&ISO^PI~456^^^INS&1.2.250.1.213.1.4.8&ISO^INS');
    expect(m.getRaw('PID-3[2]')).toBe('456^^^INS&1.2.250.1.213.1.4.8&ISO^INS');
    expect(m.getRaw('PID-3.4')).toBe('HOP&1.2.3&ISO');
    expect(m.getRaw('PID-5.2')).toBe('Ren\\E\\e');
  });

  it('iterates segments and repetitions', () => {
    expect(m.segments.map((s) => s.name)).toEqual(['MSH', 'EVN', 'PID', 'PV1', 'OBX', 'OBX', 'OBX']);
    expect(m.segmentsNamed('OBX').map((s) => s.get(5))).toEqual(['first', 'second', 'third|x']);
    expect(m.getAll('PID-3.1')).toEqual(['123', '456']);
    expect(m.getAll('PID-3.4.2')).toEqual(['1.2.3', '1.2.250.1.213.1.4.8']);
    expect(m.segment('PID')!.repetitionCount(3)).toBe(2);
    expect(m.segment('PID')!.fieldCount).toBe(8);
  });

  it('throws IssuesError with HL7_BAD_PATH on a malformed path', () => {
    expect(() => m.get('PID.5.1')).toThrow(IssuesError);
    try {
      m.get('PID-0');
    } catch (e) {
      expect((e as IssuesError).issues[0]).toMatchObject({ code: 'HL7_BAD_PATH' });
    }
  });
});

describe('set', () => {
  it('encodes the value into the leaf, keeps siblings, re-encodes only that field', () => {
    const m = parse(ADT);
    m.set('PID-5.1', 'MARTIN|DURAND & Co');
    expect(m.getRaw('PID-5')).toBe('MARTIN\\F\\DURAND \\T\\ Co^Ren\\E\\e^^^M.');
    expect(m.get('PID-5.1')).toBe('MARTIN|DURAND & Co');
    m.set('PID-3[3].4.2', '9.9');
    expect(m.getRaw('PID-3[3]')).toBe('^^^&9.9');
    m.set('PV1-10', 'x');
    expect(m.segment('PV1')!.toString()).toBe('PV1|1|I||||||||x');
    const out = m.toString();
    const expected = ADT.replace('DUPONT', 'MARTIN\\F\\DURAND \\T\\ Co').replace('ISO^INS|', 'ISO^INS~^^^&9.9|').replace('PV1|1|I', 'PV1|1|I||||||||x');
    expect(out).toBe(expected);
    expect(m.modified).toBe(true);
    expect(m.segment('EVN')!.modified).toBe(false);
  });

  it('setRaw replaces exactly the element; missing segments are appended', () => {
    const m = parse('MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\nPID|1\n');
    m.setRaw('PID-5', 'A^B~C^D');
    expect(m.get('PID-5[2].2')).toBe('D');
    m.set('ZBE-1', 'z');
    expect(m.toString()).toBe('MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\nPID|1||||A^B~C^D\nZBE|z\n');
  });

  it('appends after a last segment without terminator', () => {
    const m = parse('MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\rPID|1');
    m.appendSegment('NTE', ['1', '', 'note']);
    expect(m.toString()).toBe('MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\rPID|1\rNTE|1||note\r');
  });

  it('refuses to set MSH-1 / MSH-2', () => {
    const m = parse(ADT);
    expect(() => m.set('MSH-2', '^~\\&')).toThrow(/delimiters/);
  });
});

describe('custom delimiters', () => {
  it('reads and writes with the delimiters of MSH-1/MSH-2, including the v2.7 truncation character', () => {
    const text = 'MSH$%*/!#$APP$FAC$$$20240101$$ADT%A01$1$P$2.7\rPID$1$$A%B%C*D!E$$X/F/Y/P/Z#\r';
    const m = parse(text);
    expect(m.delimiters).toEqual({ field: '$', component: '%', repetition: '*', escape: '/', subcomponent: '!', truncation: '#' });
    expect(m.get('PID-3[2].1.2')).toBe('E');
    expect(m.get('PID-5')).toBe('X$Y#Z#');
    m.set('PID-5', 'a$b%c#');
    expect(m.getRaw('PID-5')).toBe('a/F/b/S/c/P/');
    expect(m.toString()).toBe(text.replace('X/F/Y/P/Z#', 'a/F/b/S/c/P/'));
  });
});

describe('tolerance: warnings, exact round trip', () => {
  const cases: Array<[string, string, string[]]> = [
    ['LF segment ends', 'MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\nPID|1\n', ['HL7_SEGMENT_TERMINATOR']],
    ['CRLF segment ends', 'MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\r\nPID|1\r\n', ['HL7_SEGMENT_TERMINATOR']],
    ['missing final CR', 'MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\rPID|1', ['HL7_NO_FINAL_TERMINATOR']],
    ['blank lines', 'MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\r\r\n  \rPID|1\r\n\n', ['HL7_BLANK_LINES']],
    ['trailing empty fields', 'MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5|||\rPID|1|||\r', ['HL7_TRAILING_EMPTY_FIELDS']],
    ['leading blank lines', '\r\nMSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\rPID|1\r', ['HL7_LEADING_WHITESPACE']],
    ['small tilde in MSH-2', 'MSH|^\u02dc\\&|A|B|C|D|1||ADT^A01|1|P|2.5\rPID|1||A\u02dcB\r', ['HL7_MSH2_SMALL_TILDE']],
  ];
  for (const [name, text, codes] of cases) {
    it(name, () => {
      const { message, issues } = parseHl7(text);
      expect(hasErrors(issues)).toBe(false);
      expect(issues.map((i) => i.code)).toEqual(expect.arrayContaining(codes));
      expect(issues.every((i) => i.severity === 'warning')).toBe(true);
      expect(message!.get('PID-1')).toBe('1');
      expect(message!.toString()).toBe(text);
      message!.set('PID-2', 'x');
      message!.setRaw('PID-2', '');
      expect(message!.toString()).toBe(text.replace(/PID\|1(\|\|)?/, (m) => (m === 'PID|1' ? 'PID|1|' : m)));
      expect(message!.toString({ normalize: true })).toMatch(/^MSH\|[^\n]*\rPID\|1[^\n]*\r$/);
    });
  }

  it('the small tilde splits repetitions; serialising back writes it unchanged', () => {
    const text = 'MSH|^\u02dc\\&|A|B|C|D|1||ADT^A01|1|P|2.5|||||FRA|UNICODE UTF-8\rPID|1||A\u02dcB\r';
    const bytes = Buffer.from(text, 'utf8');
    const m = parse(bytes);
    expect(m.get('PID-3[2]')).toBe('B');
    expect(serializeHl7(m).equals(bytes)).toBe(true);
  });
});

describe('rejects what cannot be a message', () => {
  const cases: Array<[string, string, string]> = [
    ['empty', '', 'HL7_EMPTY'],
    ['blank', ' \r\n', 'HL7_EMPTY'],
    ['no MSH', 'PID|1\r', 'HL7_NO_MSH'],
    ['MSH too short', 'MSH', 'HL7_MSH_TOO_SHORT'],
    ['MSH-2 missing', 'MSH|', 'HL7_BAD_ENCODING_CHARS'],
    ['bad segment', 'MSH|^~\\&|A\rPID-1\r', 'HL7_BAD_SEGMENT'],
    ['segment with leading blank', 'MSH|^~\\&|A\r PID|1\r', 'HL7_BAD_SEGMENT'],
  ];
  for (const [name, text, code] of cases) {
    it(name, () => {
      const { message, issues } = parseHl7(text);
      expect(message).toBeUndefined();
      expect(issues.find((i) => i.severity === 'error')).toMatchObject({ code });
    });
  }
});

describe('large payloads', () => {
  const pdf = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < pdf.length; i++) pdf[i] = (i * 7919) & 0xff;
  const base64 = pdf.toString('base64');
  const oru =
    'MSH|^~\\&|LAB|HOP|DPI|HOP|20240101||ORU^R01^ORU_R01|42|P|2.5|||||FRA|UNICODE UTF-8\r' +
    'PID|1||123^^^HOP^PI||DUPONT^René\r' +
    `OBX|1|ED|PDF^Report||^AP^PDF^Base64^${base64}||||||F\r` +
    'OBX|2|ST|X||after\r';
  const bytes = Buffer.from(oru, 'utf8');

  it('parses a 1.4 MB ORU quickly, reads around the payload, round-trips from the kept bytes', () => {
    const t0 = performance.now();
    const { message, issues } = parseHl7(bytes);
    expect(message!.get('MSH-10')).toBe('42');
    expect(message!.get('PID-5.2')).toBe('René');
    expect(message!.get('OBX[2]-5')).toBe('after');
    expect(message!.get('OBX-5.4')).toBe('Base64');
    const elapsed = performance.now() - t0;
    expect(issues).toEqual([]);
    expect(elapsed).toBeLessThan(250);
    const out = serializeHl7(message!);
    expect(out.buffer).toBe(bytes.buffer); // same memory: no copy
  });

  it('enforces the maximum message size', () => {
    const r = parseHl7(bytes, { maxBytes: 1024 * 1024 });
    expect(r.message).toBeUndefined();
    expect(r.issues).toMatchObject([{ severity: 'error', code: 'HL7_TOO_LARGE' }]);
    expect(r.issues[0]!.message).toMatch(/above the limit of 1048576/);
    expect(parseHl7(oru, { maxBytes: 100 }).issues[0]).toMatchObject({ code: 'HL7_TOO_LARGE' });
  });
});

describe('serializeHl7', () => {
  it('encodes a modified message in its character set, or another one on request', () => {
    const text = 'MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5|||||FRA|8859/1\rPID|1||||Ren\u00e9\r';
    const bytes = Buffer.from(text, 'latin1');
    const m = parse(bytes);
    m.set('PID-5.2', 'Zoé');
    expect(serializeHl7(m)).toEqual(Buffer.from(text.replace('Ren\u00e9', 'Ren\u00e9^Zo\u00e9'), 'latin1'));
    expect(serializeHl7(m, { charset: 'UNICODE UTF-8' })).toEqual(Buffer.from(text.replace('Ren\u00e9', 'Ren\u00e9^Zo\u00e9'), 'utf8'));
    m.set('MSH-18', 'UNICODE UTF-8');
    expect(serializeHl7(m).toString('utf8')).toContain('UNICODE UTF-8\rPID|1||||René^Zoé\r');
  });

  it('normalises terminators when asked', () => {
    const m = parse(Buffer.from('\uFEFFMSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\r\nPID|1\n\n'));
    expect(m.bom).toBe(true);
    expect(serializeHl7(m, { normalize: true }).toString()).toBe('MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\rPID|1\r');
    m.set('PID-2', 'x');
    expect(serializeHl7(m).toString()).toBe('\uFEFFMSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\r\nPID|1|x\n\n');
  });
});

describe('hints', () => {
  it('points batch input to parseBatch', () => {
    expect(parseHl7('FHS|^~\\&\rMSH|^~\\&|A\r').issues[0]!.message).toMatch(/parseBatch/);
    const two = parseHl7('MSH|^~\\&|A||||||ADT^A01|1|P|2.5\rMSH|^~\\&|B||||||ADT^A01|2|P|2.5\r');
    expect(two.issues).toMatchObject([{ severity: 'warning', code: 'HL7_MULTIPLE_MSH' }]);
    expect(two.message!.get('MSH[2]-10')).toBe('2');
  });
});

describe('toJSON (the stored parsed snapshot)', () => {
  it('gives the encoding and every segment with its raw fields in HL7 numbering', () => {
    const m = parse(Buffer.from('MSH|^~\\&|APP|FAC|||20240101||ADT^A08|C1|P|2.5||||||8859/1\rPID|1||42^^^H||DUPONT^Ren\\E\\e\rZZZ\r', 'latin1'));
    const json = JSON.parse(JSON.stringify(m)) as ReturnType<typeof m.toJSON>;
    expect(json.encoding).toBe('iso-8859-1');
    expect(json.segments.map((s) => s.name)).toEqual(['MSH', 'PID', 'ZZZ']);
    expect(json.segments[0]!.fields.slice(0, 4)).toEqual(['|', '^~\\&', 'APP', 'FAC']);
    expect(json.segments[0]!.fields[9]).toBe('C1');
    expect(json.segments[0]!.fields[17]).toBe('8859/1');
    expect(json.segments[1]!.fields).toEqual(['1', '', '42^^^H', '', 'DUPONT^Ren\\E\\e']);
    expect(json.segments[2]!.fields).toEqual([]);
  });

  it('reflects values set after parsing, and is the same for the same message', () => {
    const m = parse(ADT);
    m.set('PID-5.1', 'MARTIN');
    expect(m.toJSON().segments[2]!.fields[4]).toBe('MARTIN^Ren\\E\\e^^^M.');
    expect(JSON.stringify(parse(ADT))).toBe(JSON.stringify(parse(ADT)));
  });
});
