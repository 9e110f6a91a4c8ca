import { describe, expect, it } from 'vitest';
import { parseHl7 } from '../formats/hl7v2/index.js';
import { ackBytes, ackCodeFor, salvageHeader, type Outcome } from './mllp-ack.js';

const header = (msh15: string, msh16: string) => parseHl7(`MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X|P|2.5|||${msh15}|${msh16}\r`).message!;
const outcomes: Outcome[] = ['accepted', 'error', 'rejected'];

describe('ackCodeFor', () => {
  it('original mode (MSH-15 and MSH-16 empty): AA / AE / AR', () => {
    expect(outcomes.map((o) => ackCodeFor(header('', ''), o))).toEqual(['AA', 'AE', 'AR']);
  });

  // [MSH-15, MSH-16, accepted, error, rejected]
  const table: [string, string, string | null, string | null, string | null][] = [
    ['AL', '', 'CA', 'CE', 'CR'],
    ['AL', 'AL', 'CA', 'CE', 'CR'],
    ['', 'AL', 'CA', 'CE', 'CR'], // empty MSH-15 in enhanced mode = AL
    ['NE', 'NE', null, null, null],
    ['NE', '', null, null, null],
    ['NE', 'AL', 'AA', 'AE', 'AR'],
    ['NE', 'ER', null, 'AE', 'AR'],
    ['NE', 'SU', 'AA', null, null],
    ['ER', 'NE', null, 'CE', 'CR'],
    ['ER', 'AL', 'AA', 'CE', 'CR'],
    ['SU', 'NE', 'CA', null, null],
    ['SU', 'ER', 'CA', 'AE', 'AR'],
    ['XX', 'NE', 'CA', 'CE', 'CR'], // not in table 0155: treated as AL
  ];
  it.each(table)('enhanced mode MSH-15=%s MSH-16=%s', (msh15, msh16, ...expected) => {
    expect(outcomes.map((o) => ackCodeFor(header(msh15, msh16), o))).toEqual(expected);
  });
});

describe('salvageHeader', () => {
  it('keeps the MSH of an unreadable message, else a neutral header', () => {
    const h = salvageHeader(Buffer.from('\r\nMSH|^~\\&|A|B|C|D|20240101||ADT^A01|KEEP-1|P|2.4\rP I D\r'), {});
    expect([h.get('MSH-10'), h.get('MSH-12')]).toEqual(['KEEP-1', '2.4']);
    const n = salvageHeader(Buffer.from('garbage'), {});
    expect([n.get('MSH-9'), n.get('MSH-10'), n.get('MSH-12')]).toEqual(['ACK', '', '2.5']);
  });
});

describe('ackBytes', () => {
  it('uses the configured sending application and facility', () => {
    const ack = parseHl7(ackBytes(header('', ''), 'AA', [], { sendingApplication: 'RELAIS', sendingFacility: 'DCC-IDF', maxErrSegments: 5 })).message!;
    expect([ack.get('MSH-3'), ack.get('MSH-4'), ack.get('MSH-5'), ack.get('MSH-6'), ack.get('MSA-2')]).toEqual(['RELAIS', 'DCC-IDF', 'A', 'B', 'X']);
  });

  it('puts errors only in ERR, in table 0357 codes', () => {
    const ack = parseHl7(
      ackBytes(header('', ''), 'AR', [
        { severity: 'warning', code: 'HL7_SEGMENT_TERMINATOR', message: 'LF' },
        { severity: 'error', code: 'HL7_MESSAGE_TYPE', message: 'not accepted', path: 'MSH-9' },
        { severity: 'error', code: 'FHIR_PROFILE', message: 'birthDate missing' },
      ], { maxErrSegments: 5 }),
    ).message!;
    expect(ack.segmentsNamed('ERR').map((s) => s.get('3.1'))).toEqual(['200', '207']);
    expect(ack.get('MSA-3')).toBe('not accepted');
  });
});

describe('issuesByMessage', () => {
  it('sends `message k …` issues to message k (path without the prefix), others to every message', async () => {
    const { issuesByMessage } = await import('./mllp-batch.js');
    const e = (path?: string) => ({ severity: 'error' as const, code: 'X', message: 'm', ...(path ? { path } : {}) });
    const out = issuesByMessage([e('message 2 PID-3'), e('message[1]'), e('BHS-11'), e()], 2);
    expect(out[0]!.map((i) => i.path)).toEqual([undefined, 'BHS-11', undefined]);
    expect(out[1]!.map((i) => i.path)).toEqual(['PID-3', 'BHS-11', undefined]);
  });
});
