/**
 * Turns a resolved Schematron XML tree (see `load-schematron.ts`) into the {@link SchSchema} model. Documentation
 * elements (`title`, `p`, `properties`) are ignored; constructs this implementation does not support are refused
 * with a message naming the file, never skipped silently.
 */
import { SCH_NS } from './load-schematron.js';
import type {
  MessagePart,
  RuleItem,
  SchAssertion,
  SchDiagnostic,
  SchLet,
  SchPattern,
  SchPhase,
  SchRule,
  SchSchema,
} from './schematron-model.js';
import { childElements, XmlTreeError, type XmlElementNode } from './xml-tree.js';

export const XSL_NS = 'http://www.w3.org/1999/XSL/Transform';

/** Query bindings whose expressions are evaluated as XPath 3.1 in an XSLT 3.0 stylesheet. */
export const SUPPORTED_QUERY_BINDINGS = ['xslt', 'xslt2', 'xslt3', 'xpath', 'xpath2', 'xpath3', 'xpath31'] as const;

const IGNORED = new Set(['title', 'p', 'properties', 'property']);

function required(e: XmlElementNode, attr: string): string {
  const v = e.attrs[attr];
  if (v === undefined) throw new XmlTreeError(e.file, `<${e.name}> requires @${attr}`);
  return v;
}

function optional(e: XmlElementNode, attr: string): string | undefined {
  return e.attrs[attr];
}

function isSch(e: XmlElementNode, local?: string): boolean {
  return e.ns === SCH_NS && (local === undefined || e.local === local);
}

function readLet(e: XmlElementNode): SchLet {
  const value = e.attrs['value'];
  if (value === undefined) throw new XmlTreeError(e.file, `<${e.name} name="${e.attrs['name'] ?? ''}"> without @value (element content) is not supported`);
  return { name: required(e, 'name'), value };
}

/** Text with `value-of`, `name` and inline markup (`emph`, `dir`, `span`, foreign elements: their text). */
export function readMessage(e: XmlElementNode): MessagePart[] {
  const parts: MessagePart[] = [];
  for (const c of e.children) {
    if (c.kind === 'text') parts.push({ kind: 'text', text: c.value });
    else if (isSch(c, 'value-of')) parts.push({ kind: 'value-of', select: required(c, 'select') });
    else if (isSch(c, 'name')) {
      const path = optional(c, 'path');
      parts.push(path === undefined ? { kind: 'name' } : { kind: 'name', path });
    } else parts.push(...readMessage(c));
  }
  return parts;
}

function readAssertion(e: XmlElementNode): SchAssertion {
  const a: SchAssertion = {
    kind: e.local === 'assert' ? 'assert' : 'report',
    test: required(e, 'test'),
    message: readMessage(e),
    diagnostics: (optional(e, 'diagnostics') ?? '').split(/\s+/).filter((s) => s !== ''),
  };
  for (const key of ['id', 'role', 'flag', 'see'] as const) {
    const v = optional(e, key);
    if (v !== undefined) a[key] = v;
  }
  return a;
}

function readRule(e: XmlElementNode): SchRule {
  const abstract = optional(e, 'abstract') === 'true';
  const items: RuleItem[] = [];
  for (const c of childElements(e)) {
    if (!isSch(c)) throw new XmlTreeError(c.file, `unexpected <${c.name}> in a rule`);
    if (c.local === 'let') items.push({ kind: 'let', let: readLet(c) });
    else if (c.local === 'assert' || c.local === 'report') items.push({ kind: 'assertion', assertion: readAssertion(c) });
    else if (c.local === 'extends') items.push({ kind: 'extends', rule: required(c, 'rule') });
    else if (!IGNORED.has(c.local)) throw new XmlTreeError(c.file, `unexpected <${c.name}> in a rule`);
  }
  const rule: SchRule = { abstract, items };
  const context = optional(e, 'context');
  if (context !== undefined) rule.context = context;
  else if (!abstract) throw new XmlTreeError(e.file, '<rule> requires @context unless abstract="true"');
  for (const key of ['id', 'role', 'flag'] as const) {
    const v = optional(e, key);
    if (v !== undefined) rule[key] = v;
  }
  return rule;
}

