import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectSameAsAnsFile } from '../testing/ans-value-sets.js';
import type { ValueSet } from '../value-set.js';
import { CARE_STEP_KINDS, careStepKindOf, PPS_VALUE_SETS } from './codes.js';

const VOLET_JDV_DIR = path.resolve(import.meta.dirname, '../../../../../shared/ans/cda/schematrons/include/jeuxDeValeurs/CANCER-PPS_2022.01');

describe('embedded PPS value sets', () => {
  it.each(PPS_VALUE_SETS.map((v) => [v.name, v] as const))('%s equals the ANS file', (_name, vs: ValueSet) => expectSameAsAnsFile(vs));

  it('cover every JDV the CANCER-PPS volet schematron checks on care steps, with the procedure code it checks', () => {
    const active = fs.readFileSync(path.resolve(VOLET_JDV_DIR, '../../../CI-SIS_CANCER-PPS_2022.01.sch'), 'utf8');
    const checked = [...active.matchAll(/<active pattern="(JDV_[^"]+)-CISIS"\/>/g)].map((m) => `${m[1]}_CISIS`);
    expect(checked.sort()).toEqual(PPS_VALUE_SETS.map((v) => v.name).filter((n) => !['JDV_J11_RelationPatient_CISIS', 'JDV_SocialHistoryCodes_CISIS'].includes(n)).sort());
    for (const kind of CARE_STEP_KINDS) {
      const pattern = fs.readFileSync(path.join(VOLET_JDV_DIR, `${kind.valueSet.name.replace(/_CISIS$/, '-CISIS')}.sch`), 'utf8');
      expect(pattern).toContain(`cda:procedure[(cda:code/@code='${kind.code.code}')]/cda:code/cda:qualifier/cda:value`);
    }
  });

  it('the six care-step value sets are disjoint, so a code names its kind', () => {
    const all = CARE_STEP_KINDS.flatMap((k) => k.valueSet.concepts.map(([code, system]) => `${system}|${code}`));
    expect(new Set(all).size).toBe(all.length);
    expect(careStepKindOf('C15313', '2.16.840.1.113883.3.26.1.1')?.kind.code.code).toBe('MED-568');
    expect(careStepKindOf('PAT-024', '1.2.250.1.213.1.1.4.322')?.kind.section).toBe('support');
    expect(careStepKindOf('C15313', '2.16.840.1.113883.6.96')).toBeUndefined();
  });
});
