/**
 * Oracle test for pattern-to-select.ts and descendant-steps.ts: for each pattern, the nodes our select expression
 * returns must be exactly the nodes Saxon's own template matching (`match="…"`) accepts, on a document exercising
 * positions, unions, attributes and text.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useDescendantAxis } from './descendant-steps.js';
import { prepareExpression } from './expressions.js';
import { KeyRegistry, patternToSelect } from './pattern-to-select.js';
import { parseSaxonDocument, transformToString } from './saxon-runtime.js';
import { escapeAttr } from './xml-text.js';
import { compileXsltFile } from './xslt3-compiler.js';

const PATTERNS = [
  '/',
  '/cda:doc/cda:section',
  'cda:section',
  'cda:section[1]',
  'cda:entry[last()]',
  'cda:entry[2]/cda:value',
  '*[cda:templateId/@root = "1.1"]',
  "cda:section[cda:templateId/@root='1.1']/cda:entry",
  '*[cda:templateId/@root="1.1"][cda:code]',
  '//cda:entry[@typeCode]',
  'cda:entry//cda:value',
  'cda:section | /cda:doc/cda:title | cda:entry[1]',
  '@code',
  'cda:value/@code',
  'text()',
  'cda:title/text()',
  '*',
  'node()',
  'other:x',
  'x',
];

const DOC = `<doc xmlns="urn:hl7-org:v3" xmlns:o="urn:other">
  <title>T</title>
  <section><templateId root="1.1"/><code code="c1"/>
    <entry typeCode="DRIV"><value code="v1"/></entry>
    <entry><templateId root="1.1"/><value code="v2">text</value></entry>
  </section>
  <section><templateId root="2.2"/>
    <entry><section><templateId root="1.1"/><entry><value/></entry></section></entry>
  </section>
  <o:x/><x xmlns=""/>
</doc>`;

const HEAD = `<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:cda="urn:hl7-org:v3" xmlns:other="urn:other">
<xsl:output method="json"/>\n`;

function matchingStylesheet(): string {
  let modes = '';
  let calls = '';
  PATTERNS.forEach((p, i) => {
    modes += `<xsl:template match="${escapeAttr(p)}" mode="m${i}" priority="1"><xsl:sequence select="path(.)"/></xsl:template>\n`;
    modes += `<xsl:template match="node()|@*|/" mode="m${i}" priority="0"/>\n`;
    calls += `map{'i': ${i}, 'nodes': array{ $all ! Q{urn:t}m${i}(.) }},\n`;
  });
  const functions = PATTERNS.map(
    (_, i) => `<xsl:function name="Q{urn:t}m${i}"><xsl:param name="n"/><xsl:apply-templates select="$n" mode="m${i}"/></xsl:function>\n`,
  ).join('');
  return (
    `${HEAD}${modes}${functions}<xsl:template match="/">\n<xsl:variable name="all" select="(/, //node(), //@*)"/>\n` +
    `<xsl:sequence select="array{ ${escapeAttr(calls)} () }"/></xsl:template>\n</xsl:stylesheet>\n`
  );
}

function keyDeclarations(keys: KeyRegistry): string {
  return keys.keys().map((k) => `<xsl:key name="${k.name}" match="${escapeAttr(k.match)}" use="${escapeAttr(k.use)}"/>\n`).join('');
}

function selectingStylesheet(): string {
  const keys = new KeyRegistry('Q{urn:t}');
  const ns = new Map([['cda', 'urn:hl7-org:v3'], ['other', 'urn:other']]);
  const selects = PATTERNS.map((p, i) => `map{'i': ${i}, 'nodes': array{ (${useDescendantAxis(patternToSelect(p, ns, keys))}) ! path(.) }},\n`);
  const keyDecls = keyDeclarations(keys);
  return `${HEAD}${keyDecls}<xsl:template match="/"><xsl:sequence select="array{ ${escapeAttr(selects.join(''))} () }"/></xsl:template>\n</xsl:stylesheet>\n`;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-pattern-eq-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(name: string, xslt: string): Promise<Map<number, string[]>> {
  const xsl = path.join(dir, `${name}.xsl`);
  const sef = path.join(dir, `${name}.sef.json`);
  fs.writeFileSync(xsl, xslt);
  await compileXsltFile(xsl, sef);
  const json = await transformToString({
    stylesheetInternal: JSON.parse(fs.readFileSync(sef, 'utf8')) as object,
    sourceNode: await parseSaxonDocument(DOC),
    destination: 'serialized',
  });
  const rows = JSON.parse(json) as { i: number; nodes: string[] }[];
  return new Map(rows.map((r) => [r.i, [...new Set(r.nodes)].sort()]));
}

/** Expressions rewritten by prepareExpression, evaluated from every element (and the document node). */
const EXPRESSIONS = [
  './/cda:templateId[@root = "1.1"]',
  ".//cda:templateId[@root='1.1']/..",
  '//cda:templateId[@root="1.1"]',
  'count(.//cda:entry[@typeCode = "DRIV"])',
  './/cda:templateId[@root = "1.1"][1]',
  '..//cda:value',
  './/cda:value[@code]',
  'cda:entry//cda:value[@code = "v1"]',
  './/*[@root = "2.2"]',
];

function expressionStylesheet(rewrite: boolean): string {
  const keys = new KeyRegistry('Q{urn:t}');
  const rows = EXPRESSIONS.map((e, i) => {
    const expr = rewrite ? prepareExpression(e, keys) : e;
    return `map{'i': ${i}, 'nodes': array{ (/, //*) ! (path(.) || ' -> ' || string-join((${expr}) ! Q{urn:t}show(.), ' ')) }},\n`;
  });
  const show = `<xsl:function name="Q{urn:t}show"><xsl:param name="item"/><xsl:sequence select="if ($item instance of node()) then path($item) else string($item)"/></xsl:function>\n`;
  return `${HEAD}${keyDeclarations(keys)}${show}<xsl:template match="/"><xsl:sequence select="array{ ${escapeAttr(rows.join(''))} () }"/></xsl:template>\n</xsl:stylesheet>\n`;
}

describe('rewritten expressions', () => {
  it('return what the original expressions return, from every context node', async () => {
    const [original, rewritten] = await Promise.all([run('expr-original', expressionStylesheet(false)), run('expr-rewritten', expressionStylesheet(true))]);
    for (const [i, expression] of EXPRESSIONS.entries()) {
      expect({ expression, results: rewritten.get(i) }).toEqual({ expression, results: original.get(i) });
    }
    expect(prepareExpression(EXPRESSIONS[0] ?? '', new KeyRegistry('K'))).toBe('(key(\'Kk0\', "1.1", .) except .)');
  }, 120_000);
});

describe('rule contexts as select expressions', () => {
  it('select exactly the nodes XSLT template matching accepts', async () => {
    const [matched, selected] = await Promise.all([run('match', matchingStylesheet()), run('select', selectingStylesheet())]);
    for (const [i, pattern] of PATTERNS.entries()) {
      expect({ pattern, nodes: selected.get(i) }).toEqual({ pattern, nodes: matched.get(i) });
    }
    expect(matched.get(3)).toEqual([
      '/Q{urn:hl7-org:v3}doc[1]/Q{urn:hl7-org:v3}section[1]',
      '/Q{urn:hl7-org:v3}doc[1]/Q{urn:hl7-org:v3}section[2]/Q{urn:hl7-org:v3}entry[1]/Q{urn:hl7-org:v3}section[1]',
    ]);
  }, 120_000);
});
