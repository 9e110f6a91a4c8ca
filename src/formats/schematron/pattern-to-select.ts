/**
 * XSLT pattern (a Schematron rule context) → XPath expression selecting, from the document node, every node the
 * pattern matches.
 *
 * XSLT 3.0 (§5.5.3) defines matching this way: a node N matches pattern P when N is in the result of
 * `root(N)//(P)`. Evaluating a select once per rule, instead of testing every node against every rule, lets
 * absolute contexts (`/cda:ClinicalDocument/cda:component/…`) navigate straight to their nodes. Union branches are
 * handled separately so rooted branches (`/…`, `$var…`, `key(…)`, `id(…)`, `doc(…)`) are evaluated once.
 *
 * Relative branches whose first step is a name test are answered from two `xsl:key` indexes built once per document
 * instead of a scan of every node per rule:
 * - `cda:section[…]/rest` → `key(by-name, '{urn:hl7-org:v3}section')[…]/rest`;
 * - `*[cda:templateId/@root = "1.2.3"]/rest` (the CDA idiom) → `key(by cda:templateId/@root, "1.2.3")/rest`.
 * A filter on `key()` counts positions differently from a child step, so this is done only when every predicate
 * of that first step is surely boolean (see {@link isSurelyBoolean}); anything else keeps `//(branch)`.
 */

/** An `xsl:key` the generated expressions rely on: `<xsl:key name="{name}" match="{match}" use="{use}"/>`. */
export interface IndexKey {
  name: string;
  match: string;
  use: string;
}

/** Allocates the keys shared by all rules of a stylesheet. */
export class KeyRegistry {
  private readonly byDefinition = new Map<string, IndexKey>();

  constructor(private readonly prefix: string) {}

  /** EQName of the key indexing the nodes matching `match` by `use`, created on first request. */
  keyFor(use: string, match = '*'): string {
    const definition = `${match}\u0000${use}`;
    let key = this.byDefinition.get(definition);
    if (key === undefined) {
      key = { name: `${this.prefix}k${this.byDefinition.size}`, match, use };
      this.byDefinition.set(definition, key);
    }
    return key.name;
  }

  keys(): IndexKey[] {
    return [...this.byDefinition.values()];
  }
}

/** `use` expression of the element-name index: the Clark name `{uri}local` of each element. */
export const NAME_INDEX_USE = "'{' || namespace-uri() || '}' || local-name()";

/** Index of the first character after the bracketed/parenthesised group opening at `open`, string-aware. */
export function skipGroup(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return text.length;
      i = end;
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

/** Replaces string literals by `''` and removes XPath comments (for structural inspection only). */
function blankLiterals(text: string): string {
  return text.replace(/"[^"]*"|'[^']*'/g, "''").replace(/\(:[\s\S]*?:\)/g, ' ');
}

/** `text` with every bracketed/parenthesised group (and its content) removed. */
function topLevel(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i] ?? '';
    if (c === '(' || c === '[' || c === '{') {
      i = skipGroup(text, i);
      out += c === '(' ? '()' : ' ';
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const UNION = /\s+union\s+/y;

/** Splits on `|` / `union` outside brackets, parentheses, braces, string literals and comments. */
export function splitTopLevelUnion(pattern: string): string[] {
  const branches: string[] = [];
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '"' || c === "'") {
      const end = pattern.indexOf(c, i + 1);
      i = end < 0 ? pattern.length : end;
    } else if (c === '(' && pattern[i + 1] === ':') {
      const end = pattern.indexOf(':)', i + 2);
      i = end < 0 ? pattern.length : end + 1;
    } else if (c === '(' || c === '[' || c === '{') {
      i = skipGroup(pattern, i) - 1;
    } else if (c === '|' && pattern[i + 1] !== '|' && pattern[i - 1] !== '|') {
      branches.push(pattern.slice(start, i));
      start = i + 1;
    } else if (/\s/.test(c)) {
      UNION.lastIndex = i;
      const m = UNION.exec(pattern);
      if (m) {
        branches.push(pattern.slice(start, i));
        i += m[0].length - 1;
        start = i + 1;
      }
    }
  }
  branches.push(pattern.slice(start));
  return branches.map((b) => b.trim()).filter((b) => b !== '');
}

