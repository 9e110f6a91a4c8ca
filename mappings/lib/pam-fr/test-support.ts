/** Test helpers: HL7 messages from segment lines, and fixture paths. Used by the tests of this folder only. */
import path from 'node:path';
import { parseHl7, type Hl7Message, type Hl7Segment } from '../../../src/formats/hl7v2/index.js';

/** A message from segment lines (MSH added when absent), CR-terminated, parsed by the project's codec. */
export function message(...lines: string[]): Hl7Message {
  const all = lines[0]?.startsWith('MSH|') ? lines : ['MSH|^~\\&|GAM|CHU-Y|DCC|RRC|20260101000000||ADT^A31^ADT_A05|T1|P|2.5^FRA^2.11|||||FRA|UNICODE UTF-8', ...lines];
  const { message: m, issues } = parseHl7(Buffer.from(all.join('\r') + '\r', 'utf8'));
  if (!m) throw new Error(issues.map((i) => i.message).join('; '));
  return m;
}

/** The first segment of that name in a one-segment message. */
export function segment(line: string): Hl7Segment {
  const name = line.slice(0, 3);
  return message(line).segment(name)!;
}

export const repoRoot = path.resolve(import.meta.dirname, '../../..');
export const fixture = (name: string) => path.join(repoRoot, 'fixtures/hl7v2/pam-fr', name);
export const ansExamples = path.resolve(repoRoot, '../shared/ans/hl7v2-exemples');
export const frCoreDir = path.resolve(repoRoot, '../shared/fhir/fr-core-2.0.0');
