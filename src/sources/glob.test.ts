import { expect, it } from 'vitest';
import { globToRegExp, isSafeFileName } from './glob.js';

it('matches file globs', () => {
  expect(globToRegExp('*.csv').test('a.csv')).toBe(true);
  expect(globToRegExp('*.csv').test('a.csv.tmp')).toBe(false);
  expect(globToRegExp('id_??.{csv,txt}').test('id_01.txt')).toBe(true);
  expect(globToRegExp('a+b(1).csv').test('a+b(1).csv')).toBe(true);
});

it('refuses unsafe file names', () => {
  for (const bad of ['', '.hidden', '..', 'a/b', 'a\\b', 'a\nb', 'x\u0000', 'y'.repeat(256)]) expect(isSafeFileName(bad)).toBe(false);
  expect(isSafeFileName('CR_2026-11-24.csv')).toBe(true);
});
