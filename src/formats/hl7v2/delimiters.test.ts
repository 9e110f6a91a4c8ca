import { describe, expect, it } from 'vitest';
import { DEFAULT_DELIMITERS, delimitersFromString, encodingCharacters, readEncodingCharacters } from './delimiters.js';

describe('readEncodingCharacters', () => {
  it('reads the usual and custom delimiters', () => {
    expect(readEncodingCharacters('|', '^~\\&')).toEqual({ delimiters: DEFAULT_DELIMITERS, issues: [] });
    const { delimiters } = readEncodingCharacters('$', '%~/&#');
    expect(delimiters).toEqual({ field: '$', component: '%', repetition: '~', escape: '/', subcomponent: '&', truncation: '#' });
  });

  it('refuses empty, too long, blank, non-ASCII and repeated characters', () => {
    for (const [fs, msh2] of [['|', ''], ['|', '^~\\&#!'], ['|', '^~\\ '], ['|', '^~\\\t'], ['|', '^ý00'], ['|', '0000'], ['|', '^~|&'], ['A', '^~\\&'], [' ', '^~\\&']] as const) {
      const r = readEncodingCharacters(fs, msh2);
      expect(r.delimiters, `${fs}${msh2}`).toBeUndefined();
      expect(r.issues[0]).toMatchObject({ severity: 'error', code: 'HL7_BAD_ENCODING_CHARS' });
    }
  });

  it('tolerates U+02DC as repetition separator with a warning, repeating on the tilde the body uses', () => {
    const small = readEncodingCharacters('|', '^\u02dc\\&', 'PID|1||A\u02dcB');
    expect(small.delimiters?.repetition).toBe('\u02dc');
    expect(small.issues).toMatchObject([{ severity: 'warning', code: 'HL7_MSH2_SMALL_TILDE' }]);
    const ascii = readEncodingCharacters('|', '^\u02dc\\&', 'PID|1||A~B');
    expect(ascii.delimiters?.repetition).toBe('~');
    expect(readEncodingCharacters('|', '^\u0098\\&', 'PID|1||A\u0098B').delimiters?.repetition).toBe('\u0098');
  });

  it('accepts a short MSH-2 with a warning (missing delimiters are unused)', () => {
    const r = readEncodingCharacters('|', '^~');
    expect(r.delimiters).toMatchObject({ component: '^', repetition: '~', escape: '', subcomponent: '' });
    expect(r.issues).toMatchObject([{ code: 'HL7_SHORT_ENCODING_CHARS' }]);
  });
});

describe('delimitersFromString / encodingCharacters', () => {
  it('round-trips', () => {
    expect(encodingCharacters(delimitersFromString('|^~\\&#'))).toBe('^~\\&#');
    expect(() => delimitersFromString('||')).toThrow();
  });
});
