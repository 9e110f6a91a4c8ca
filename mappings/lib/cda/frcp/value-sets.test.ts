import { describe, expect, it } from 'vitest';
import * as shared from '../cancer-value-sets.js';
import { expectSameAsAnsFile } from '../testing/ans-value-sets.js';
import type { ValueSet } from '../value-set.js';
import * as sets from './value-sets.js';

describe('embedded FRCP value sets', () => {
  // the volet's own, and those it shares with the PPS
  const all = [...Object.values(sets), ...Object.values(shared)] as ValueSet[];
  it('cover the JDVs the FRCP volet checks', () => {
    expect(all.map((v) => v.name).sort()).toEqual([
      'JDV_J11_RelationPatient_CISIS',
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
  it.each(all.map((v) => [v.name, v] as const))('%s equals the ANS file', (_name, vs) => expectSameAsAnsFile(vs));
});
