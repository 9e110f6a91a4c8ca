import { describe, expect, it } from 'vitest';
import { readMovement } from './movement.js';
import { segment } from './test-support.js';

const read = (zbe: string) => readMovement(segment(zbe));
const codes = (r: { issues: { code: string }[] }) => r.issues.map((i) => i.code);

describe('ZBE', () => {
  it('reads id, start, action, historic flag, original trigger, wards and nature', () => {
    const r = read('ZBE|M1^CHU^1.2.3^ISO~M1B^APP2^1.2.4^ISO|20260112090000||CANCEL|Y|A02|Onco^^^^^CHU&1.2.3&ISO^UF^^^4010|Soins^^^^^CHU&1.2.3&ISO^UF^^^4011|HMS');
    expect(r.issues).toEqual([]);
    expect(r.movement).toEqual({
      ids: [
        { value: 'M1', authority: { namespace: 'CHU', universalId: '1.2.3', universalIdType: 'ISO' }, repetition: 1 },
        { value: 'M1B', authority: { namespace: 'APP2', universalId: '1.2.4', universalIdType: 'ISO' }, repetition: 2 },
      ],
      start: '20260112090000',
      action: 'CANCEL',
      historic: true,
      originalTrigger: 'A02',
      medicalWard: { name: 'Onco', authority: { namespace: 'CHU', universalId: '1.2.3', universalIdType: 'ISO' }, typeCode: 'UF', id: '4010' },
      careWard: { name: 'Soins', authority: { namespace: 'CHU', universalId: '1.2.3', universalIdType: 'ISO' }, typeCode: 'UF', id: '4011' },
      nature: 'HMS',
    });
  });
  it('reads the ANS SGL discharge defect (an extra field after ZBE-3) shifted, with a warning', () => {
    const r = read('ZBE|002^CHU-X^000897406|20240306110000|20260309102840||INSERT|N||Urgences^^^^^^UF^^^8782||HMS');
    expect(codes(r)).toEqual(['ZBE_SHIFTED']);
    expect(r.movement).toMatchObject({ action: 'INSERT', historic: false, medicalWard: { name: 'Urgences', id: '8782' }, nature: 'HMS' });
    expect(r.movement.careWard).toBeUndefined();
  });
  it('errors without movement id or start; warns on a bad action, historic flag, nature, or a valued ZBE-3', () => {
    expect(codes(read('ZBE||20260112090000||INSERT|N||||HMS'))).toEqual(['ZBE_NO_MOVEMENT_ID']);
    expect(codes(read('ZBE|M1^CHU^1.2.3^ISO|||INSERT|N||||HMS'))).toEqual(['ZBE_NO_START']);
    expect(codes(read('ZBE|M1^CHU^1.2.3^ISO|20260112090000|20260113|ADD|X||||ZZ'))).toEqual(['ZBE_END_FORBIDDEN', 'ZBE_ACTION', 'ZBE_HISTORIC', 'ZBE_NATURE']);
    expect(read('ZBE|M1^CHU^1.2.3^ISO|20260112090000||ADD|N||||H').movement.action).toBeUndefined();
  });
});
