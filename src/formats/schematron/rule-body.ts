/**
 * XSLT for the content of a rule: lets, assertions (with their message, `value-of`, `name`, diagnostics) and
 * `extends`.
 *
 * `sch:extends` means textual inclusion of the abstract rule. Inlining it everywhere multiplies the stylesheet
 * size: the ART-DECOR datatype rules of the structurationMinimale profile (766 rules extending ~100 abstract rules)
 * become 13,000 assertions and 8.7 MB of XSLT, which the SaxonJS compiler cannot handle in reasonable time. So an
 * abstract rule is emitted once as a named template and called, whenever that is indistinguishable from inclusion:
 * every variable it reads is its own or global (and not shadowed by a let of the including rule), and the including
 * rule does not read the variables it defines. Otherwise it is inlined.
 */
import type { AbstractRule, ResolvedItem } from './instantiate.js';
import type { KeyRegistry } from './pattern-to-select.js';
import type { MessagePart, SchAssertion, SchDiagnostic } from './schematron-model.js';
import { prepareExpression } from './expressions.js';
import { R, XS } from './names.js';
import { escapeAttr, escapeText } from './xml-text.js';
/** Name of the parameter carrying the including rule's index into abstract-rule templates. */
const RULE_PARAM = `${R}rule`;

/** What the generated stylesheet reports about an assertion: the assertion without its message and diagnostics. */
export type AssertionInfo = Pick<SchAssertion, 'kind' | 'test' | 'id' | 'role' | 'flag' | 'see'>;

/** Thrown when an assertion refers to a diagnostic that does not exist. */
export class UnknownDiagnosticError extends Error {
  constructor(file: string, id: string) {
    super(`${file}: assertion refers to unknown diagnostic '${id}'`);
    this.name = 'UnknownDiagnosticError';
  }
}

const VARIABLE_REF = /\$((?:Q\{[^}]*\})?[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)/g;

