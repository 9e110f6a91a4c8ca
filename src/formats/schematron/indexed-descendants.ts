/**
 * XPath rewrite of the "is this template present below me" idiom of CDA schematrons:
 * `.//cda:templateId[@root = "1.2.3"]` → `(key(K, "1.2.3", .) except .)` and, at the start of a path,
 * `//cda:templateId[@root = "1.2.3"]` → `key(K, "1.2.3")`, with `<xsl:key name="K" match="cda:templateId" use="@root"/>`.
 *
 * Each such test otherwise scans the whole subtree (about 3 ms on a 150 kB CDA document in SaxonJS); the index is
 * built once per document. `key($k, $v, $top)` returns matching nodes among the descendants-or-self of `$top`, hence
 * `except .` for the descendants only. Only a single `[@attribute = literal]` predicate qualifies (more predicates
 * would change what a positional one means), and only when the `//` starts a path or follows `.`.
 */
import type { KeyRegistry } from './pattern-to-select.js';
import { rewriteOutsideLiterals } from './xpath-skip.js';

const QNAME = '[A-Za-z_][\\w.-]*(?::[A-Za-z_][\\w.-]*)?';
const STEP = new RegExp(`(\\.)?//\\s*(${QNAME})\\s*\\[\\s*@(${QNAME})\\s*=\\s*("[^"]*"|'[^']*')\\s*\\](?!\\s*\\[)`, 'y');
/** A `//` or `.//` starts a path when preceded by nothing, whitespace, an opening bracket, a comma or an operator. */
const PATH_START = /^$|[\s([,=<>|!+*-]$/;

export function useKeysForDescendantTests(expr: string, keys: KeyRegistry): string {
  return rewriteOutsideLiterals(expr, (i) => {
    const c = expr[i];
    if ((c !== '.' && c !== '/') || !PATH_START.test(expr.slice(Math.max(0, i - 1), i))) return undefined;
    STEP.lastIndex = i;
    const m = STEP.exec(expr);
    if (!m) return undefined;
    const [whole, dot, element, attribute, literal] = m;
    const key = keys.keyFor(`@${attribute ?? ''}`, element ?? '*');
    return { text: dot ? `(key('${key}', ${literal}, .) except .)` : `key('${key}', ${literal})`, end: i + whole.length };
  });
}
