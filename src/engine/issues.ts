/**
 * Errors as data. Every stage (lint, parse, map, validate, route, deliver) reports what went wrong as a list of
 * issues rather than throwing; the pipeline decides from the list whether a message is rejected.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Issue {
  severity: Severity;
  /** Stable machine code, e.g. `HL7_BAD_MSH`, `NIR_KEY`, `XSD`, `SCH_ASSERT`. */
  code: string;
  /** Where: a file:line, an HL7 path (`PID-3[2].4`), a FHIRPath (`Patient.identifier[0]`), an XPath. */
  path?: string;
  message: string;
}

export const error = (code: string, message: string, path?: string): Issue => ({ severity: 'error', code, message, path });
export const warning = (code: string, message: string, path?: string): Issue => ({ severity: 'warning', code, message, path });
export const info = (code: string, message: string, path?: string): Issue => ({ severity: 'info', code, message, path });

export const hasErrors = (issues: readonly Issue[]): boolean => issues.some((i) => i.severity === 'error');

/** One line per issue, for CLI output and logs (never contains payload data by construction of callers). */
export function formatIssue(i: Issue): string {
  return `${i.severity.toUpperCase()} ${i.code}${i.path ? ` at ${i.path}` : ''}: ${i.message}`;
}

/** Thrown only at boundaries where an exception is the protocol (e.g. a BullMQ worker); carries the issue list. */
export class IssuesError extends Error {
  constructor(readonly issues: Issue[]) {
    super(issues.map(formatIssue).join('; '));
    this.name = 'IssuesError';
  }
}
