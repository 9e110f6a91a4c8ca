import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as sets from './value-sets.js';
import type { ValueSet } from '../value-set.js';

const JDV_DIR = path.resolve(import.meta.dirname, '../../../../../shared/ans/cda/jeuxDeValeurs');

/** [code, codeSystem, displayName] of every Concept of an ANS SVS value set file. */
function readJdv(name: string): { oid: string; concepts: [string, string, string][] } {
  const xml = fs.readFileSync(path.join(JDV_DIR, `${name}.xml`), 'utf8');
  const attrs = (s: string) => Object.fromEntries([...s.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const oid = attrs(/<ValueSet\b([^>]*)>/.exec(xml)![1]!).id!;
  const concepts = [...xml.matchAll(/<Concept\b([^>]*?)\/?>/g)].map((m) => {
    const a = attrs(m[1]!);
    return [a.code!, a.codeSystem!, a.displayName!] as [string, string, string];
  });
  return { oid, concepts };
}

describe('embedded FRCP value sets', () => {
  const all = Object.values(sets) as ValueSet[];
  it('cover the JDVs the FRCP volet checks', () => {
    expect(all.map((v) => v.name).sort()).toEqual([
      'JDV_ModificateurTopographique_CISIS',
      'JDV_NatureDiscussion_CISIS',
      'JDV_OMSEchPerf_CISIS',
      'JDV_OMSInterpret_CISIS',
      'JDV_PhaseCancer_CISIS',
      'JDV_RCP_Appareil_CISIS',
      'JDV_RCP_Organe_CISIS',
      'JDV_StatutCasPresente_CISIS',
      'JDV_StatutDoc_CISIS',
      'JDV_StatutQuorum_CISIS',
      'JDV_TraitementSoins_FRCP_CISIS',
      'JDV_TypeTraitement_FRCP_CISIS',
    ]);
  });
  it.each(all.map((v) => [v.name, v] as const))('%s equals the ANS file', (name, vs) => {
    const jdv = readJdv(name);
    expect(vs.oid).toBe(jdv.oid);
    expect(vs.concepts).toEqual(jdv.concepts);
  });
});
