/**
 * Interprets the JSON produced by a generated stylesheet (see `generate-xslt.ts`) as issues and fired rules.
 */
import type { Issue, Severity } from '../../engine/issues.js';
import type { GeneratedXslt } from './generate-xslt.js';

export const SCH_ASSERT = 'SCH_ASSERT';
export const SCH_REPORT = 'SCH_REPORT';
/** A dynamic error while evaluating a rule (e.g. a cast failure); the other rules still ran. */
export const SCH_ERROR = 'SCH_ERROR';

/** An issue from a Schematron assertion, with the identifiers SVRL would carry. */
export interface SchematronIssue extends Issue {
  /** `@id` of the assert/report. */
  assertId?: string;
  /** `@id` of the pattern the rule belongs to. */
  patternId?: string;
  role?: string;
  flag?: string;
  see?: string;
  /** Texts of the referenced `sch:diagnostic`s, evaluated in context. */
  diagnostics?: string[];
}

/** A rule that matched a node (only collected when tracing). */
export interface FiredRule {
  patternId?: string;
  context: string;
  location: string;
}

export interface SchematronReport {
  issues: SchematronIssue[];
  /** Empty unless `traceFiredRules` was requested. */
  firedRules: FiredRule[];
}

type RawResult =
  | { k: 'a'; a: number; r: number; loc: string; msg: string; d: string[] }
  | { k: 'r'; r: number; loc?: string }
  | { k: 'e'; r: number; loc: string; msg: string };

const ROLE_SEVERITY: Record<string, Severity> = {
  error: 'error',
  fatal: 'error',
  critical: 'error',
  warning: 'warning',
  warn: 'warning',
  info: 'info',
  information: 'info',
  informational: 'info',
};

/**
 * Severity of a fired assertion: the first of `role`, `flag` that names a level (error/fatal, warning/warn,
 * info/information) wins; otherwise a failed assert is an error and a successful report is info.
 */
export function severityOf(kind: 'assert' | 'report', role?: string, flag?: string): Severity {
  for (const hint of [role, flag]) {
    const s = hint === undefined ? undefined : ROLE_SEVERITY[hint.trim().toLowerCase()];
    if (s) return s;
  }
  return kind === 'assert' ? 'error' : 'info';
}

const normalize = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** Turns the stylesheet output into a report. */
export function toReport(json: string, plan: GeneratedXslt): SchematronReport {
  const raw = JSON.parse(json) as RawResult[];
  const issues: SchematronIssue[] = [];
  const firedRules: FiredRule[] = [];
  for (const r of raw) {
    if (r.k === 'a') {
      const a = plan.assertions[r.a];
      const rule = plan.rules[r.r];
      if (!a || !rule) throw new Error(`schematron result refers to unknown assertion ${r.a}`);
      const patternId = plan.patterns[rule.pattern]?.id;
      const diagnostics = r.d.map(normalize).filter((d) => d !== '');
      const text = normalize(r.msg);
      const issue: SchematronIssue = {
        severity: severityOf(a.kind, a.role, a.flag),
        code: a.kind === 'assert' ? SCH_ASSERT : SCH_REPORT,
        path: r.loc,
        message: diagnostics.length > 0 ? `${text} (${diagnostics.join('; ')})` : text,
      };
      if (a.id !== undefined) issue.assertId = a.id;
      if (patternId !== undefined) issue.patternId = patternId;
      if (a.role !== undefined) issue.role = a.role;
      if (a.flag !== undefined) issue.flag = a.flag;
      if (a.see !== undefined) issue.see = a.see;
      if (diagnostics.length > 0) issue.diagnostics = diagnostics;
      issues.push(issue);
    } else {
      const rule = plan.rules[r.r];
      if (!rule) throw new Error(`schematron result refers to unknown rule ${r.r}`);
      const patternId = plan.patterns[rule.pattern]?.id;
      if (r.k === 'r') {
        firedRules.push({ ...(patternId !== undefined ? { patternId } : {}), context: rule.context, location: r.loc ?? '' });
      } else {
        const issue: SchematronIssue = {
          severity: 'error',
          code: SCH_ERROR,
          path: r.loc,
          message: `rule "${normalize(rule.context)}"${patternId ? ` of pattern ${patternId}` : ''} could not be evaluated: ${normalize(r.msg)}`,
        };
        if (patternId !== undefined) issue.patternId = patternId;
        issues.push(issue);
      }
    }
  }
  return { issues, firedRules };
}
