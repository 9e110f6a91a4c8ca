import crypto from 'node:crypto';
import type { TLSSocket } from 'node:tls';

/** Outcome of authenticating one request: who it is (for logs: a token index or a certificate subject), or why not. */
export type AuthResult =
  | { ok: true; principal: string }
  | { ok: false; status: 401 | 403; code: string; message: string; challenge?: string };

const digest = (s: string): Buffer => crypto.createHash('sha256').update(s, 'utf8').digest();

/**
 * Bearer tokens compared in constant time: the presented token and every configured token are hashed to 32 bytes
 * and all of them are compared with `timingSafeEqual`, so neither the length nor the position of a match leaks.
 */
export class BearerTokens {
  private readonly digests: Buffer[];

  constructor(tokens: readonly string[]) {
    if (tokens.length === 0) throw new Error('at least one bearer token is required');
    this.digests = tokens.map(digest);
  }

  /** 1-based number of the matching token (for logs), or 0. */
  match(presented: string): number {
    const d = digest(presented);
    let found = 0;
    this.digests.forEach((t, i) => {
      if (crypto.timingSafeEqual(t, d) && found === 0) found = i + 1;
    });
    return found;
  }

  check(authorization: string | undefined): AuthResult {
    const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)[ ]*$/i.exec(authorization ?? '');
    if (!authorization) return { ok: false, status: 401, code: 'HTTP_AUTH_REQUIRED', message: 'a bearer token is required', challenge: 'Bearer realm="relais"' };
    if (!m) return { ok: false, status: 401, code: 'HTTP_AUTH_INVALID', message: 'the Authorization header is not "Bearer <token>"', challenge: 'Bearer realm="relais", error="invalid_request"' };
    const n = this.match(m[1]!);
    if (n === 0) return { ok: false, status: 401, code: 'HTTP_AUTH_INVALID', message: 'the bearer token is not valid', challenge: 'Bearer realm="relais", error="invalid_token"' };
    return { ok: true, principal: `token#${n}` };
  }
}

/** `CN=x, O=y` (an allow-list entry) or `CN=x\nO=y` (Node's X509Certificate.subject) → attribute pairs. */
export function parseDistinguishedName(dn: string): [string, string][] {
  const parts = dn.includes('\n') ? dn.split('\n') : dn.split(/(?<!\\),/);
  return parts
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=');
      if (eq <= 0) throw new Error(`"${p}" is not an attribute=value pair`);
      return [p.slice(0, eq).trim().toUpperCase(), p.slice(eq + 1).trim().replace(/\\,/g, ',')] as [string, string];
    });
}

/** SHA-256 fingerprint as 64 upper-case hex digits, from `AB:CD:…`, `abcd…` or `sha256:…`. */
export function normalizeFingerprint(f: string): string {
  return f.replace(/^sha-?256:/i, '').replace(/[:\s]/g, '').toUpperCase();
}

export interface ClientCertPolicy {
  /** Allowed subjects: every attribute of an entry must be in the certificate's subject (`CN=app.chu.fr, O=CHU`). */
  subjects: readonly string[];
  /** Allowed SHA-256 certificate fingerprints. */
  fingerprints: readonly string[];
}

/**
 * Client certificates: the TLS layer asks for one and checks it against `clientCa` but lets the handshake finish
 * (`rejectUnauthorized: false`), so that a refusal is an HTTP answer with a reason: 401 without a certificate or
 * with one the CA did not issue (or expired), 403 for a valid certificate outside the allow-lists.
 */
export class ClientCertificates {
  private readonly subjects: [string, string][][];
  private readonly fingerprints: Set<string>;

  constructor(policy: ClientCertPolicy) {
    this.subjects = policy.subjects.map(parseDistinguishedName);
    for (const [i, s] of this.subjects.entries()) if (s.length === 0) throw new Error(`client certificate subject #${i + 1} is empty`);
    this.fingerprints = new Set(policy.fingerprints.map(normalizeFingerprint));
    for (const f of this.fingerprints) if (!/^[0-9A-F]{64}$/.test(f)) throw new Error(`"${f}" is not a SHA-256 fingerprint (64 hex digits)`);
  }

  check(socket: TLSSocket | undefined): AuthResult {
    const cert = socket && typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined;
    if (!socket || !cert) return { ok: false, status: 401, code: 'HTTP_CLIENT_CERT_REQUIRED', message: 'a TLS client certificate is required' };
    if (!socket.authorized) {
      const why = socket.authorizationError ? ` (${String(socket.authorizationError)})` : '';
      return { ok: false, status: 401, code: 'HTTP_CLIENT_CERT_INVALID', message: `the client certificate is not trusted${why}` };
    }
    const subject = parseDistinguishedName(cert.subject);
    const has = (k: string, v: string) => subject.some(([sk, sv]) => sk === k && sv === v);
    const bySubject = this.subjects.some((entry) => entry.every(([k, v]) => has(k, v)));
    const byFingerprint = this.fingerprints.has(normalizeFingerprint(cert.fingerprint256));
    const principal = `cert:${subject.map(([k, v]) => `${k}=${v}`).join(',')}`;
    if (!bySubject && !byFingerprint) return { ok: false, status: 403, code: 'HTTP_CLIENT_CERT_FORBIDDEN', message: `the client certificate ${principal.slice(5)} is not allowed on this channel` };
    return { ok: true, principal };
  }
}
