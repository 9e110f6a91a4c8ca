/**
 * Removes the abstractions of a Schematron model:
 * - a pattern with `is-a` becomes a copy of the abstract pattern it names, with every `$param` in its expressions
 *   (rule contexts, tests, let values, value-of selects, name paths) replaced by the `sch:param` value;
 * - a rule's `sch:extends rule="id"` is resolved to the abstract rule with that id: first in the same pattern, then
 *   in any pattern (ART-DECOR schematrons define the datatype rules once and extend them everywhere); whether its
 *   items are inlined or called is decided by the generator (see `rule-items.ts`);
 * - abstract patterns disappear, abstract rules only remain as targets of `extends`.
 */
import type { MessagePart, RuleItem, SchAssertion, SchLet, SchPattern, SchRule, SchSchema } from './schematron-model.js';

/** Content of a rule once `extends` references are resolved. */
export type ResolvedItem =
  | { kind: 'let'; let: SchLet }
  | { kind: 'assertion'; assertion: SchAssertion }
  | { kind: 'extends'; target: AbstractRule };

/** An abstract rule: items to evaluate in the context of the rules extending it. */
export interface AbstractRule {
  id: string;
  items: ResolvedItem[];
}

/** A rule ready to run: a context and its lets/assertions/extends in document order. */
export interface ConcreteRule {
  context: string;
  id?: string;
  role?: string;
  flag?: string;
  items: ResolvedItem[];
}

export interface ConcretePattern {
  id?: string;
  lets: SchLet[];
  rules: ConcreteRule[];
}

/** Thrown for dangling `is-a` / `extends` references and `extends` cycles. */
export class SchematronStructureError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'SchematronStructureError';
  }
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/**
 * Replaces `$name` references of the given parameters in an expression. A reference ends where a name character
 * cannot continue it, so `$nullFlavor` is not replaced inside `$nullFlavorAllowed`. Replacement is one pass: values
 * are not themselves re-scanned.
 */
export function substituteParams(text: string, params: Record<string, string>): string {
  const names = Object.keys(params).sort((a, b) => b.length - a.length);
  if (names.length === 0) return text;
  const re = new RegExp(`\\$(${names.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}_.\\-:\\u00B7])`, 'gu');
  return text.replace(re, (_m, name: string) => params[name] ?? _m);
}

function substituteMessage(parts: MessagePart[], s: (t: string) => string): MessagePart[] {
  return parts.map((p) => {
    if (p.kind === 'value-of') return { kind: 'value-of', select: s(p.select) };
    if (p.kind === 'name' && p.path !== undefined) return { kind: 'name', path: s(p.path) };
    return p;
  });
}

function substituteRule(rule: SchRule, s: (t: string) => string): SchRule {
  const items: RuleItem[] = rule.items.map((item) => {
    if (item.kind === 'let') return { kind: 'let', let: { name: item.let.name, value: s(item.let.value) } };
    if (item.kind === 'assertion') {
      const a = item.assertion;
      return { kind: 'assertion', assertion: { ...a, test: s(a.test), message: substituteMessage(a.message, s) } };
    }
    return item;
  });
  return { ...rule, ...(rule.context !== undefined ? { context: s(rule.context) } : {}), items };
}

function instantiatePattern(p: SchPattern, abstracts: Map<string, SchPattern>, file: string): SchPattern {
  if (p.isA === undefined) return p;
  const base = abstracts.get(p.isA);
  if (!base) throw new SchematronStructureError(file, `pattern '${p.id ?? '(no id)'}' is-a '${p.isA}', which is not an abstract pattern`);
  const s = (t: string): string => substituteParams(t, p.params);
  const instance: SchPattern = {
    abstract: false,
    params: {},
    lets: [...base.lets.map((l) => ({ name: l.name, value: s(l.value) })), ...p.lets],
    rules: base.rules.map((r) => substituteRule(r, s)),
  };
  if (p.id !== undefined) instance.id = p.id;
  return instance;
}

/** Resolves `extends` references to abstract rule objects, detecting cycles and dangling ids. */
class AbstractRuleResolver {
  private readonly resolved = new Map<SchRule, AbstractRule>();

  constructor(
    private readonly global: Map<string, SchRule>,
    private readonly file: string,
  ) {}

  items(rule: SchRule, local: Map<string, SchRule>, stack: string[]): ResolvedItem[] {
    return rule.items.map((item): ResolvedItem => {
      if (item.kind !== 'extends') return item;
      if (stack.includes(item.rule)) throw new SchematronStructureError(this.file, `extends cycle: ${[...stack, item.rule].join(' → ')}`);
      const target = local.get(item.rule) ?? this.global.get(item.rule);
      if (!target) throw new SchematronStructureError(this.file, `extends rule="${item.rule}": no abstract rule with that id`);
      let abstract = this.resolved.get(target);
      if (!abstract) {
        abstract = { id: item.rule, items: this.items(target, local, [...stack, item.rule]) };
        this.resolved.set(target, abstract);
      }
      return { kind: 'extends', target: abstract };
    });
  }
}

function abstractRulesOf(p: SchPattern): Map<string, SchRule> {
  const map = new Map<string, SchRule>();
  for (const r of p.rules) if (r.abstract && r.id !== undefined && !map.has(r.id)) map.set(r.id, r);
  return map;
}

/**
 * Returns the concrete patterns of a schema, in document order, abstract patterns instantiated and `extends`
 * resolved.
 * @throws SchematronStructureError on dangling references or cycles.
 */
export function instantiate(schema: SchSchema): ConcretePattern[] {
  const abstracts = new Map<string, SchPattern>();
  for (const p of schema.patterns) if (p.abstract && p.id !== undefined) abstracts.set(p.id, p);
  const concrete = schema.patterns.filter((p) => !p.abstract).map((p) => instantiatePattern(p, abstracts, schema.file));

  const global = new Map<string, SchRule>();
  for (const p of concrete) for (const [id, r] of abstractRulesOf(p)) if (!global.has(id)) global.set(id, r);
  const resolver = new AbstractRuleResolver(global, schema.file);

  return concrete.map((p) => {
    const local = abstractRulesOf(p);
    const rules: ConcreteRule[] = p.rules
      .filter((r) => !r.abstract)
      .map((r) => {
        const rule: ConcreteRule = { context: r.context ?? '', items: resolver.items(r, local, r.id ? [r.id] : []) };
        if (r.id !== undefined) rule.id = r.id;
        if (r.role !== undefined) rule.role = r.role;
        if (r.flag !== undefined) rule.flag = r.flag;
        return rule;
      });
    const pattern: ConcretePattern = { lets: p.lets, rules };
    if (p.id !== undefined) pattern.id = p.id;
    return pattern;
  });
}
