import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText, readCsv } from './csv.js';

describe('readCsv', () => {
  it('reads quoted fields with delimiters, quotes and line breaks, LF and CRLF', () => {
    const { rows, issues } = readCsv('a;b\r\n"x;1";"say ""hi"""\n"multi\nline";z\n\n', ';');
    expect(issues).toEqual([]);
    expect(rows.map((r) => r.fields)).toEqual([['a', 'b'], ['x;1', 'say "hi"'], ['multi\nline', 'z']]);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3]);
  });
  it('reports an unterminated quote at its line', () => {
    expect(readCsv('a;b\n1;"open\n', ';').issues[0]).toMatchObject({ code: 'CSV_QUOTE', path: 'line 2' });
  });
  it('keeps empty trailing fields', () => {
    expect(readCsv('a;b;c\n1;;\n', ';').rows[1]?.fields).toEqual(['1', '', '']);
  });
});

describe('decodeText', () => {
  it('refuses Latin-1 bytes declared as UTF-8, with the offset', () => {
    const r = decodeText(iconv.encode('nom;LEFÈVRE', 'latin1'), 'utf-8');
    expect(r.text).toBeUndefined();
    expect(r.issues[0]).toMatchObject({ code: 'CSV_ENCODING', message: expect.stringContaining('0xc8 at offset 7') });
  });
  it('decodes declared Latin-1 and strips a UTF-8 BOM', () => {
    expect(decodeText(iconv.encode('LEFÈVRE', 'latin1'), 'iso-8859-1').text).toBe('LEFÈVRE');
    expect(decodeText(Buffer.from('\ufeffé', 'utf8'), 'utf-8').text).toBe('é');
  });
  it('reports an unknown encoding', () => {
    expect(decodeText(Buffer.from('x'), 'klingon').issues[0]?.code).toBe('CSV_ENCODING');
  });
});