const RANGE_BINDING = /\$((?:Q\{[^}]*\})?[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*(?:in\b|:=)/g;

/**
 * Names of the variables an XPath expression reads from outside: every `$name` except those the expression binds
 * itself (`for`/`some`/`every $x in`, `let $x :=`). String literals are ignored.
 */
export function variableReferences(expr: string): Set<string> {
  const text = expr.replace(/"[^"]*"|'[^']*'/g, "''");
  const bound = new Set([...text.matchAll(RANGE_BINDING)].map((m) => m[1] ?? ''));
  const names = new Set<string>();
  for (const m of text.matchAll(VARIABLE_REF)) if (!bound.has(m[1] ?? '')) names.add(m[1] ?? '');
  return names;
}

function messageExpressions(parts: MessagePart[]): string[] {
  return parts.flatMap((p) => (p.kind === 'value-of' ? [p.select] : p.kind === 'name' && p.path !== undefined ? [p.path] : []));
}

/** Lets defined and variables read by a list of items, following `extends` (inlined or not: conservative). */
interface Usage {
  defines: Set<string>;
  reads: Set<string>;
}

function merge(a: Usage, b: Usage | undefined): Usage {
  if (!b) return a;
  return { defines: new Set([...a.defines, ...b.defines]), reads: new Set([...a.reads, ...b.reads]) };
}

export class RuleBodyWriter {
  readonly assertions: AssertionInfo[] = [];
  readonly expressions: string[] = [];
  private readonly templates = new Map<AbstractRule, { name: string; text: string }>();
  private readonly usageCache = new Map<AbstractRule, Usage>();

  constructor(
    private readonly diagnostics: Map<string, SchDiagnostic>,
    private readonly globals: ReadonlySet<string>,
    private readonly keys: KeyRegistry,
    private readonly file: string,
  ) {}

  private xp(expr: string): string {
    return prepareExpression(expr, this.keys);
  }

  /** Definitions of the abstract-rule templates called so far. */
  abstractTemplates(): string {
    return [...this.templates.values()].map((t) => t.text).join('');
  }

  /**
   * Instructions for the items of a rule, evaluated with the matched node as context item.
   * @param ruleRef XPath giving the index of the rule that fired (a literal, or the parameter in abstract templates).
   * @param outer usage of the enclosing items when these are inlined into them.
   */
  body(items: ResolvedItem[], ruleRef: string, outer?: Usage): string {
    let out = '';
    items.forEach((item, i) => {
      if (item.kind === 'let') {
        out += `<xsl:variable name="${escapeAttr(item.let.name)}" select="${escapeAttr(this.xp(item.let.value))}"/>\n`;
        this.expressions.push(item.let.value);
      } else if (item.kind === 'assertion') {
        out += this.assertion(item.assertion, ruleRef);
      } else {
        // what the rest of the including rule (all items but this one, and the enclosing items) defines and reads
        const host = merge(this.usage(items.filter((_, j) => j !== i)), outer);
        out += this.callable(item.target, host)
          ? `<xsl:call-template name="${this.template(item.target)}"><xsl:with-param name="${RULE_PARAM}" select="${ruleRef}"/></xsl:call-template>\n`
          : this.body(item.target.items, ruleRef, host);
      }
    });
    return out;
  }

  private template(rule: AbstractRule): string {
    const existing = this.templates.get(rule);
    if (existing) return existing.name;
    const name = `${R}abstract${this.templates.size}`;
    const entry = { name, text: '' };
    this.templates.set(rule, entry); // registered before the body: nested extends of the same rule reuse it
    entry.text =
      `<xsl:template name="${name}">\n<xsl:param name="${RULE_PARAM}"/>\n` +
      `${this.body(rule.items, `$${RULE_PARAM}`)}</xsl:template>\n`;
    return name;
  }

  private callable(target: AbstractRule, host: Usage): boolean {
    const own = this.usage(target.items);
    for (const name of own.reads) {
      if (own.defines.has(name)) continue;
      if (!this.globals.has(name) || host.defines.has(name)) return false;
    }
    for (const name of own.defines) if (host.reads.has(name)) return false;
    return true;
  }

  private usage(items: ResolvedItem[]): Usage {
    const usage: Usage = { defines: new Set(), reads: new Set() };
    const read = (expr: string): void => variableReferences(expr).forEach((n) => usage.reads.add(n));
    for (const item of items) {
      if (item.kind === 'let') {
        usage.defines.add(item.let.name);
        read(item.let.value);
      } else if (item.kind === 'assertion') {
        const a = item.assertion;
        [a.test, ...messageExpressions(a.message)].forEach(read);
        for (const id of a.diagnostics) messageExpressions(this.diagnostics.get(id)?.message ?? []).forEach(read);
      } else {
        let nested = this.usageCache.get(item.target);
        if (!nested) {
          nested = this.usage(item.target.items);
          this.usageCache.set(item.target, nested);
        }
        nested.defines.forEach((n) => usage.defines.add(n));
        nested.reads.forEach((n) => usage.reads.add(n));
      }
    }
    return usage;
  }

  private assertion(a: SchAssertion, ruleRef: string): string {
    const index = this.assertions.length;
    const info: AssertionInfo = { kind: a.kind, test: a.test };
    for (const key of ['id', 'role', 'flag', 'see'] as const) {
      const v = a[key];
      if (v !== undefined) info[key] = v;
    }
    this.assertions.push(info);
    this.expressions.push(a.test, ...messageExpressions(a.message));
    let fired = this.messageValue(`${R}m`, a.message);
    const diagVars: string[] = [];
    a.diagnostics.forEach((id, i) => {
      const d = this.diagnostics.get(id);
      if (!d) throw new UnknownDiagnosticError(this.file, id);
      fired += this.messageValue(`${R}d${i}`, d.message);
      diagVars.push(`$${R}d${i}`);
    });
    fired += `<xsl:sequence select="map{'k':'a','a':${index},'r':${ruleRef},'loc':${R}location(.),'msg':$${R}m,'d':array{${diagVars.join(',')}}}"/>`;
    return a.kind === 'assert'
      ? `<xsl:choose><xsl:when test="${escapeAttr(this.xp(a.test))}"/><xsl:otherwise>${fired}</xsl:otherwise></xsl:choose>\n`
      : `<xsl:if test="${escapeAttr(this.xp(a.test))}">${fired}</xsl:if>\n`;
  }

  /** Instructions binding `variable` to the text of a message evaluated in the current context. */
  private messageValue(variable: string, parts: MessagePart[]): string {
    let body = '';
    for (const p of parts) {
      if (p.kind === 'text') body += `<xsl:text>${escapeText(p.text)}</xsl:text>`;
      else if (p.kind === 'value-of') body += `<xsl:value-of select="${escapeAttr(this.xp(p.select))}"/>`;
      else body += `<xsl:value-of select="name(${p.path === undefined ? '.' : escapeAttr(this.xp(p.path))})"/>`;
    }
    return `<xsl:variable name="${variable}" as="${XS}string"><xsl:value-of>${body}</xsl:value-of></xsl:variable>`;
  }
}
