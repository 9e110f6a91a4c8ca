/**
 * Schematron → XSLT 3.0 compilation (our own; no skeleton or SchXslt stylesheet involved).
 *
 * Shape of the generated stylesheet:
 * - one global `xsl:variable` per schema-, phase- and pattern-level `sch:let` (pattern lets are global, as in the
 *   ISO skeleton: the ANS volets define value-set paths in a "variables" pattern and use them in other patterns);
 * - per active pattern, for each rule: the nodes its context matches (the context turned into a select expression,
 *   see `pattern-to-select.ts`), and the rule fires on those for which it is the FIRST matching rule of the pattern;
 *   so every node is considered once per pattern and gets at most one rule (Schematron semantics). Each rule body
 *   (lets, asserts, reports) is a named template called with the matched node as context item, abstract rules are
 *   templates too (see `rule-body.ts`). Selecting rather than dispatching templates on every node lets absolute
 *   contexts navigate straight to their nodes: on CDA documents several times faster in SaxonJS than one
 *   mode-per-pattern traversal;
 * - a failed assert / successful report / dynamic error yields a small map; the principal result is a JSON array of
 *   those maps. Static data (ids, roles, contexts) stays on the TypeScript side, indexed by rule and assertion
 *   number.
 * The `xml:base` of the stylesheet is the .sch file URL, so `document('../jeuxDeValeurs/x.xml')` resolves next to
 * the schema, as when the stylesheet is compiled in place.
 */
import { pathToFileURL } from 'node:url';
import type { ConcretePattern, ConcreteRule } from './instantiate.js';
import type { SchLet, SchSchema } from './schematron-model.js';
import type { PhaseSelection } from './select-phase.js';
import { prepareExpression } from './expressions.js';
import { R, XS, XSL } from './names.js';
import { RESOURCE_FUNCTIONS } from './resource-functions.js';
import { KeyRegistry, patternToSelect } from './pattern-to-select.js';
import { RuleBodyWriter, type AssertionInfo } from './rule-body.js';
import { escapeAttr, escapeText, serializeElement } from './xml-text.js';

export type { AssertionInfo } from './rule-body.js';

/** Bump when the generated XSLT changes shape: it is part of the SEF cache key. */
export const GENERATOR_VERSION = '2';

const ERR = 'Q{http://www.w3.org/2005/xqt-errors}';
/** Name of the stylesheet parameter that turns fired-rule tracing on. */
export const TRACE_PARAM = `${R}trace`;

export interface RuleInfo {
  /** Index in {@link GeneratedXslt.patterns}. */
  pattern: number;
  context: string;
  id?: string;
}

/** The stylesheet text and the tables its results refer to. */
export interface GeneratedXslt {
  xslt: string;
  phase: string;
  patterns: { id?: string }[];
  rules: RuleInfo[];
  assertions: AssertionInfo[];
  unknownPatternIds: string[];
  /** Every XPath expression of the stylesheet (lets, contexts, tests, value-of), for static inspection. */
  expressions: string[];
}

/** Thrown when the schema cannot be expressed as one stylesheet (namespace prefix or global variable clashes). */
export class SchematronCompileError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'SchematronCompileError';
  }
}

function namespaceDeclarations(schema: SchSchema): string {
  const seen = new Map<string, string>([['xsl', XSL]]);
  let out = ` xmlns:xsl="${XSL}"`;
  for (const { prefix, uri } of schema.namespaces) {
    if (prefix === 'xml') continue;
    const previous = seen.get(prefix);
    if (previous === uri) continue;
    if (previous !== undefined) {
      throw new SchematronCompileError(schema.file, `namespace prefix '${prefix}' bound to both '${previous}' and '${uri}'`);
    }
    seen.set(prefix, uri);
    out += ` xmlns:${prefix}="${escapeAttr(uri)}"`;
  }
  return out;
}

/**
 * Global variables: schema lets, phase lets, then pattern lets (active patterns first). A name defined twice with
 * the same expression is emitted once; two different definitions among schema, phase and active-pattern lets are an
 * error; an inactive pattern cannot override an earlier definition.
 */
