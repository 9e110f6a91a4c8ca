import { describe, expect, it } from 'vitest';
import { substituteParams } from './instantiate.js';

describe('substituteParams', () => {
  const params = { elt: 'cda:value', nullFlavor: '1', path_jdv: '$JDV_x-CISIS' };

  it('replaces $name where the reference ends, in one pass', () => {
    expect(substituteParams('$elt[not(@nullFlavor) or $nullFlavor]', params)).toBe('cda:value[not(@nullFlavor) or 1]');
    expect(substituteParams('document($path_jdv)//x', params)).toBe('document($JDV_x-CISIS)//x');
  });

  it('does not touch longer names or other variables', () => {
    expect(substituteParams('$nullFlavorAllowed | $elt-2 | $elt.x | $eltx | $other', params)).toBe('$nullFlavorAllowed | $elt-2 | $elt.x | $eltx | $other');
    expect(substituteParams('$elt', {})).toBe('$elt');
  });
});
