import { z } from 'zod';
import { defineParser } from '../../engine/define.js';
import { error, type Issue } from '../../engine/issues.js';

const options = z.object({
  resourceTypes: z
    .array(z.string().regex(/^[A-Z][A-Za-z]+$/))
    .default([])
    .describe('accepted resourceType values (e.g. [Bundle]); empty accepts any FHIR resource'),
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Line and column (1-based) of a character offset, for JSON syntax errors. */
function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/**
 * Offset and reason of the first JSON syntax error (RFC 8259 grammar), found by a small recursive-descent scan. Used
 * only after JSON.parse failed: its messages quote the content (patient data) and do not always give a position.
 */
export function jsonErrorAt(text: string): { offset: number; reason: string } {
  let i = 0;
  const fail = (reason: string): never => {
    throw { offset: i, reason };
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const lit = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`unexpected ${describe()}`);
  };
  const describe = () => (i >= text.length ? 'end of input' : `character "${text[i]}"`);
  const str = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      const c = text.charCodeAt(i);
      if (c < 0x20) fail('control character in a string');
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('bad \\u escape');
          i += 5;
        } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i]!)) i++;
        else fail('bad escape in a string');
      } else i++;
    }
    if (i >= text.length) fail('unterminated string');
    i++;
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail(`unexpected ${describe()}`);
    i += m![0].length;
  };
  let depth = 0;
  const value = (): void => {
    ws();
    const c = text[i];
    if ((c === '{' || c === '[') && ++depth > 1000) fail('nesting deeper than 1000 levels');
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void (i++, depth--);
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a property name, found ${describe()}`);
        str();
        ws();
        if (text[i] !== ':') fail(`expected ":", found ${describe()}`);
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void (i++, depth--);
        else fail(`expected "," or "}", found ${describe()}`);
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void (i++, depth--);
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void (i++, depth--);
        else fail(`expected "," or "]", found ${describe()}`);
      }
    }
    if (c === '"') return str();
    if (c === 't') return lit('true');
    if (c === 'f') return lit('false');
    if (c === 'n') return lit('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return num();
    fail(`unexpected ${describe()}`);
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${describe()} after the end of the JSON value`);
    return { offset: i, reason: 'invalid JSON' };
  } catch (e) {
    return e as { offset: number; reason: string };
  }
}

function parseJson(text: string): { value?: unknown; issue?: Issue } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    if (text.trim() === '') return { issue: error('JSON_PARSE', 'not valid JSON: the content is empty', 'line 1') };
    const { offset, reason } = jsonErrorAt(text);
    return { issue: error('JSON_PARSE', `not valid JSON: ${reason}`, lineCol(text, offset)) };
  }
}

/**
 * FHIR R4 resources in JSON (one resource per message, typically a document or transaction Bundle). Decodes UTF-8
 * strictly (RFC 8259; a BOM is accepted and dropped), parses, and checks `resourceType`. The value is the resource
 * as parsed; mappings check the resource's own structure.
 */
export const fhirJsonParser = defineParser({
  format: 'fhir-json',
  description: 'One FHIR R4 resource in JSON (UTF-8); checks resourceType',
  options,
  parse(raw, o) {
    let text: string;
    try {
      text = utf8.decode(raw);
    } catch {
      return { issues: [error('JSON_ENCODING', 'the content is not valid UTF-8 (FHIR JSON must be UTF-8)')] };
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const parsed = parseJson(text);
    if (parsed.issue) return { issues: [parsed.issue] };
    const value = parsed.value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { issues: [error('FHIR_RESOURCE_TYPE', `expected a FHIR resource (a JSON object), got ${Array.isArray(value) ? 'an array' : typeof value}`)] };
    }
    const resourceType = (value as { resourceType?: unknown }).resourceType;
    if (typeof resourceType !== 'string' || !/^[A-Z][A-Za-z]+$/.test(resourceType)) {
      return { issues: [error('FHIR_RESOURCE_TYPE', 'the JSON object has no resourceType: it is not a FHIR resource', 'resourceType')] };
    }
    if (o.resourceTypes.length && !o.resourceTypes.includes(resourceType)) {
      return { issues: [error('FHIR_RESOURCE_TYPE', `resourceType "${resourceType}" is not accepted here (expected ${o.resourceTypes.join(' or ')})`, 'resourceType')] };
    }
    return { value, issues: [] };
  },
});
