import { describe, expect, it } from 'vitest';
import { hl7v2Parser } from './hl7v2.js';
import type { Hl7Message } from '../../formats/hl7v2/index.js';

const o = (extra: Record<string, unknown> = {}) => hl7v2Parser.options.parse(extra);
const msg = (id: string, type = 'ADT^A01', extra = '') => `MSH|^~\\&|APP|FAC|RCV|RFAC|20240101120000||${type}|${id}|P|2.5${extra}\rPID|1||${id}^^^H||NOM^Prenom\r`;

describe('hl7v2 parser: parse', () => {
  it('returns the message and the codec warnings as issues; LF ends are normalised to CR for mappings', () => {
    const raw = Buffer.from(msg('C1').replace(/\r/g, '\n'));
    const r = hl7v2Parser.parse(raw, o());
    const m = r.value as Hl7Message;
    expect(m.get('PID-5.1')).toBe('NOM');
    expect(m.toString()).toBe(msg('C1'));
    expect(r.issues).toEqual([expect.objectContaining({ severity: 'warning', code: 'HL7_SEGMENT_TERMINATOR' })]);
    const kept = hl7v2Parser.parse(raw, o({ normaliseLineEnds: false })).value as Hl7Message;
    expect(kept.toString()).toBe(raw.toString());
  });

  it('reports the small tilde in MSH-2 as a warning', () => {
    const r = hl7v2Parser.parse(Buffer.from('MSH|^\u02dc\\&|A|B|C|D|20240101||ADT^A01|X1|P|2.5\rPID|1||1\u02dc2\r'), o());
    expect(r.value).toBeDefined();
    expect(r.issues.map((i) => i.code)).toContain('HL7_MSH2_SMALL_TILDE');
  });

  it('reads MSH-18 and the default charset when MSH-18 is empty', () => {
    const latin = Buffer.from(msg('C2').replace('NOM', 'LEFÈVRE'), 'latin1');
    expect((hl7v2Parser.parse(latin, o()).value as Hl7Message).get('PID-5.1')).toBe('LEFÈVRE'); // auto: not UTF-8 → Latin-1
    // a windows-1252 sender: the euro sign is 0x80
    const cp = Buffer.from(msg('C3').replace('NOM', 'A\x80'), 'latin1');
    expect((hl7v2Parser.parse(cp, o({ defaultCharset: 'windows-1252' })).value as Hl7Message).get('PID-5.1')).toBe('A€');
    const labelled = Buffer.from(msg('C4', 'ADT^A01', '||||||UNICODE UTF-8').replace('NOM', 'Zoë'));
    expect((hl7v2Parser.parse(labelled, o({ defaultCharset: 'windows-1252' })).value as Hl7Message).get('PID-5.1')).toBe('Zoë');
  });

  it('turns parse errors into error issues, no value', () => {
    for (const [raw, code] of [
      ['', 'HL7_EMPTY'],
      ['PID|1\r', 'HL7_NO_MSH'],
      ['MSH|^~\\&|A\rP I D|1\r', 'HL7_BAD_SEGMENT'],
      [msg('C5', 'ADT^A01', '||||||KLINGON'), 'HL7_CHARSET_UNKNOWN'],
    ] as const) {
      const r = hl7v2Parser.parse(Buffer.from(raw), o());
      expect(r.value, code).toBeUndefined();
      expect(r.issues.filter((i) => i.severity === 'error').map((i) => i.code), code).toContain(code);
    }
    expect(hl7v2Parser.parse(Buffer.from(msg('C6')), o({ maxBytes: 20 })).issues[0]).toMatchObject({ severity: 'error', code: 'HL7_TOO_LARGE' });
  });

  it('filters message types and versions when asked, warns on an empty MSH-10', () => {
    expect(hl7v2Parser.parse(Buffer.from(msg('C7', 'ORU^R01')), o({ messageTypes: ['ADT^A0*', 'MDM'] })).issues).toEqual([
      expect.objectContaining({ severity: 'error', code: 'HL7_MESSAGE_TYPE', path: 'MSH-9' }),
    ]);
    expect(hl7v2Parser.parse(Buffer.from(msg('C8', 'ADT^A04')), o({ messageTypes: ['ADT^A0*'] })).value).toBeDefined();
    expect(hl7v2Parser.parse(Buffer.from(msg('C8', 'MDM^T02')), o({ messageTypes: ['MDM'] })).value).toBeDefined();
    expect(hl7v2Parser.parse(Buffer.from(msg('C9')), o({ versions: ['2.6'] })).issues[0]).toMatchObject({ code: 'HL7_VERSION', path: 'MSH-12' });
    expect(hl7v2Parser.parse(Buffer.from(msg('')), o()).issues).toEqual([expect.objectContaining({ severity: 'warning', code: 'HL7_NO_CONTROL_ID' })]);
  });

  it('gives a value whose JSON snapshot is stable', () => {
    const v = hl7v2Parser.parse(Buffer.from(msg('C10')), o()).value;
    expect(JSON.parse(JSON.stringify(v))).toMatchObject({ encoding: 'utf8', segments: [{ name: 'MSH' }, { name: 'PID', fields: ['1', '', 'C10^^^H', '', 'NOM^Prenom'] }] });
  });
});

