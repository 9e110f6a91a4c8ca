/** Names used in generated stylesheets. Ours are EQNames in our own namespace: no prefix can clash with a schema's. */
export const RELAIS_SCH_NS = 'urn:relais:schematron';
/** EQName prefix of our templates, variables, functions and parameters. */
export const R = `Q{${RELAIS_SCH_NS}}`;
/**
 * EQName prefix of XML Schema types. Only used where no conversion happens (variables, results): the SaxonJS
 * compiler loses the namespace of atomic types declared on `xsl:function` parameters unless they are written with the
 * `xs` prefix ("Unknown atomic type Q{}string"), so our function parameters are `item()` and convert explicitly.
 */
export const XS = 'Q{http://www.w3.org/2001/XMLSchema}';
export const XSL = 'http://www.w3.org/1999/XSL/Transform';
