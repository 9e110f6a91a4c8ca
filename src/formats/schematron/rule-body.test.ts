import { describe, expect, it } from 'vitest';
import { variableReferences } from './rule-body.js';

describe('variableReferences', () => {
  it('lists the variables read from outside the expression', () => {
    expect([...variableReferences('$a = $ns:b or $Q{urn:x}c')]).toEqual(['a', 'ns:b', 'Q{urn:x}c']);
    expect([...variableReferences("'$notAVariable' = $x-y.z")]).toEqual(['x-y.z']);
  });

  it('leaves out variables bound by for / some / every / let', () => {
    expect([...variableReferences('every $e in descendant::* satisfies $e[@a = $limit]')]).toEqual(['limit']);
    expect([...variableReferences('for $a in @*, $b in * return ($a, $b, $c)')]).toEqual(['c']);
    expect([...variableReferences('let $x := 1 return $x + $y')]).toEqual(['y']);
  });
});