const BOOLEAN_FUNCTION = /^(not|exists|empty|boolean|contains|starts-with|ends-with|matches|true|false)\s*\(/;
const SIMPLE_PATH = /^(\.\/)?(\.\.|\.|\*|@?[A-Za-z_][\w.-]*(:([A-Za-z_][\w.-]*|\*))?|@\*|text\(\)|node\(\))(\/{1,2}(\.\.|\*|@?[A-Za-z_][\w.-]*(:([A-Za-z_][\w.-]*|\*))?|@\*|text\(\)|node\(\)))*$/;

/**
 * True when a predicate certainly evaluates to a boolean or a node sequence (never a number, which would make it
 * positional): a top-level comparison or `and`/`or`, a single call of a boolean function, or a plain path.
 */
export function isSurelyBoolean(predicate: string): boolean {
  const blanked = blankLiterals(predicate).trim().replace(/=>/g, ' => ');
  const top = topLevel(blanked).replace(/=>/g, ' ');
  if (/[=<>]|\s(eq|ne|lt|le|gt|ge|and|or)\s/.test(top)) return true;
  if (BOOLEAN_FUNCTION.test(blanked) && skipGroup(blanked, blanked.indexOf('(')) === blanked.length) return true;
  return SIMPLE_PATH.test(top.trim().replace(/\s*\/\s*/g, '/').replace(/\(\)\(\)/g, '()'));
}

interface FirstStep {
  nameTest: string;
  predicates: string[];
  rest: string;
}

/** Parses `NameTest[pred]*` at the start of a branch; `rest` must be empty or start with `/`. */
function firstStep(branch: string): FirstStep | undefined {
  const m = /^(\*|[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*/.exec(branch);
  if (!m || branch[m[0].length] === '(' || branch[m[0].length] === ':') return undefined;
  let i = m[0].length;
  const predicates: string[] = [];
  while (branch[i] === '[') {
    const end = skipGroup(branch, i);
    predicates.push(branch.slice(i + 1, end - 1));
    i = end;
    while (/\s/.test(branch[i] ?? '')) i++;
  }
  const rest = branch.slice(i);
  if (rest !== '' && !rest.startsWith('/')) return undefined;
  return { nameTest: m[1] ?? '', predicates, rest };
}

const CHILD_ATTRIBUTE_EQUALS = /^\s*(?:\.\/)?([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\/@([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*=\s*("[^"]*"|'[^']*')\s*$/;

function indexedSelect(step: FirstStep, namespaces: ReadonlyMap<string, string>, keys: KeyRegistry): string | undefined {
  if (!step.predicates.every(isSurelyBoolean)) return undefined;
  const [first, ...others] = step.predicates;
  const byChildAttribute = first === undefined ? null : CHILD_ATTRIBUTE_EQUALS.exec(first);
  const filters = (preds: string[]): string => preds.map((p) => `[${p}]`).join('');
  if (byChildAttribute) {
    const [, child, attribute, literal] = byChildAttribute;
    const key = keys.keyFor(`${child}/@${attribute}`);
    const self = step.nameTest === '*' ? '' : `[self::${step.nameTest}]`;
    return `key('${key}', ${literal})${self}${filters(others)}${step.rest}`;
  }
  if (step.nameTest === '*') return undefined;
  const colon = step.nameTest.indexOf(':');
  const uri = colon < 0 ? '' : namespaces.get(step.nameTest.slice(0, colon));
  if (uri === undefined || uri.includes("'")) return undefined;
  const local = colon < 0 ? step.nameTest : step.nameTest.slice(colon + 1);
  return `key('${keys.keyFor(NAME_INDEX_USE)}', '{${uri}}${local}')${filters(step.predicates)}${step.rest}`;
}

const ROOTED_FUNCTION = /^(key|id|element-with-id|doc|root)\s*\(/;

function branchSelect(branch: string, namespaces: ReadonlyMap<string, string>, keys: KeyRegistry): string {
  const descendant = branch.startsWith('//');
  if (branch.startsWith('/') && !descendant) return branch; // `/`, `/a/b`: navigation from the root
  if (branch.startsWith('$') || ROOTED_FUNCTION.test(branch)) return `(${branch})`;
  if (/^document-node\s*\([^()]*\)$/.test(branch)) return `(/)[. instance of ${branch}]`;
  const relative = descendant ? branch.slice(2).trimStart() : branch;
  const step = firstStep(relative);
  const indexed = step && indexedSelect(step, namespaces, keys);
  if (indexed !== undefined && indexed !== null) return indexed;
  return descendant ? branch : `//(${branch})`;
}

/**
 * The select expression for a pattern; evaluated with the document node as context item, its result is the set of
 * nodes the pattern matches.
 * @param namespaces prefix → URI of the stylesheet (for the element-name index).
 * @param keys registry collecting the `xsl:key` declarations the expression uses.
 */
export function patternToSelect(pattern: string, namespaces: ReadonlyMap<string, string>, keys: KeyRegistry): string {
  const branches = splitTopLevelUnion(pattern).map((b) => branchSelect(b, namespaces, keys));
  return branches.length === 1 ? (branches[0] ?? '()') : branches.map((b) => `(${b})`).join(' | ');
}