function globalLets(schema: SchSchema, selection: PhaseSelection, keys: KeyRegistry): { text: string; names: Set<string>; expressions: string[] } {
  const defined = new Map<string, string>();
  const strict: SchLet[] = [...schema.lets, ...selection.lets, ...selection.active.flatMap((p) => p.lets)];
  const lenient: SchLet[] = selection.inactive.flatMap((p) => p.lets);
  let out = '';
  const emit = (l: SchLet, isStrict: boolean): void => {
    const previous = defined.get(l.name);
    if (previous !== undefined) {
      if (previous !== l.value && isStrict) {
        throw new SchematronCompileError(schema.file, `let '${l.name}' defined twice at global level ("${previous}" and "${l.value}")`);
      }
      return;
    }
    defined.set(l.name, l.value);
    out += `<xsl:variable name="${escapeAttr(l.name)}" select="${escapeAttr(prepareExpression(l.value, keys))}"/>\n`;
  };
  for (const l of strict) emit(l, true);
  for (const l of lenient) emit(l, false);
  return { text: out, names: new Set(defined.keys()), expressions: [...defined.values()] };
}

interface Counters {
  rules: RuleInfo[];
  keys: KeyRegistry;
  namespaces: ReadonlyMap<string, string>;
  writer: RuleBodyWriter;
  templates: string[];
}

/** A named template evaluating one rule with the matched node as context item; dynamic errors become results. */
function ruleTemplate(rule: ConcreteRule, ruleIndex: number, writer: RuleBodyWriter): string {
  const trace = `<xsl:if test="$${TRACE_PARAM}"><xsl:sequence select="map{'k':'r','r':${ruleIndex},'loc':${R}location(.)}"/></xsl:if>\n`;
  const onError = `<xsl:sequence select="map{'k':'e','r':${ruleIndex},'loc':${R}location(.),'msg':string($${ERR}code) || ': ' || $${ERR}description}"/>`;
  return `<xsl:template name="${R}r${ruleIndex}">\n<xsl:try>\n${trace}${writer.body(rule.items, String(ruleIndex))}<xsl:catch>${onError}</xsl:catch></xsl:try>\n</xsl:template>\n`;
}

const MAP_MERGE = 'Q{http://www.w3.org/2005/xpath-functions/map}merge';

/**
 * Declarations running one pattern. Each rule's matches are a global variable (the context as a select, see
 * `pattern-to-select.ts`; a dynamic error becomes an `e` result); a named template then fires every rule on the nodes
 * for which it is the FIRST matching rule of the pattern, found with one map from node id to the lowest matching
 * rule index. Nothing is nested per rule: long sequences of local variables compile to deeply nested `let`s, which
 * overflow the stack of the SaxonJS compiler on schemas with hundreds of rules per pattern.
 */
function patternDeclarations(pattern: ConcretePattern, patternIndex: number, counters: Counters): string {
  let globals = '';
  let body = '';
  const entries: string[] = [];
  pattern.rules.forEach((rule) => {
    const ruleIndex = counters.rules.length;
    counters.rules.push({ pattern: patternIndex, context: rule.context, ...(rule.id !== undefined ? { id: rule.id } : {}) });
    counters.writer.expressions.push(rule.context);
    counters.templates.push(ruleTemplate(rule, ruleIndex, counters.writer));
    const select = prepareExpression(patternToSelect(rule.context, counters.namespaces, counters.keys), counters.keys);
    const matches = `$${R}m${ruleIndex}[. instance of node()]`;
    const onError = `map{'k':'e','r':${ruleIndex},'loc':'/','msg':string($${ERR}code) || ': ' || $${ERR}description}`;
    globals += `<xsl:variable name="${R}m${ruleIndex}" as="item()*"><xsl:try select="${escapeAttr(select)}"><xsl:catch select="${onError}"/></xsl:try></xsl:variable>\n`;
    entries.push(`${matches} ! map{generate-id(.): ${ruleIndex}}`);
    const firing = pattern.rules.length < 2 ? matches : `${matches}[$${R}first(generate-id(.)) eq ${ruleIndex}]`;
    body +=
      `<xsl:sequence select="$${R}m${ruleIndex}[. instance of map(*)]"/>\n` +
      `<xsl:for-each select="${firing}"><xsl:call-template name="${R}r${ruleIndex}"/></xsl:for-each>\n`;
  });
  const first =
    pattern.rules.length < 2
      ? ''
      : `<xsl:variable name="${R}first" as="map(*)" select="${MAP_MERGE}((${entries.join(',\n')}), map{'duplicates': 'use-first'})"/>\n`;
  return `${globals}<xsl:template name="${R}pattern${patternIndex}">\n${first}${body}</xsl:template>\n`;
}