function readPattern(e: XmlElementNode): SchPattern {
  if (optional(e, 'documents') !== undefined) throw new XmlTreeError(e.file, 'pattern/@documents (ISO 2016) is not supported');
  const pattern: SchPattern = { abstract: optional(e, 'abstract') === 'true', params: {}, lets: [], rules: [] };
  const id = optional(e, 'id');
  if (id !== undefined) pattern.id = id;
  const isA = optional(e, 'is-a');
  if (isA !== undefined) pattern.isA = isA;
  for (const c of childElements(e)) {
    if (!isSch(c)) throw new XmlTreeError(c.file, `unexpected <${c.name}> in a pattern`);
    if (c.local === 'rule') pattern.rules.push(readRule(c));
    else if (c.local === 'let') pattern.lets.push(readLet(c));
    else if (c.local === 'param') pattern.params[required(c, 'name')] = required(c, 'value');
    else if (!IGNORED.has(c.local)) throw new XmlTreeError(c.file, `unexpected <${c.name}> in a pattern`);
  }
  return pattern;
}

function readPhase(e: XmlElementNode): SchPhase {
  const phase: SchPhase = { id: required(e, 'id'), active: [], lets: [] };
  for (const c of childElements(e, SCH_NS)) {
    if (c.local === 'active') phase.active.push(required(c, 'pattern'));
    else if (c.local === 'let') phase.lets.push(readLet(c));
  }
  return phase;
}

function readDiagnostics(e: XmlElementNode, into: Map<string, SchDiagnostic>): void {
  for (const d of childElements(e, SCH_NS, 'diagnostic')) {
    const id = required(d, 'id');
    into.set(id, { id, message: readMessage(d) });
  }
}

/**
 * Builds the schema model from the resolved `sch:schema` element.
 * @throws XmlTreeError for unsupported query bindings, missing required attributes or unknown elements.
 */
export function readSchema(root: XmlElementNode): SchSchema {
  const queryBinding = optional(root, 'queryBinding') ?? 'xslt';
  if (!(SUPPORTED_QUERY_BINDINGS as readonly string[]).includes(queryBinding.toLowerCase())) {
    throw new XmlTreeError(root.file, `queryBinding "${queryBinding}" is not supported (supported: ${SUPPORTED_QUERY_BINDINGS.join(', ')})`);
  }
  const schema: SchSchema = {
    file: root.file,
    queryBinding,
    namespaces: [],
    lets: [],
    phases: [],
    patterns: [],
    diagnostics: new Map(),
    xslDeclarations: [],
  };
  const defaultPhase = optional(root, 'defaultPhase');
  if (defaultPhase !== undefined) schema.defaultPhase = defaultPhase;
  for (const c of childElements(root)) {
    if (c.ns === XSL_NS) {
      schema.xslDeclarations.push(c);
      continue;
    }
    if (!isSch(c)) throw new XmlTreeError(c.file, `unexpected <${c.name}> in the schema`);
    switch (c.local) {
      case 'ns':
        schema.namespaces.push({ prefix: required(c, 'prefix'), uri: required(c, 'uri') });
        break;
      case 'let':
        schema.lets.push(readLet(c));
        break;
      case 'phase':
        schema.phases.push(readPhase(c));
        break;
      case 'pattern':
        schema.patterns.push(readPattern(c));
        break;
      case 'diagnostics':
        readDiagnostics(c, schema.diagnostics);
        break;
      default:
        if (!IGNORED.has(c.local)) throw new XmlTreeError(c.file, `unexpected <${c.name}> in the schema`);
    }
  }
  return schema;
}
