/**
 * Oracle 1: the 132 shared codec vectors (/work/shared/vectors/hl7v2), all of them, data-driven.
 * Vectors whose `note` records a policy this codec does not follow would be listed in `knownDivergences` with
 * the behaviour asserted instead; see docs/hl7v2-codec.md.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasErrors } from '../../engine/issues.js';
import { parseBatch } from './batch.js';
import { resolveCharset } from './charset.js';
import { delimitersFromString } from './delimiters.js';
import { escapeValue, unescapeValue } from './escape.js';
import { parseHl7 } from './parse.js';
import { parsePath } from './path.js';
import { serializeHl7 } from './serialize.js';

interface Vector {
  id: string;
  source: string;
  kind: 'get' | 'unescape' | 'escape' | 'charset' | 'batch' | 'reject';
  message: string;
  delimiters?: string;
  path?: string;
  expected: string | number;
  bytes_b64?: string;
  charset?: string;
  batch?: boolean;
  note?: string;
}

const vectorsFile = fileURLToPath(new URL('../../../../shared/vectors/hl7v2/vectors.json', import.meta.url));
const vectors = JSON.parse(readFileSync(vectorsFile, 'utf8')) as Vector[];

/**
 * Vectors where this codec deliberately differs from the recorded policy, with the reason and the behaviour
 * asserted instead. Empty: every noted policy is followed (docs/hl7v2-codec.md, "Vectors").
 */
const knownDivergences: Record<string, { reason: string; assert: (v: Vector) => void }> = {};

function run(v: Vector): void {
  switch (v.kind) {
    case 'get': {
      const { message, issues } = parseHl7(v.message);
      expect(hasErrors(issues), JSON.stringify(issues)).toBe(false);
      expect(message!.get(v.path!)).toBe(v.expected);
      if (v.delimiters) {
        const d = message!.delimiters;
        expect(d.field + d.component + d.repetition + d.escape + d.subcomponent).toBe(v.delimiters);
      }
      expect(message!.toString()).toBe(v.message);
      return;
    }
    case 'unescape': {
      const enc = v.charset ? resolveCharset(v.charset) ?? undefined : undefined;
      expect(unescapeValue(v.message, delimitersFromString(v.delimiters!), enc)).toBe(v.expected);
      return;
    }
    case 'escape': {
      const d = delimitersFromString(v.delimiters!);
      const escaped = escapeValue(v.message, d);
      expect(escaped).toBe(v.expected);
      expect(unescapeValue(escaped, d)).toBe(v.message);
      return;
    }
    case 'charset': {
      const bytes = Buffer.from(v.bytes_b64!, 'base64');
      const { message, issues } = parseHl7(bytes);
      expect(hasErrors(issues), JSON.stringify(issues)).toBe(false);
      expect(message!.get(v.path!)).toBe(v.expected);
      expect(serializeHl7(message!).equals(bytes)).toBe(true);
      // the text model itself (not the kept input bytes) re-encodes to the same bytes
      message!.set('MSH-10', message!.get('MSH-10'));
      expect(serializeHl7(message!).equals(bytes)).toBe(true);
      return;
    }
    case 'batch': {
      const r = parseBatch(v.message);
      expect(hasErrors(r.issues), JSON.stringify(r.issues)).toBe(false);
      expect(r.messages).toHaveLength(v.expected as number);
      expect(r.issues.filter((i) => i.code === 'HL7_BATCH_COUNT')).toEqual([]);
      return;
    }
    case 'reject': {
      const issues = v.path
        ? parsePath(v.path).issues
        : v.batch
          ? parseBatch(v.bytes_b64 ? Buffer.from(v.bytes_b64, 'base64') : v.message).issues
          : parseHl7(v.bytes_b64 ? Buffer.from(v.bytes_b64, 'base64') : v.message).issues;
      const errors = issues.filter((i) => i.severity === 'error');
      expect(errors.length, JSON.stringify(issues)).toBeGreaterThan(0);
      for (const e of errors) {
        expect(e.code).toMatch(/^HL7_[A-Z_]+$/);
        expect(e.message.length).toBeGreaterThan(10);
      }
      if (!v.path && !v.batch) expect(parseHl7(v.message).message).toBeUndefined();
      return;
    }
  }
}

describe('HL7v2 vectors', () => {
  it('has the 132 vectors (49 carry a `note`; the README says 82)', () => {
    expect(vectors).toHaveLength(132);
    expect(vectors.filter((v) => v.note)).toHaveLength(49);
    for (const id of Object.keys(knownDivergences)) expect(vectors.some((v) => v.id === id)).toBe(true);
  });

  for (const v of vectors) {
    const divergence = knownDivergences[v.id];
    if (divergence) it(`${v.id} [known divergence: ${divergence.reason}]`, () => divergence.assert(v));
    else it(`${v.kind} ${v.id}`, () => run(v));
  }
});