/** `/ClinicalDocument/component[1]/@code`-style location of a node (lexical names, positions among same-name siblings). */
const LOCATION_FUNCTION = `<xsl:function name="${R}location" as="${XS}string">
<xsl:param name="node" as="node()"/>
<xsl:sequence select="if ($node instance of document-node()) then '/' else string-join(
  for $n in $node/ancestor-or-self::node()[not(self::document-node())] return
    if ($n instance of attribute()) then '/@' || name($n)
    else if ($n instance of element()) then '/' || name($n) || (if ($n/parent::document-node()) then ''
      else '[' || (count($n/preceding-sibling::*[node-name(.) eq node-name($n)]) + 1) || ']')
    else if ($n instance of text()) then '/text()[' || (count($n/preceding-sibling::text()) + 1) || ']'
    else if ($n instance of comment()) then '/comment()[' || (count($n/preceding-sibling::comment()) + 1) || ']'
    else '/processing-instruction()[' || (count($n/preceding-sibling::processing-instruction()) + 1) || ']', '')"/>
</xsl:function>
`;

/**
 * Generates the validation stylesheet for the selected phase of a schema.
 * @throws SchematronCompileError on namespace or global variable clashes and unknown diagnostics.
 */
export function generateXslt(schema: SchSchema, selection: PhaseSelection): GeneratedXslt {
  const keys = new KeyRegistry(R);
  const globals = globalLets(schema, selection, keys);
  const writer = new RuleBodyWriter(schema.diagnostics, globals.names, keys, schema.file);
  writer.expressions.push(...globals.expressions);
  const counters: Counters = {
    rules: [],
    keys,
    namespaces: new Map(schema.namespaces.map((n) => [n.prefix, n.uri])),
    writer,
    templates: [],
  };
  const patterns = selection.active.map((p) => (p.id !== undefined ? { id: p.id } : {}));
  const declarations = selection.active.map((p, i) => patternDeclarations(p, i, counters)).join('');
  const runs = selection.active.map((_, i) => `<xsl:call-template name="${R}pattern${i}"/>\n`).join('');
  const comment = (s: string): string => escapeText(s).replace(/--/g, '- -');
  const xslt =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<!-- Generated by Relais from ${comment(schema.file)} (phase ${comment(selection.phase)}); do not edit. -->\n` +
    `<xsl:stylesheet version="3.0"${namespaceDeclarations(schema)} xml:base="${escapeAttr(pathToFileURL(schema.file).href)}">\n` +
    `<xsl:output method="json" indent="no"/>\n` +
    `<xsl:param name="${TRACE_PARAM}" as="${XS}boolean" select="false()"/>\n` +
    schema.xslDeclarations.map((d) => serializeElement(d) + '\n').join('') +
    globals.text +
    keys.keys().map((k) => `<xsl:key name="${k.name}" match="${escapeAttr(k.match)}" use="${escapeAttr(k.use)}"/>\n`).join('') +
    LOCATION_FUNCTION +
    RESOURCE_FUNCTIONS +
    `<xsl:template match="/">\n<xsl:variable name="${R}results" as="map(*)*">\n${runs}</xsl:variable>\n` +
    `<xsl:sequence select="array{$${R}results}"/>\n</xsl:template>\n` +
    declarations +
    counters.templates.join('') +
    writer.abstractTemplates() +
    `</xsl:stylesheet>\n`;
  return {
    xslt,
    phase: selection.phase,
    patterns,
    rules: counters.rules,
    assertions: writer.assertions,
    expressions: writer.expressions,
    unknownPatternIds: selection.unknownPatternIds,
  };
}
