import { describe, expect, it } from 'vitest';
import { xpnList } from './hl7-types.js';
import { patientNames } from './names.js';
import { segment } from './test-support.js';

const names = (pid5: string) => patientNames(xpnList(segment(`PID|1||1^^^&1.2.3&ISO^PI||${pid5}`), 5), 'PID-5');

describe('PID-5 names', () => {
  it('L is the birth name with the list of birth given names (XPN.3), D the used name and given name', () => {
    const r = names('DARK^JEANNE^JEANNE MARIE CECILE^^Mme^^L~^MARIE-CECILE^^^^^D');
    expect(r.issues).toEqual([]);
    expect(r.names).toEqual([
      { use: 'official', family: 'DARK', given: ['JEANNE MARIE CECILE'], prefix: ['Mme'] },
      { use: 'usual', given: ['MARIE-CECILE'] },
    ]);
  });
  it('takes XPN.2 as the given names when XPN.3 is empty, collapses blanks', () => {
    expect(names('PAT-TROIS^DOMINIQUE^^^^^L').names).toEqual([{ use: 'official', family: 'PAT-TROIS', given: ['DOMINIQUE'] }]);
    expect(names('DE  LA FONTAINE^JEAN ^^^^^L').names[0]).toMatchObject({ family: 'DE LA FONTAINE', given: ['JEAN'] });
  });
  it('reads the "" used name of a divorce as no used family name (PAM FR §6.6.2)', () => {
    expect(names('""^Orianne^^^^^D~DES LAUMES^Orianne^^^^^L').names).toEqual([
      { use: 'usual', given: ['Orianne'] },
      { use: 'official', family: 'DES LAUMES', given: ['Orianne'] },
    ]);
  });
  it('maps a pseudonym (S) to an anonymous name and an unspecified (U) name without use', () => {
    expect(names('NOZIERE^Violette^^^^^L~César^Jules^^^^^S~X^Y^^^^^U').names.slice(1)).toEqual([{ use: 'anonymous', family: 'César', given: ['Jules'] }, { family: 'X', given: ['Y'] }]);
  });
  it('reads a name without type as the birth name when there is no L, with a warning', () => {
    const r = names('MARTIN^Luc');
    expect(r.names).toEqual([{ use: 'official', family: 'MARTIN', given: ['Luc'] }]);
    expect(r.issues.map((i) => i.code)).toEqual(['NAME_TYPE_MISSING']);
  });
  it('errors without a complete birth name; warns on an unknown name type', () => {
    expect(names('^Luc^^^^^L').issues.map((i) => `${i.severity}:${i.code}`)).toEqual(['error:BIRTH_NAME_INCOMPLETE']);
    expect(names('MARTIN^Luc^^^^^D').issues.map((i) => `${i.severity}:${i.code}`)).toEqual(['error:BIRTH_NAME_MISSING']);
    expect(names('MARTIN^Luc^^^^^L~M^L^^^^^Q').issues.map((i) => `${i.severity}:${i.code}`)).toEqual(['warning:NAME_TYPE']);
  });
});
