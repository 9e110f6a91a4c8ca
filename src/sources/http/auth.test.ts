import { describe, expect, it } from 'vitest';
import { BearerTokens, normalizeFingerprint, parseDistinguishedName } from './auth.js';

describe('BearerTokens', () => {
  const tokens = new BearerTokens(['first-secret-token', 'second.token~with/chars+=']);

  it('accepts each configured token and says which one', () => {
    expect(tokens.check('Bearer first-secret-token')).toEqual({ ok: true, principal: 'token#1' });
    expect(tokens.check('bearer   second.token~with/chars+=')).toEqual({ ok: true, principal: 'token#2' });
  });

  it('401 without a token, with another scheme, with a wrong, shorter or longer token', () => {
    expect(tokens.check(undefined)).toMatchObject({ ok: false, status: 401, code: 'HTTP_AUTH_REQUIRED', challenge: 'Bearer realm="relais"' });
    expect(tokens.check('Basic dXNlcjpwYXNz')).toMatchObject({ ok: false, status: 401, code: 'HTTP_AUTH_INVALID' });
    for (const t of ['first-secret-tokem', 'first', 'first-secret-token-and-more']) {
      expect(tokens.check(`Bearer ${t}`)).toMatchObject({ ok: false, status: 401, code: 'HTTP_AUTH_INVALID', challenge: expect.stringContaining('invalid_token') });
    }
  });

  it('needs at least one token', () => {
    expect(() => new BearerTokens([])).toThrow(/at least one/);
  });
});

describe('certificate names', () => {
  it('parses allow-list entries and Node subjects alike', () => {
    expect(parseDistinguishedName('CN=rcp.chu.fr, O=CHU Exemple\\, Site Nord')).toEqual([['CN', 'rcp.chu.fr'], ['O', 'CHU Exemple, Site Nord']]);
    expect(parseDistinguishedName('O=Relais Tests\nCN=relais-test-client')).toEqual([['O', 'Relais Tests'], ['CN', 'relais-test-client']]);
    expect(() => parseDistinguishedName('rcp.chu.fr')).toThrow(/not an attribute=value pair/);
  });

  it('normalises fingerprints', () => {
    expect(normalizeFingerprint('sha256:ab:cd')).toBe('ABCD');
    expect(normalizeFingerprint('AB CD ef')).toBe('ABCDEF');
  });
});
