import { describe, expect, it } from 'vitest';
import { error, hasErrors, warning } from '../../engine/issues.js';
import { buildAck, hl7Timestamp } from './ack.js';
import { acceptAckType, applicationAckType, controlIdOf, isEnhancedAckMode, messageType, versionOf } from './header.js';
import { parseHl7 } from './parse.js';
import { serializeHl7 } from './serialize.js';

const parse = (s: string | Buffer) => parseHl7(s).message!;
const now = new Date(2024, 0, 2, 3, 4, 5);

describe('buildAck', () => {
  it('echoes MSH-10, swaps sender and receiver, keeps version, charset, processing ID', () => {
    const orig = parse('MSH|^~\\&|SEND|SFAC|RECV|RFAC|20240101||ADT^A01^ADT_A01|CTRL-1|P|2.5|||AL|NE|FRA|8859/1\rPID|1\r');
    const ack = buildAck(orig, { code: 'AA', controlId: 'ACK-1', now });
    expect(ack.toString()).toBe(`MSH|^~\\&|RECV|RFAC|SEND|SFAC|${hl7Timestamp(now)}||ACK^A01^ACK|ACK-1|P|2.5||||||8859/1\rMSA|AA|CTRL-1\r`);
    expect(ack.encoding).toBe('iso-8859-1');
    expect(messageType(ack)).toEqual({ code: 'ACK', event: 'A01', structure: 'ACK' });
  });

  it('carries one ERR per issue (v2.5: ERR-2 location, ERR-3 code, ERR-4 severity, ERR-8 message), escaped', () => {
    const orig = parse('MSH|^~\\&|S|F|R|G|20240101||ORU^R01|C2|P|2.5\r');
    const ack = buildAck(orig, {
      code: 'AE',
      now,
      sendingApp: 'RELAIS',
      issues: [error('NIR_KEY', 'NIR key | mismatch', 'PID-3[2].1'), warning('HL7_TRAILING_EMPTY_FIELDS', 'trailing ^ fields')],
      errorCode: (i) => (i.code === 'NIR_KEY' ? { code: '103', text: 'Table value not found' } : { code: '207', text: 'Application internal error' }),
    });
    const errs = ack.segmentsNamed('ERR');
    expect(errs).toHaveLength(2);
    expect(errs[0]!.getRaw(2)).toBe('PID^1^3^2^1');
    expect(errs[0]!.getRaw(3)).toBe('103^Table value not found^HL70357^NIR_KEY^^L');
    expect(errs[0]!.get(4)).toBe('E');
    expect(errs[0]!.getRaw(8)).toBe('NIR key \\F\\ mismatch');
    expect(errs[0]!.get(8)).toBe('NIR key | mismatch');
    expect(errs[1]!.get(2)).toBe('');
    expect(errs[1]!.get(4)).toBe('W');
    expect(errs[1]!.get(8)).toBe('trailing ^ fields');
    expect(ack.get('MSH-3')).toBe('RELAIS');
    expect(ack.get('MSA-1')).toBe('AE');
    expect(ack.get('MSA-2')).toBe('C2');
  });

  it('uses the original delimiters, and ~ instead of a small tilde', () => {
    const custom = parse('MSH$%*/!$S$F$R$G$1$$ADT%A04$C3$T$2.4\r');
    const ack = buildAck(custom, { code: 'CA', now, controlId: 'X' });
    expect(ack.toString().startsWith('MSH$%*/!$R$G$S$F$')).toBe(true);
    expect(ack.get('MSA-2')).toBe('C3');
    const tilde = parse(Buffer.from('MSH|^\u02dc\\&|S|F|R\u02dcR2|G|1||ADT^A01|C4|P|2.5|||||FRA|UNICODE UTF-8\r', 'utf8'));
    const ack2 = buildAck(tilde, { code: 'AR', now, controlId: 'Y' });
    expect(ack2.get('MSH-2')).toBe('^~\\&');
    expect(ack2.getRaw('MSH-3')).toBe('R~R2');
    expect(ack2.get('MSH-3[2]')).toBe('R2');
    expect(serializeHl7(ack2).toString('utf8')).toContain('MSA|AR|C4');
  });

  it('writes a v2.3 message type with two components', () => {
    const ack = buildAck(parse('MSH|^~\\&|S|F|R|G|1||ADT^A08|C5|P|2.3\r'), { code: 'AA', now });
    expect(ack.getRaw('MSH-9')).toBe('ACK^A08');
    expect(hasErrors(parseHl7(ack.toString()).issues)).toBe(false);
  });
});

describe('header accessors', () => {
  const m = parse('MSH|^~\\&|S|F|R|G|1||ADT^A04|C6|P|2.5.1|||AL|ER\r');
  it('reads type, version, control ID and acknowledgment modes', () => {
    expect(messageType(m)).toEqual({ code: 'ADT', event: 'A04', structure: 'ADT_A04' });
    expect(versionOf(m)).toBe('2.5.1');
    expect(controlIdOf(m)).toBe('C6');
    expect(acceptAckType(m)).toBe('AL');
    expect(applicationAckType(m)).toBe('ER');
    expect(isEnhancedAckMode(m)).toBe(true);
    const orig = parse('MSH|^~\\&|S|F|R|G|1||ADT^A01^ADT_A01|C7|P|2.5\r');
    expect(isEnhancedAckMode(orig)).toBe(false);
    expect(acceptAckType(orig)).toBeUndefined();
  });
});
