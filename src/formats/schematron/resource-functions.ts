/**
 * Guarded resource access for the generated stylesheet.
 *
 * Calls to `doc`, `document` (one argument), `doc-available`, `unparsed-text*` and `json-doc` in schema expressions
 * are redirected to our own functions, which
 * - resolve the URI against the stylesheet's static base URI (the .sch file), exactly as the built-ins do;
 * - refuse anything but `file:` URIs: a rule such as `doc(@href)` must not make the validator fetch URLs taken from
 *   the validated document (SaxonJS would otherwise use HTTP);
 * - announce, with an `xsl:message`, every document URI not yet in the pool of preloaded documents, so that the
 *   validator parses it once and hands it to later runs (`document-pool.ts`). Terminology lookups such as
 *   `doc(concat($dir, @codeSystem, '.rdf'))` would otherwise re-parse megabytes of RDF on every validation.
 */
import { R } from './names.js';
import { rewriteOutsideLiterals } from './xpath-skip.js';

/** Parameter listing the URIs already pooled (or known to be missing): no message for those. */
export const POOLED_PARAM = `${R}pooled`;
/** Prefix of the `xsl:message` text announcing a document URI. */
export const DOC_MESSAGE_PREFIX = 'relais-doc ';

const FN = 'Q{http://www.w3.org/2005/xpath-functions}';

/** Built-in → our replacement, with the arities we replace. */
const GUARDED: Record<string, number[]> = {
  doc: [1],
  'doc-available': [1],
  document: [1],
  'unparsed-text': [1, 2],
  'unparsed-text-lines': [1, 2],
  'unparsed-text-available': [1, 2],
  'json-doc': [1, 2],
};

/** Number of top-level arguments of the call whose `(` is at `open`, and the index after its `)`. */
function callArity(expr: string, open: number): { arity: number; end: number } {
  let depth = 0;
  let commas = 0;
  let empty = true;
  for (let i = open; i < expr.length; i++) {
    const c = expr[i] ?? '';
    if (c === '"' || c === "'") {
      const close = expr.indexOf(c, i + 1);
      i = close < 0 ? expr.length : close;
      empty = false;
    } else if (c === '(' || c === '[' || c === '{') {
      if (depth > 0) empty = false;
      depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return { arity: empty ? 0 : commas + 1, end: i + 1 };
    } else if (c === ',' && depth === 1) {
      commas++;
    } else if (!/\s/.test(c)) {
      empty = false;
    }
  }
  return { arity: -1, end: expr.length };
}

const CALL = /(?:fn:)?([a-z-]+)(\s*)\(/y;

/** Rewrites the guarded calls of an XPath expression (string literals and comments untouched). */
export function guardResourceCalls(expr: string): string {
  return rewriteOutsideLiterals(expr, (i) => {
    if (!/[a-z]/.test(expr[i] ?? '') || /[\w.:$}-]/.test(expr[i - 1] ?? '')) return undefined;
    CALL.lastIndex = i;
    const m = CALL.exec(expr);
    if (!m) return undefined;
    const name = m[1] ?? '';
    const open = i + m[0].length - 1;
    if (!GUARDED[name]?.includes(callArity(expr, open).arity)) return undefined;
    return { text: `${R}${name}${m[2] ?? ''}(`, end: open + 1 };
  });
}

/** XSLT declarations of the replacement functions and of the pooled-URI parameter. */
export const RESOURCE_FUNCTIONS = `<xsl:param name="${POOLED_PARAM}" as="item()*" select="()"/>
<xsl:function name="${R}local-uri" as="item()">
<xsl:param name="uri" as="item()"/>
<xsl:variable name="abs" select="string(resolve-uri(string($uri), static-base-uri()))"/>
<xsl:if test="not(starts-with($abs, 'file:'))">
<xsl:sequence select="error(QName('urn:relais:schematron', 'REFUSED'), 'only local files can be read, not ' || $abs)"/>
</xsl:if>
<xsl:sequence select="$abs"/>
</xsl:function>
<xsl:function name="${R}pooled-uri" as="item()">
<xsl:param name="uri" as="item()"/>
<xsl:variable name="abs" select="string(${R}local-uri($uri))"/>
<xsl:if test="not($abs = $${POOLED_PARAM})"><xsl:message select="'${DOC_MESSAGE_PREFIX}' || $abs"/></xsl:if>
<xsl:sequence select="$abs"/>
</xsl:function>
<xsl:function name="${R}doc" as="item()*">
<xsl:param name="uri" as="item()?"/>
<xsl:sequence select="if (empty($uri)) then () else ${FN}doc(string(${R}pooled-uri($uri)))"/>
</xsl:function>
<xsl:function name="${R}doc-available" as="item()">
<xsl:param name="uri" as="item()?"/>
<xsl:sequence select="if (empty($uri)) then false() else ${FN}doc-available(string(${R}pooled-uri($uri)))"/>
</xsl:function>
<xsl:function name="${R}document" as="item()*">
<xsl:param name="refs" as="item()*"/>
<xsl:sequence select="for $r in $refs return ${R}doc(if ($r instance of node()) then string(resolve-uri(string($r), (base-uri($r), static-base-uri())[1])) else string($r))"/>
</xsl:function>
${['unparsed-text', 'unparsed-text-lines', 'unparsed-text-available', 'json-doc']
  .map(
    (name) => `<xsl:function name="${R}${name}" as="item()*">
<xsl:param name="uri" as="item()?"/>
<xsl:sequence select="if (empty($uri)) then () else ${FN}${name}(string(${R}local-uri($uri)))"/>
</xsl:function>
<xsl:function name="${R}${name}" as="item()*">
<xsl:param name="uri" as="item()?"/>
<xsl:param name="second" as="item()*"/>
<xsl:sequence select="if (empty($uri)) then () else ${FN}${name}(string(${R}local-uri($uri)), $second)"/>
</xsl:function>`,
  )
  .join('\n')}
`;
