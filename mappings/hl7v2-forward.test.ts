import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hl7v2Parser } from '../src/steps/parsers/hl7v2.js';
import type { Hl7Message } from '../src/formats/hl7v2/index.js';
import mapping from './hl7v2-forward.js';

const ctx = { channelId: 't', messageId: 'm', receivedAt: new Date('2026-01-01T00:00:00Z') };
const parse = (bytes: Buffer) => hl7v2Parser.parse(bytes, hl7v2Parser.options.parse({})).value as Hl7Message;
const root = path.resolve(import.meta.dirname, '..');

describe('hl7v2-forward', () => {
  it('gives back the bytes received (ISO 8859-1 accents included) when the parser left the message untouched', () => {
    const bytes = fs.readFileSync(path.join(root, 'fixtures/hl7v2/pam-fr/a31-update-latin1.hl7'));
    const r = mapping.map(parse(bytes), ctx);
    expect(r.issues).toEqual([]);
    expect(r.output?.contentType).toBe('x-application/hl7-v2+er7');
    expect(Buffer.isBuffer(r.output?.content) && (r.output.content as Buffer).equals(bytes)).toBe(true);
  });
  it('forwards an LF-ended ANS example as the parser normalised it: CR segment ends, every field unchanged', () => {
    const bytes = fs.readFileSync(path.join(root, '../shared/ans/hl7v2-exemples/SGL/admission.er7'));
    const out = mapping.map(parse(bytes), ctx).output!.content as Buffer;
    expect(out.toString('utf8')).toBe(bytes.toString('utf8').replace(/\n+/g, '\r'));
  });
});
