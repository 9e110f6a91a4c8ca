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

/** What a rewriter puts in place of the text at a position: its replacement and the index just after the original. */
export interface XPathRewrite {
  text: string;
  end: number;
}

/**
 * Copies an XPath expression, replacing what `rewriteAt` recognises at each position; string literals and comments
 * are copied untouched (nothing inside them is offered to `rewriteAt`). The one scanning loop of the rewriters.
 */
export function rewriteOutsideLiterals(expr: string, rewriteAt: (i: number) => XPathRewrite | undefined): string {
  let out = '';
  let i = 0;
  while (i < expr.length) {
    const skipTo = literalOrCommentEnd(expr, i);
    if (skipTo !== undefined) {
      out += expr.slice(i, skipTo);
      i = skipTo;
      continue;
    }
    const rewrite = rewriteAt(i);
    if (rewrite) {
      out += rewrite.text;
      i = rewrite.end;
    } else {
      out += expr[i];
      i += 1;
    }
  }
  return out;
}
