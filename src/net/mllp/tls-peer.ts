import type { TLSSocket } from 'node:tls';
import type { MllpPeerCertificate } from './server-options.js';

/** Formats a certificate name object (`{ CN: 'x', O: 'y' }`, values possibly repeated) as `CN=x,O=y`. */
export function formatDistinguishedName(name: object | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}=${String(x)}`) : [`${k}=${String(v)}`]))
    .join(',');
}

/** Summary of the client certificate of a TLS connection, or undefined if the client sent none. */
export function describePeerCertificate(socket: TLSSocket): MllpPeerCertificate | undefined {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return undefined;
  return {
    subject: formatDistinguishedName(cert.subject),
    issuer: formatDistinguishedName(cert.issuer),
    fingerprint256: cert.fingerprint256,
    serialNumber: cert.serialNumber,
    validFrom: cert.valid_from,
    validTo: cert.valid_to,
    authorized: socket.authorized,
  };
}
