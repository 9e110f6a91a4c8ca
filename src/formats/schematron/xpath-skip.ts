/**
 * When an XPath string literal (`"…"`, `'…'`) or comment (`(: … :)`) starts at `i`, the index just after it (the end
 * of the expression when it is unterminated); otherwise undefined. Expression rewriters copy such spans untouched.
 */
export function literalOrCommentEnd(expr: string, i: number): number | undefined {
  const c = expr[i];
  if (c === '"' || c === "'") {
    const close = expr.indexOf(c, i + 1);
    return close < 0 ? expr.length : close + 1;
  }
  if (c === '(' && expr[i + 1] === ':') {
    const close = expr.indexOf(':)', i + 2);
    return close < 0 ? expr.length : close + 2;
  }
  return undefined;
}
