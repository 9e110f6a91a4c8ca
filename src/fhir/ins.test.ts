import { describe, expect, it } from 'vitest';
import { checkNir } from './ins.js';

/** Builds a valid NIR from its 13 first characters (test helper mirroring the rule independently). */
const withKey = (body: string) => body + String(97 - Number(BigInt(body.replace('2A', '19').replace('2B', '18')) % 97n)).padStart(2, '0');

describe('checkNir', () => {
  it('accepts the key computed as 97 − (N mod 97)', () => {
    expect(checkNir('255081416802538')).toEqual([]); // published example: 2 55 08 14 168 025 key 38
    expect(checkNir(withKey('1840763123456'))).toEqual([]);
  });
  it('maps Corsica 2A → 19 and 2B → 18 before the key computation', () => {
    expect(checkNir(withKey('185052A123456'))).toEqual([]);
    expect(checkNir(withKey('285052B123456'))).toEqual([]);
    // a key computed without the substitution is refused
    const naive = '185052A123456' + String(97 - Number(BigInt('1850519123456'.replace('19', '00')) % 97n)).padStart(2, '0');
    expect(checkNir(naive)[0]?.code).toBe('NIR_KEY');
  });
  it('reports a wrong key with the expected one', () => {
    const [issue] = checkNir('255081416802539');
    expect(issue).toMatchObject({ code: 'NIR_KEY', message: expect.stringContaining('expected 38') });
  });
  it('reports a malformed matricule', () => {
    expect(checkNir('12345')[0]?.code).toBe('NIR_FORMAT');
    expect(checkNir('9550814168025AB')[0]?.code).toBe('NIR_FORMAT');
  });
});
