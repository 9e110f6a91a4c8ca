import { error, type Issue } from '../../engine/issues.js';
import { jsonErrorAt } from '../../steps/parsers/fhir-json.js';

/** What the source expects in a request body, checked before anything is accepted. */
export type Expect = 'fhir-document' | 'fhir-resource' | 'any';

export interface EnvelopeCheck {
  issues: Issue[];
  /** False when the body cannot be read at all (not UTF-8, not JSON): a pipeline dry run could only repeat that. */
  readable: boolean;
  /** `Bundle.identifier` as `system|value` for a document Bundle: the document's own identity (FHIR documents are immutable). */
  documentKey?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function decodeJson(body: Buffer): { value?: unknown; issue?: Issue } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return { issue: error('HTTP_ENCODING', 'the body is not valid UTF-8 (FHIR JSON is always UTF-8)') };
  }
  if (text.trim() === '') return { issue: error('HTTP_EMPTY_BODY', 'the body is empty') };
  const json = text.replace(/^\uFEFF/, '');
  try {
    return { value: JSON.parse(json) };
  } catch {
    // not JSON.parse's message: it quotes the content (patient data)
    const { offset, reason } = jsonErrorAt(json);
    const before = json.slice(0, offset);
    const where = `line ${before.split('\n').length}, column ${offset - before.lastIndexOf('\n')}`;
    return { issue: error('HTTP_NOT_JSON', `the body is not JSON: ${reason}`, where) };
  }
}

/**
 * The structure every FHIR document Bundle must have (FHIR R4 Bundle invariants bdl-7, bdl-9, bdl-10, bdl-11 and
 * the document rules), every problem reported, with a FHIRPath for each. Content rules (what the Composition and its
 * sections must hold) belong to the mapping and validators, run by the pipeline dry run.
 */
function checkDocumentBundle(bundle: Json, issues: Issue[]): string | undefined {
  if (bundle.type !== 'document') {
    issues.push(error('FHIR_NOT_DOCUMENT', `Bundle.type is ${JSON.stringify(bundle.type ?? null)}, expected "document"`, 'Bundle.type'));
  }
  let documentKey: string | undefined;
  const id = bundle.identifier;
  if (!isObject(id) || !nonEmptyString(id.system) || !nonEmptyString(id.value)) {
    issues.push(error('FHIR_DOCUMENT_IDENTIFIER', 'a document Bundle needs an identifier with a system and a value (bdl-9)', 'Bundle.identifier'));
  } else {
    documentKey = `${id.system}|${id.value}`;
  }
  if (!nonEmptyString(bundle.timestamp)) {
    issues.push(error('FHIR_DOCUMENT_TIMESTAMP', 'a document Bundle needs a timestamp (bdl-10)', 'Bundle.timestamp'));
  }
  const entries = bundle.entry;
  if (!Array.isArray(entries) || entries.length === 0) {
    issues.push(error('FHIR_DOCUMENT_EMPTY', 'a document Bundle needs entries, the first one a Composition (bdl-11)', 'Bundle.entry'));
    return documentKey;
  }
  const fullUrls = new Map<string, number>();
  entries.forEach((entry: unknown, i) => {
    const where = `Bundle.entry[${i}]`;
    if (!isObject(entry)) {
      issues.push(error('FHIR_ENTRY_INVALID', 'an entry must be an object', where));
      return;
    }
    const resource = entry.resource;
    if (!isObject(resource) || !nonEmptyString(resource.resourceType)) {
      issues.push(error('FHIR_ENTRY_NO_RESOURCE', 'every entry of a document carries a resource with a resourceType', `${where}.resource`));
    } else if (i === 0 && resource.resourceType !== 'Composition') {
      issues.push(error('FHIR_DOCUMENT_COMPOSITION', `the first entry of a document must be a Composition, not ${resource.resourceType} (bdl-11)`, `${where}.resource`));
    }
    if (!nonEmptyString(entry.fullUrl)) {
      issues.push(error('FHIR_ENTRY_FULLURL', 'every entry of a document needs a fullUrl (references resolve inside the document)', `${where}.fullUrl`));
    } else if (fullUrls.has(entry.fullUrl)) {
      issues.push(error('FHIR_ENTRY_DUPLICATE_FULLURL', `fullUrl ${entry.fullUrl} is also used by Bundle.entry[${fullUrls.get(entry.fullUrl)}] (bdl-7)`, `${where}.fullUrl`));
    } else {
      fullUrls.set(entry.fullUrl, i);
    }
  });
  return documentKey;
}

/** Checks a request body against what the source expects; every problem is an issue. */
export function checkEnvelope(body: Buffer, expect: Expect): EnvelopeCheck {
  if (expect === 'any') return { issues: [], readable: true };
  const { value, issue } = decodeJson(body);
  if (issue) return { issues: [issue], readable: false };
  if (!isObject(value) || !nonEmptyString(value.resourceType)) {
    return { issues: [error('FHIR_NOT_RESOURCE', 'the body is JSON but not a FHIR resource (no resourceType)', 'resourceType')], readable: true };
  }
  if (expect === 'fhir-resource') return { issues: [], readable: true };
  if (value.resourceType !== 'Bundle') {
    return { issues: [error('FHIR_NOT_BUNDLE', `expected a document Bundle, got a ${value.resourceType}`, 'resourceType')], readable: true };
  }
  const issues: Issue[] = [];
  const documentKey = checkDocumentBundle(value, issues);
  return { issues, readable: true, documentKey };
}
