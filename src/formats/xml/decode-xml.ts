/**
 * Bytes → text for XML processors that take strings (SaxonJS): BOM first, then the encoding declaration, else UTF-8
 * (XML 1.0 §4.3.3 and appendix F).
 */

/** Encoding label of an XML buffer: from its BOM, its declaration, or `utf-8`. */
export function xmlEncoding(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 200)).toString('latin1');
  const declared = /^<\?xml[^>]*\sencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']/.exec(head);
  return declared?.[1]?.toLowerCase() ?? 'utf-8';
}

/**
 * Decodes an XML document. A string is returned unchanged.
 * @throws RangeError for an encoding label the runtime does not know.
 */
export function decodeXml(xml: string | Uint8Array): string {
  if (typeof xml === 'string') return xml;
  const text = new TextDecoder(xmlEncoding(xml), { fatal: false }).decode(xml);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
