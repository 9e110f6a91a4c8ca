/**
 * In-memory model of an ISO Schematron schema (ISO/IEC 19757-3), as read from the XML tree once includes are
 * resolved. Abstract patterns and abstract rules are still present here; `instantiate.ts` removes them.
 */
import type { XmlElementNode } from './xml-tree.js';

/** A piece of assertion or diagnostic text. */
export type MessagePart =
  | { kind: 'text'; text: string }
  | { kind: 'value-of'; select: string }
  /** `sch:name`: name of the context node, or of the node selected by `path`. */
  | { kind: 'name'; path?: string };

export interface SchLet {
  name: string;
  /** XPath expression. */
  value: string;
}

export interface SchAssertion {
  kind: 'assert' | 'report';
  test: string;
  id?: string;
  role?: string;
  flag?: string;
  see?: string;
  message: MessagePart[];
  /** Ids of `sch:diagnostic` elements to evaluate when the assertion fires. */
  diagnostics: string[];
}

/** Content of a rule, in document order (a let is visible to the items after it). */
export type RuleItem =
  | { kind: 'let'; let: SchLet }
  | { kind: 'assertion'; assertion: SchAssertion }
  /** `sch:extends rule="id"`: the items of an abstract rule, inlined at this point. */
  | { kind: 'extends'; rule: string };

export interface SchRule {
  /** XSLT pattern; absent only on abstract rules. */
  context?: string;
  id?: string;
  abstract: boolean;
  role?: string;
  flag?: string;
  items: RuleItem[];
}

export interface SchPattern {
  id?: string;
  abstract: boolean;
  /** Id of the abstract pattern this one instantiates. */
  isA?: string;
  /** `sch:param` of an `is-a` pattern: name → replacement text. */
  params: Record<string, string>;
  lets: SchLet[];
  rules: SchRule[];
}

export interface SchPhase {
  id: string;
  /** Ids of the patterns the phase activates. */
  active: string[];
  lets: SchLet[];
}

export interface SchDiagnostic {
  id: string;
  message: MessagePart[];
}

export interface SchNamespace {
  prefix: string;
  uri: string;
}

export interface SchSchema {
  /** Absolute path of the main schema file: the static base URI of the generated stylesheet. */
  file: string;
  queryBinding: string;
  defaultPhase?: string;
  namespaces: SchNamespace[];
  lets: SchLet[];
  phases: SchPhase[];
  patterns: SchPattern[];
  diagnostics: Map<string, SchDiagnostic>;
  /** Top-level XSLT declarations allowed by the xslt query bindings (`xsl:function`, `xsl:key`, …), verbatim. */
  xslDeclarations: XmlElementNode[];
}
