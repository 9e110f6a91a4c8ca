/**
 * XPath rewrite `//name[p]` → `/descendant::name[p]`.
 *
 * `//` abbreviates `/descendant-or-self::node()/`, so `.//cda:templateId` visits every node (text nodes included)
 * and then each node's children; SaxonJS evaluates it literally, about twice as slowly as the descendant axis.
 * Both forms select the same nodes unless a predicate of the step is positional (`//para[1]` is every first `para`
 * child, `/descendant::para[1]` the first `para` of the document), so the rewrite is applied only when the step is a
 * plain name test (no axis, no kind test) and every predicate is surely boolean.
 */
import { isSurelyBoolean, skipGroup } from './pattern-to-select.js';
import { rewriteOutsideLiterals } from './xpath-skip.js';

const NAME_TEST = /^(\*:[A-Za-z_][\w.-]*|[A-Za-z_][\w.-]*:\*|\*|[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)/;

/** True when the step after a `//` at `from` can safely become `descendant::`. */
function rewritableStep(expr: string, from: number): boolean {
  let i = from;
  while (/\s/.test(expr[i] ?? '')) i++;
  const m = NAME_TEST.exec(expr.slice(i));
  if (!m) return false;
  i += m[0].length;
  while (/\s/.test(expr[i] ?? '')) i++;
  if (expr[i] === '(' || expr[i] === ':') return false; // function call or axis (`name::`)
  while (expr[i] === '[') {
    const end = skipGroup(expr, i);
    if (!isSurelyBoolean(expr.slice(i + 1, end - 1))) return false;
    i = end;
    while (/\s/.test(expr[i] ?? '')) i++;
  }
  return true;
}

/** Rewrites every eligible `//` of an XPath expression (string literals and comments are left alone). */
export function useDescendantAxis(expr: string): string {
  return rewriteOutsideLiterals(expr, (i) => {
    if (expr[i] !== '/' || expr[i + 1] !== '/' || !rewritableStep(expr, i + 2)) return undefined;
    let end = i + 2;
    while (/\s/.test(expr[end] ?? '')) end++;
    return { text: '/descendant::', end };
  });
}
