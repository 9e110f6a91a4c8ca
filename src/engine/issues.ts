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
  /**
   * An error that holds the message for an operator instead of rejecting it: the input is right but the world is
   * not ready for it yet (e.g. no single patient matches its identity). The message is stored `held`, never routed,
   * and replayed once the operator has fixed the cause.
   */
  hold?: boolean;
}

export const error = (code: string, message: string, path?: string): Issue => ({ severity: 'error', code, message, path });
export const warning = (code: string, message: string, path?: string): Issue => ({ severity: 'warning', code, message, path });
export const info = (code: string, message: string, path?: string): Issue => ({ severity: 'info', code, message, path });

/** An error that holds the message for an operator (identity review…) instead of rejecting it; see `Issue.hold`. */
export const hold = (code: string, message: string, path?: string): Issue => ({ severity: 'error', code, message, path, hold: true });

export const hasErrors = (issues: readonly Issue[]): boolean => issues.some((i) => i.severity === 'error');

/** True when the issues stop the message and every error among them is a hold: the message waits, it is not rejected. */
export const onlyHolds = (issues: readonly Issue[]): boolean => hasErrors(issues) && issues.every((i) => i.severity !== 'error' || i.hold === true);

/** One line per issue, for CLI output and logs (never contains payload data by construction of callers). */
export function formatIssue(i: Issue): string {
  return `${i.hold ? 'HOLD' : i.severity.toUpperCase()} ${i.code}${i.path ? ` at ${i.path}` : ''}: ${i.message}`;
}

/** Thrown only at boundaries where an exception is the protocol (e.g. a BullMQ worker); carries the issue list. */
export class IssuesError extends Error {
  constructor(readonly issues: Issue[]) {
    super(issues.map(formatIssue).join('; '));
    this.name = 'IssuesError';
  }
}
