import { describe, expect, it } from 'vitest';
import { decodeMessageBytes, resolveCharset, scanMsh18 } from './charset.js';

const msh = (msh18: string) => `MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5|||||FRA|${msh18}\rPID|1||X||`;

describe('resolveCharset', () => {
  it('maps table 0211 values and usual aliases', () => {
    const cases: Record<string, string | null | undefined> = {
      'UNICODE UTF-8': 'utf8', 'UTF-8': 'utf8', utf8: 'utf8', UNICODE: 'utf8', 'ISO IR192': 'utf8',
      '8859/1': 'iso-8859-1', 'ISO-8859-1': 'iso-8859-1', 'ISO IR100': 'iso-8859-1', ISO_IR_100: 'iso-8859-1', latin1: 'iso-8859-1',
      '8859/15': 'iso-8859-15', 'ISO-8859-15': 'iso-8859-15', ASCII: 'ascii', 'GB 18030-2000': 'gb18030',
      '': undefined, '  ': undefined, 'UNICODE UTF-16': null, 'ISO IR87': null, 'KLINGON': null,
    };
    for (const [label, expected] of Object.entries(cases)) expect(resolveCharset(label), label).toBe(expected);
  });
});

describe('scanMsh18', () => {
  it('finds MSH-18 in the raw bytes, first component of the first repetition', () => {
    expect(scanMsh18(Buffer.from(msh('8859/15')), 0)).toBe('8859/15');
    expect(scanMsh18(Buffer.from(msh('UNICODE UTF-8~ISO IR87')), 0)).toBe('UNICODE UTF-8');
    expect(scanMsh18(Buffer.from('MSH|^~\\&|A\rPID|||||||||||||||||||X'), 0)).toBe('');
  });
});

describe('decodeMessageBytes', () => {
  it('decodes by MSH-18', () => {
    const latin1 = Buffer.from(msh('8859/1').replace('X', 'Ren\u00e9'), 'latin1');
    expect(decodeMessageBytes(latin1)).toMatchObject({ encoding: 'iso-8859-1', issues: [] });
    expect(decodeMessageBytes(latin1).text).toContain('René');
  });

  it('empty MSH-18, auto: UTF-8 when valid, else ISO-8859-1; or the configured default', () => {
    const utf8 = Buffer.from(msh('').replace('X', 'René'), 'utf8');
    const latin1 = Buffer.from(msh('').replace('X', 'René'), 'latin1');
    expect(decodeMessageBytes(utf8)).toMatchObject({ encoding: 'utf8', issues: [] });
    expect(decodeMessageBytes(latin1)).toMatchObject({ encoding: 'iso-8859-1', issues: [] });
    expect(decodeMessageBytes(latin1).text).toContain('René');
    expect(decodeMessageBytes(utf8, { defaultCharset: '8859/15' }).encoding).toBe('iso-8859-15');
  });

  it('repairs lying labels with a warning, keeping every byte', () => {
    const ascii = decodeMessageBytes(Buffer.from(msh('ASCII').replace('X', 'René'), 'latin1'));
    expect(ascii).toMatchObject({ encoding: 'iso-8859-1', issues: [{ code: 'HL7_CHARSET_MISMATCH' }] });
    const fakeUtf8 = decodeMessageBytes(Buffer.from(msh('UNICODE UTF-8').replace('X', 'René'), 'latin1'));
    expect(fakeUtf8).toMatchObject({ encoding: 'iso-8859-1', issues: [{ code: 'HL7_CHARSET_MISMATCH' }] });
    expect(fakeUtf8.text).toContain('René');
  });

  it('errors on an unknown character set', () => {
    expect(decodeMessageBytes(Buffer.from(msh('EBCDIC-FR'))).issues).toMatchObject([{ severity: 'error', code: 'HL7_CHARSET_UNKNOWN' }]);
  });

  it('strips and reports a UTF-8 byte-order mark', () => {
    const r = decodeMessageBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(msh('UNICODE UTF-8'))]));
    expect(r.bom).toBe(true);
    expect(r.text.startsWith('MSH|')).toBe(true);
  });
});
