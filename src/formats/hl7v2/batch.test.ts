import { describe, expect, it } from 'vitest';
import { hasErrors } from '../../engine/issues.js';
import { parseBatch } from './batch.js';
import { serializeHl7 } from './serialize.js';

const msg = (id: string, name = 'DUPONT') => `MSH|^~\\&|A|B|C|D|20240101||ADT^A01|${id}|P|2.5\rPID|1||${id}||${name}\r`;

describe('parseBatch', () => {
  it('splits FHS/BHS/BTS/FTS into batches and messages', () => {
    const file = `FHS|^~\\&|A\rBHS|^~\\&|A\r${msg('1')}${msg('2')}BTS|2\rBHS|^~\\&|A\r${msg('3')}BTS|1\rFTS|2\r`;
    const r = parseBatch(file);
    expect(r.issues).toEqual([]);
    expect(r.fileHeader).toBe('FHS|^~\\&|A');
    expect(r.fileTrailer).toBe('FTS|2');
    expect(r.batches.map((b) => b.messages.map((m) => m.get('MSH-10')))).toEqual([['1', '2'], ['3']]);
    expect(r.batches[0]!.trailer).toBe('BTS|2');
    expect(r.messages.map((m) => m.toString())).toEqual([msg('1'), msg('2'), msg('3')]);
  });

  it('reports wrong BTS-1 / FTS-1 counts as HL7_BATCH_COUNT warnings', () => {
    const r = parseBatch(`FHS|^~\\&\rBHS|^~\\&\r${msg('1')}${msg('2')}BTS|3\rFTS|5\r`);
    expect(r.messages).toHaveLength(2);
    expect(r.issues).toMatchObject([
      { severity: 'warning', code: 'HL7_BATCH_COUNT', path: 'BTS-1' },
      { severity: 'warning', code: 'HL7_BATCH_COUNT', path: 'FTS-1' },
    ]);
    expect(parseBatch(`BHS|^~\\&\r${msg('1')}BTS|one\r`).issues).toMatchObject([{ code: 'HL7_BATCH_COUNT' }]);
  });

  it('decodes each message by its own MSH-18, from zero-copy byte slices', () => {
    const latin = Buffer.from(msg('1', 'Ren\u00e9').replace('2.5', '2.5|||||FRA|8859/1'), 'latin1');
    const utf8 = Buffer.from(msg('2', 'Zoé').replace('2.5', '2.5|||||FRA|UNICODE UTF-8'), 'utf8');
    const file = Buffer.concat([Buffer.from('BHS|^~\\&\r'), latin, utf8, Buffer.from('BTS|2\r')]);
    const r = parseBatch(file);
    expect(hasErrors(r.issues)).toBe(false);
    expect(r.messages.map((m) => m.get('PID-5'))).toEqual(['René', 'Zoé']);
    expect(serializeHl7(r.messages[0]!).equals(latin)).toBe(true);
    expect(serializeHl7(r.messages[1]!).buffer).toBe(file.buffer);
  });

  it('refuses segments outside a message, a late FHS, content after FTS', () => {
    for (const bad of [`BHS|^~\\&\rEVN|A01\r${msg('1')}`, `${msg('1')}FHS|^~\\&\r`, `FHS|^~\\&\r${msg('1')}FTS|1\r${msg('2')}`]) {
      const r = parseBatch(bad);
      expect(r.issues.find((i) => i.severity === 'error')).toMatchObject({ code: 'HL7_BATCH_STRUCTURE' });
    }
    expect(parseBatch('').issues).toMatchObject([{ severity: 'error', code: 'HL7_EMPTY' }]);
  });

  it('prefixes each message issue with its position', () => {
    const r = parseBatch(`${msg('1')}MSH|^~\\&|A\nPID|1\n`);
    expect(r.issues.find((i) => i.code === 'HL7_SEGMENT_TERMINATOR')?.path).toBe('message[2]');
  });
});
