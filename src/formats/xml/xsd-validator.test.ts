import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IssuesError } from '../../engine/issues.js';
import { compileXsd, type XsdValidator } from './xsd-validator.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const ans = path.resolve(repoRoot, '../shared/ans/cda');
const cdaXsd = path.join(ans, 'infrastructure/cda/CDA_extended.xsd');
const examplesDir = path.join(ans, 'ExemplesCDA');
const examples = fs.readdirSync(examplesDir).filter((f) => f.endsWith('.xml')).sort();
const frcp = fs.readFileSync(path.join(examplesDir, 'CANCER-FRCP_2022.01_Appareil.xml'), 'utf8');

/** Line (1-based) of the first occurrence of `needle` in `text`. */
const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('compileXsd on the ANS CDA schema', () => {
  let cda: XsdValidator;
  beforeAll(() => {
    const t0 = performance.now();
    cda = compileXsd(cdaXsd);
    console.log(`CDA_extended.xsd compiled in ${(performance.now() - t0).toFixed(0)} ms`);
  });
  afterAll(() => cda.dispose());

  it.each(examples)('accepts the ANS example %s', (file) => {
    const xml = fs.readFileSync(path.join(examplesDir, file));
    const t0 = performance.now();
    const issues = cda.validate(xml);
    console.log(`${file}: ${(performance.now() - t0).toFixed(1)} ms`);
    expect(issues).toEqual([]);
  });

  it('reports an unknown element with its line and path', () => {
    const broken = frcp.replace('<languageCode code="fr-FR" />', '<languageCode code="fr-FR" /><bogus/>');
    const issues = cda.validate(broken);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ severity: 'error', code: 'XSD' });
    expect(issues[0]?.message).toMatch(/Element '\{urn:hl7-org:v3\}bogus': This element is not expected/);
    expect(issues[0]?.path).toBe(`line ${lineOf(broken, '<bogus/>')}, /ClinicalDocument/bogus[1]`);
  });

  it('reports a missing required element', () => {
    const start = frcp.indexOf('<representedCustodianOrganization>');
    const endTag = '</representedCustodianOrganization>';
    const end = frcp.indexOf(endTag) + endTag.length;
    const broken = frcp.slice(0, start) + frcp.slice(end);
    const issues = cda.validate(broken);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/assignedCustodian': Missing child element\(s\)\. Expected is one of \(.*\{urn:hl7-org:v3\}representedCustodianOrganization \)/);
    expect(issues[0]?.path).toMatch(/^line \d+, \/ClinicalDocument\/custodian\[1\]\/assignedCustodian\[1\]$/);
  });

  it('reports an attribute that is not allowed and a value outside its enumeration', () => {
    const broken = frcp
      .replace('<languageCode code="fr-FR" />', '<languageCode code="fr-FR" colour="blue"/>')
      .replace('<custodian>', '<custodian typeCode="NOPE">');
    const issues = cda.validate(broken);
    const messages = issues.map((i) => i.message).join('\n');
    expect(issues.every((i) => i.code === 'XSD' && i.severity === 'error')).toBe(true);
    expect(messages).toMatch(/languageCode', attribute 'colour': The attribute 'colour' is not allowed/);
    expect(messages).toMatch(/custodian', attribute 'typeCode': \[facet 'enumeration'\] The value 'NOPE' is not an element of the set/);
    expect(issues.map((i) => i.path)).toContain(`line ${lineOf(broken, 'colour=')}, /ClinicalDocument/languageCode[1]`);
  });

  it('refuses a document declaring an external entity, without reading it', () => {
    const xxe = frcp.replace(
      '<ClinicalDocument',
      '<!DOCTYPE ClinicalDocument [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n<ClinicalDocument',
    ).replace('<title>', '<title>&secret;');
    const issues = cda.validate(xxe);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ severity: 'error', code: 'XML_EXTERNAL_ENTITY' });
    expect(JSON.stringify(issues)).not.toContain('root:');
  });

  it('refuses an external DTD and reports a malformed document as XML_PARSE with its line', () => {
    expect(cda.validate('<!DOCTYPE a SYSTEM "http://example.org/a.dtd"><a/>')[0]?.code).toBe('XML_EXTERNAL_ENTITY');
    const issues = cda.validate('<ClinicalDocument xmlns="urn:hl7-org:v3">\n<title>x</ClinicalDocument>');
    expect(issues[0]).toMatchObject({ severity: 'error', code: 'XML_PARSE', path: 'line 2' });
  });

  it('decodes buffers from their encoding declaration', () => {
    const latin1 = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"><é/></ClinicalDocument>', 'latin1');
    const issues = cda.validate(latin1);
    expect(issues[0]?.message).toContain("Element '{urn:hl7-org:v3}é'");
    expect(issues[0]?.path).toBe('line 2, /ClinicalDocument/é[1]');
  });

  it('frees the parsed documents (WebAssembly memory stays flat over many validations)', () => {
    const doc = Buffer.from(frcp);
    for (let i = 0; i < 20; i++) cda.validate(doc);
    const before = process.memoryUsage().external;
    for (let i = 0; i < 300; i++) cda.validate(doc);
    const grownMb = (process.memoryUsage().external - before) / 1e6;
    expect(grownMb).toBeLessThan(20);
  });
});

describe('compileXsd on small fixtures', () => {
  const fixtures = path.join(here, 'fixtures/xsd');

  it('resolves xs:include relative to the schema file', () => {
    const v = compileXsd(path.join(fixtures, 'order.xsd'));
    try {
      expect(v.validate('<order xmlns="urn:relais:test"><id>1</id><line qty="2"/></order>')).toEqual([]);
      const issues = v.validate('<order xmlns="urn:relais:test">\n<id>1</id>\n<line qty="0"/></order>');
      expect(issues).toHaveLength(1);
      expect(issues[0]?.path).toBe('line 3, /order/line[1]');
      expect(issues[0]?.message).toMatch(/attribute 'qty'.*'0' is not a valid value/);
    } finally {
      v.dispose();
    }
  });

  it('throws IssuesError(XSD_SCHEMA) for a missing schema or an include outside the schema directory', () => {
    expect(() => compileXsd(path.join(fixtures, 'absent.xsd'))).toThrow(IssuesError);
    try {
      compileXsd(path.join(fixtures, 'broken-include.xsd'));
      expect.unreachable('the include escaping the schema directory must not load');
    } catch (e) {
      expect(e).toBeInstanceOf(IssuesError);
      expect((e as IssuesError).issues[0]?.code).toBe('XSD_SCHEMA');
    }
  });

  it('refuses to validate after dispose', () => {
    const v = compileXsd(path.join(fixtures, 'order.xsd'));
    v.dispose();
    v.dispose();
    expect(() => v.validate('<order xmlns="urn:relais:test"/>')).toThrow(/disposed/);
  });
});
