import path from 'node:path';

/** Content type of a document received with its sidecar: one JSON envelope holding both files. */
export const SIDECAR_ENVELOPE_TYPE = 'application/vnd.relais.sidecar+json';

/**
 * The envelope parsers read (`{"document":{name, contentType, base64}, "sidecar":{name, contentType, text}}`). Its
 * bytes depend only on the two files, so the same pair received twice has the same content hash.
 */
export interface SidecarEnvelope {
  document: { name: string; contentType: string; base64: string };
  sidecar: { name: string; contentType: string; text: string };
}

const TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.hl7': 'x-application/hl7-v2+er7',
  '.html': 'text/html',
  '.rtf': 'application/rtf',
  '.odt': 'application/vnd.oasis.opendocument.text',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};

/** Content type from a file name's extension (case-insensitive); `application/octet-stream` when unknown. */
export const contentTypeOf = (name: string): string => TYPES[path.posix.extname(name).toLowerCase()] ?? 'application/octet-stream';

/** The sidecar's text, or undefined when it is not valid UTF-8 (a BOM is dropped). */
export function sidecarText(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function buildSidecarEnvelope(document: { name: string; bytes: Buffer }, sidecar: { name: string; text: string }): Buffer {
  const envelope: SidecarEnvelope = {
    document: { name: document.name, contentType: contentTypeOf(document.name), base64: document.bytes.toString('base64') },
    sidecar: { name: sidecar.name, contentType: contentTypeOf(sidecar.name), text: sidecar.text },
  };
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}
