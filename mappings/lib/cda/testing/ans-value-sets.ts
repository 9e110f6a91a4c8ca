/**
 * Test support: the ANS value set files (jeuxDeValeurs/JDV_*.xml of the CDA test kit in ../shared/ans/cda) that the
 * volets' embedded value sets are copied from. Used only by tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { ValueSet } from '../value-set.js';

const JDV_DIR = path.resolve(import.meta.dirname, '../../../../../shared/ans/cda/jeuxDeValeurs');

/** The OID and the [code, codeSystem, displayName] of every Concept of an ANS SVS value set file. */
export function readJdv(name: string): { oid: string; concepts: [string, string, string][] } {
  const xml = fs.readFileSync(path.join(JDV_DIR, `${name}.xml`), 'utf8');
  const attrs = (s: string) => Object.fromEntries([...s.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const oid = attrs(/<ValueSet\b([^>]*)>/.exec(xml)![1]!).id!;
  const concepts = [...xml.matchAll(/<Concept\b([^>]*?)\/?>/g)].map((m) => {
    const a = attrs(m[1]!);
    return [a.code!, a.codeSystem!, a.displayName!] as [string, string, string];
  });
  return { oid, concepts };
}

/** Asserts that an embedded value set has the OID and the concepts (in order) of its ANS file. */
export function expectSameAsAnsFile(vs: ValueSet): void {
  const jdv = readJdv(vs.name);
  expect(vs.oid).toBe(jdv.oid);
  expect(vs.concepts).toEqual(jdv.concepts);
}
