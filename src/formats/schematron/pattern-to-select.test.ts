import { describe, expect, it } from 'vitest';
import { isSurelyBoolean, KeyRegistry, NAME_INDEX_USE, patternToSelect, splitTopLevelUnion } from './pattern-to-select.js';

const ns = new Map([['cda', 'urn:hl7-org:v3']]);
const select = (pattern: string): { select: string; keys: string[] } => {
  const keys = new KeyRegistry('K');
  return { select: patternToSelect(pattern, ns, keys), keys: keys.keys().map((k) => `${k.name}=${k.use}`) };
};

describe('splitTopLevelUnion', () => {
  it('splits on | and union outside brackets, parentheses and literals', () => {
    expect(splitTopLevelUnion("a | b[c | d] | e('x|y') | (f|g)")).toEqual(['a', 'b[c | d]', "e('x|y')", '(f|g)']);
    expect(splitTopLevelUnion('a union b')).toEqual(['a', 'b']);
    expect(splitTopLevelUnion('cda:x[@a = "union"]')).toEqual(['cda:x[@a = "union"]']);
  });
});

describe('isSurelyBoolean', () => {
  it.each(['@root = "1.2"', "cda:code/@code='x' and @a", 'not(@nullFlavor)', 'cda:templateId[@root = "x"]', '@code', '../cda:section', 'text()', 'x/y//z'])(
    'accepts %s',
    (p) => expect(isSurelyBoolean(p)).toBe(true),
  );
  it.each(['1', 'last()', 'position() - 1', '$n', 'count(cda:x)', '@a - 1', 'string-length(.)', 'if (@a) then 1 else 2', 'a => exists()'])('rejects %s', (p) =>
    expect(isSurelyBoolean(p)).toBe(false),
  );
});

describe('patternToSelect', () => {
  it('keeps absolute paths and rooted expressions as they are', () => {
    expect(select('/cda:ClinicalDocument/cda:component').select).toBe('/cda:ClinicalDocument/cda:component');
    expect(select('/').select).toBe('/');
    expect(select('$xpath_elt').select).toBe('($xpath_elt)');
    expect(select("key('k', 'v')/x").select).toBe("(key('k', 'v')/x)");
  });

  it('answers the CDA templateId idiom from an index on child/@attribute', () => {
    expect(select('*[cda:templateId/@root="1.2.3"]')).toEqual({ select: 'key(\'Kk0\', "1.2.3")', keys: ['Kk0=cda:templateId/@root'] });
    expect(select("cda:section[./cda:templateId/@root = '1.2']/cda:entry").select).toBe("key('Kk0', '1.2')[self::cda:section]/cda:entry");
    expect(select("*[cda:templateId/@root='1'][cda:code]").select).toBe("key('Kk0', '1')[cda:code]");
  });

  it('answers other name tests from the element-name index', () => {
    expect(select('cda:ClinicalDocument/cda:author')).toEqual({
      select: "key('Kk0', '{urn:hl7-org:v3}ClinicalDocument')/cda:author",
      keys: [`Kk0=${NAME_INDEX_USE}`],
    });
    expect(select('//cda:observation[cda:code]').select).toBe("key('Kk0', '{urn:hl7-org:v3}observation')[cda:code]");
    expect(select('line').select).toBe("key('Kk0', '{}line')");
  });

  it('falls back to root//(pattern) when an index would change the meaning', () => {
    expect(select('cda:entry[1]').select).toBe('//(cda:entry[1])');
    expect(select('cda:entry[last()]/cda:act').select).toBe('//(cda:entry[last()]/cda:act)');
    expect(select('@code').select).toBe('//(@code)');
    expect(select('text()').select).toBe('//(text())');
    expect(select('unknown:x').select).toBe('//(unknown:x)');
    expect(select('//cda:x[2]').select).toBe('//cda:x[2]');
  });

  it('handles each branch of a union on its own', () => {
    expect(select('/cda:ClinicalDocument | cda:section[@x] | cda:entry[2]').select).toBe(
      "(/cda:ClinicalDocument) | (key('Kk0', '{urn:hl7-org:v3}section')[@x]) | (//(cda:entry[2]))",
    );
  });
});
