import { describe, expect, it } from 'vitest';
import { guardResourceCalls } from './resource-functions.js';

const R = 'Q{urn:relais:schematron}';

describe('guardResourceCalls', () => {
  it('redirects doc, document/1, doc-available, unparsed-text and json-doc calls', () => {
    expect(guardResourceCalls("document($p)//x[doc-available(concat('a', @b))]")).toBe(`${R}document($p)//x[${R}doc-available(concat('a', @b))]`);
    expect(guardResourceCalls('fn:doc(@href) | unparsed-text($u, "utf-8")')).toBe(`${R}doc(@href) | ${R}unparsed-text($u, "utf-8")`);
  });

  it('leaves other arities, names, literals and EQNames alone', () => {
    for (const expr of [
      'document($a, $b)',
      'mydoc(1)',
      'cda:document',
      "'doc(1)'",
      'Q{http://www.w3.org/2005/xpath-functions}doc($x)',
      'document-node()',
      '$doc(1)',
    ]) {
      expect(guardResourceCalls(expr)).toBe(expr);
    }
  });
});
