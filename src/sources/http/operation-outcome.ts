import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { Issue } from '../../engine/issues.js';

/** System of the Relais issue codes carried in `OperationOutcome.issue.details.coding`. */
export const ISSUE_CODE_SYSTEM = 'https://relais.dev/fhir/CodeSystem/issue-code';

type IssueType = OperationOutcomeIssue['code'];

/** FHIR issue type of a Relais issue code: by prefix, most specific first. */
const TYPE_BY_PREFIX: [RegExp, IssueType][] = [
  [/^HTTP_(AUTH|CLIENT_CERT)_(REQUIRED|INVALID)$/, 'login'],
  [/^HTTP_(AUTH|CLIENT_CERT)_FORBIDDEN$/, 'forbidden'],
  [/^HTTP_TOO_LARGE$/, 'too-long'],
  [/^HTTP_(NOT_FOUND)$/, 'not-found'],
  [/^HTTP_UNAVAILABLE$/, 'transient'],
  [/^(HTTP_IDEMPOTENCY_CONFLICT|FHIR_DOCUMENT_CONFLICT)$/, 'conflict'],
  [/^HTTP_UNSUPPORTED_MEDIA_TYPE$/, 'not-supported'],
  [/^(HTTP_NOT_JSON|HTTP_ENCODING|HTTP_EMPTY_BODY|XML_PARSE|XML_DOCTYPE|XML_EXTERNAL_ENTITY|XSD)$/, 'structure'],
  [/^(SCH_ASSERT|SCH_REPORT)$/, 'business-rule'],
  [/^SCH_ERROR$/, 'exception'],
];

function typeOf(i: Issue): IssueType {
  for (const [re, type] of TYPE_BY_PREFIX) if (re.test(i.code)) return type;
  return i.severity === 'info' ? 'informational' : 'invalid';
}

/** One OperationOutcome issue per Relais issue: severity, type, the Relais code, the message, the path as expression. */
export function toOutcomeIssue(i: Issue): OperationOutcomeIssue {
  return {
    severity: i.severity === 'info' ? 'information' : i.severity,
    code: typeOf(i),
    details: { coding: [{ system: ISSUE_CODE_SYSTEM, code: i.code }], text: i.message },
    ...(i.path ? { expression: [i.path] } : {}),
  };
}

/**
 * The answer to a refused request. `messageId` (the stored message, when the input was stored) becomes the outcome's
 * id, so that the sender can quote it and an operator can find the message.
 */
export function operationOutcome(issues: readonly Issue[], messageId?: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', ...(messageId ? { id: messageId } : {}), issue: issues.map(toOutcomeIssue) };
}