describe('hl7v2 parser: split', () => {
  it('does not split a single message (one part, the input itself)', () => {
    const raw = Buffer.from(msg('S1'));
    const r = hl7v2Parser.split!(raw, o());
    expect(r.issues).toEqual([]);
    expect(r.parts).toHaveLength(1);
    expect(r.parts[0]!.content).toBe(raw);
  });

  it('cuts a batch file into messages, each in its own bytes and character set', () => {
    const latin = Buffer.from(msg('B2', 'ADT^A08', '||||||8859/1').replace('NOM', 'GÉRARD'), 'latin1');
    const raw = Buffer.concat([
      Buffer.from('FHS|^~\\&|APP|FAC\rBHS|^~\\&|APP|FAC\r'),
      Buffer.from(msg('B1')),
      latin,
      Buffer.from('BTS|2\rFTS|1\r'),
    ]);
    const r = hl7v2Parser.split!(raw, o());
    expect(r.issues).toEqual([]);
    expect(r.parts.map((p) => p.ref)).toEqual(['message 1', 'message 2']);
    expect(r.parts[1]!.content.equals(latin)).toBe(true);
    expect((hl7v2Parser.parse(r.parts[1]!.content, o()).value as Hl7Message).get('PID-5.1')).toBe('GÉRARD');
  });

  it('splits plain concatenated messages too', () => {
    expect(hl7v2Parser.split!(Buffer.from(msg('P1') + msg('P2') + msg('P3')), o()).parts).toHaveLength(3);
  });

  it('rejects a batch whose structure is broken or with an unreadable message, naming where', () => {
    const outside = hl7v2Parser.split!(Buffer.from(`BHS|^~\\&\rPID|1\r${msg('X1')}BTS|1\r`), o());
    expect(outside.parts).toEqual([]);
    expect(outside.issues).toEqual([expect.objectContaining({ severity: 'error', code: 'HL7_BATCH_STRUCTURE' })]);
    const unreadable = hl7v2Parser.split!(Buffer.from(`BHS|^~\\&\r${msg('X2')}MSH|^~\\&|A\rP I D|x\rBTS|2\r`), o());
    expect(unreadable.parts).toEqual([]);
    expect(unreadable.issues.map((i) => [i.code, i.path])).toContainEqual(['HL7_BATCH_MESSAGE', 'message[2]']);
  });

  it('reports count mismatches as warnings and still splits', () => {
    const r = hl7v2Parser.split!(Buffer.from(`BHS|^~\\&\r${msg('W1')}${msg('W2')}BTS|3\r`), o());
    expect(r.parts).toHaveLength(2);
    expect(r.issues).toEqual([expect.objectContaining({ severity: 'warning', code: 'HL7_BATCH_COUNT' })]);
  });
});
