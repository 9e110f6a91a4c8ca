import { describe, expect, it } from 'vitest';
import { DEFAULT_DELIMITERS as D, delimitersFromString } from './delimiters.js';
import { escapeValue, unescapeValue } from './escape.js';

describe('unescapeValue', () => {
  it('returns the same string when there is nothing to decode', () => {
    const s = 'plain text';
    expect(unescapeValue(s, D)).toBe(s);
  });

  it('decodes delimiter escapes, hex in the message charset, and joins adjacent hex runs', () => {
    expect(unescapeValue('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f', D)).toBe('a|b^c&d~e\\f');
    expect(unescapeValue('Caf\\XE9\\', D, 'iso-8859-1')).toBe('Café');
    expect(unescapeValue('Caf\\XC3A9\\', D, 'utf8')).toBe('Café');
    expect(unescapeValue('Caf\\XC3\\\\XA9\\!', D, 'utf8')).toBe('Café!');
    expect(unescapeValue('\\X0D0A\\', D)).toBe('\r\n');
  });

  it('keeps formatting commands, malformed and unknown sequences as written', () => {
    for (const s of ['\\.br\\', '\\.sp2\\', '\\H\\x\\N\\', '\\Zfoo\\', '\\C2842\\', '\\M2442\\', '\\X0\\', '\\XGG\\', '\\Q\\', 'a\\b', '\\\\']) {
      expect(unescapeValue(s, D)).toBe(s);
    }
  });

  it('decodes \\P\\ only when a truncation character is defined', () => {
    expect(unescapeValue('a\\P\\b', delimitersFromString('|^~\\&#'))).toBe('a#b');
    expect(unescapeValue('a\\P\\b', D)).toBe('a\\P\\b');
  });
});

describe('escapeValue', () => {
  it('escapes every delimiter, CR and LF, and round-trips', () => {
    const text = 'a|b^c&d~e\\f\rg\nh';
    const escaped = escapeValue(text, D);
    expect(escaped).toBe('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X0D\\g\\X0A\\h');
    expect(unescapeValue(escaped, D)).toBe(text);
  });

  it('escapes the truncation character as \\P\\ when defined (v2.7)', () => {
    const d = delimitersFromString('|^~\\&#');
    expect(escapeValue('a#b', d)).toBe('a\\P\\b');
    expect(unescapeValue(escapeValue('a#b', d), d)).toBe('a#b');
  });

  it('uses custom delimiters', () => {
    const d = delimitersFromString('?]@/$');
    expect(escapeValue('C:\\x?y/z', d)).toBe('C:\\x/F/y/E/z');
  });

  it('refuses a delimiter when the message has no escape character', () => {
    const d = delimitersFromString('|^~');
    expect(escapeValue('plain', d)).toBe('plain');
    expect(() => escapeValue('a^b', d)).toThrow(/no escape character/);
  });
});
