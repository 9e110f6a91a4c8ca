import { describe, expect, it } from 'vitest';
import { childElements, decodeEntities, parseXmlTree, XmlTreeError } from './xml-tree.js';

describe('parseXmlTree', () => {
  it('resolves namespaces, decodes entities and normalises attribute whitespace', () => {
    const root = parseXmlTree(
      '<s:schema xmlns:s="urn:s" xmlns="urn:d" a="x &amp; &#233;\ny&#10;z"><rule t="1">a &lt; b<![CDATA[ <c> ]]><s:x/></rule></s:schema>',
      '/tmp/f.sch',
    );
    expect([root.ns, root.local, root.attrs['a']]).toEqual(['urn:s', 'schema', 'x & é y\nz']);
    const [rule] = childElements(root);
    expect([rule?.ns, rule?.local, rule?.file]).toEqual(['urn:d', 'rule', '/tmp/f.sch']);
    expect(rule?.children.map((c) => (c.kind === 'text' ? c.value : `<${c.name}>`))).toEqual(['a < b', ' <c> ', '<s:x>']);
    expect(childElements(rule!, 'urn:s', 'x')).toHaveLength(1);
  });

  it('refuses DOCTYPEs, malformed XML, undeclared prefixes and entities, naming the file', () => {
    expect(() => parseXmlTree('<!DOCTYPE a [<!ENTITY e "x">]><a/>', 'f.sch')).toThrow(/f\.sch: DOCTYPE declarations are not accepted/);
    expect(() => parseXmlTree('<a><b></a>', 'f.sch')).toThrow(XmlTreeError);
    expect(() => parseXmlTree('<p:a/>', 'f.sch')).toThrow(/undeclared namespace prefix 'p'/);
    expect(() => decodeEntities('&nbsp;', 'f.sch')).toThrow(/undeclared entity &nbsp;/);
  });
});
