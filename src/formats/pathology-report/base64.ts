/** Base64 payloads taken as they are: checked and measured without being decoded into a second copy. */
import { createHash } from 'node:crypto';

const ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

/** Removes line breaks and blanks (MIME and some HL7 senders wrap Base64); returns the same string when clean. */
export function compactBase64(text: string): string {
  return /[\s]/.test(text) ? text.replace(/\s+/g, '') : text;
}

/** Strict check: Base64 alphabet, padding only at the end, length a multiple of 4, not empty. */
export function isStrictBase64(b64: string): boolean {
  return b64.length > 0 && b64.length % 4 === 0 && ALPHABET.test(b64);
}

/** Decoded byte length of strict Base64. */
export function decodedSize(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length / 4) * 3 - pad;
}

/** The first bytes of the decoded content (decodes only a prefix). */
export function decodedPrefix(b64: string, bytes: number): Buffer {
  return Buffer.from(b64.slice(0, Math.ceil(bytes / 3) * 4), 'base64').subarray(0, bytes);
}

/** SHA-1 of the decoded bytes, Base64 (FHIR Attachment.hash), decoding in 48 KiB slices (no full decoded copy). */
export function sha1OfBase64(b64: string): string {
  const h = createHash('sha1');
  const step = 64 * 1024; // a multiple of 4 characters
  for (let i = 0; i < b64.length; i += step) h.update(Buffer.from(b64.slice(i, i + step), 'base64'));
  return h.digest('base64');
}

/** SHA-1 of bytes, Base64. */
export function sha1OfBytes(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('base64');
}

export const PDF_MAGIC = '%PDF-';

/** True when the Base64 content starts with `%PDF-`. */
export function looksLikePdf(b64: string): boolean {
  return decodedPrefix(b64, PDF_MAGIC.length).toString('latin1') === PDF_MAGIC;
}
