/**
 * `serializeHl7`: message → bytes in its character set.
 */
import { encodeText, resolveCharset } from './charset.js';
import type { Hl7Message } from './message.js';

export interface SerializeOptions {
  /**
   * Character set to write (MSH-18 label or iconv name). Default: the one the message was read with, or the one
   * MSH-18 names if MSH-18 was changed since. It does not change MSH-18: set it too if you change the set.
   */
  charset?: string;
  /** End every segment with CR and drop blank lines, leading whitespace and the byte-order mark. */
  normalize?: boolean;
}

/**
 * Serialises a message. An unmodified message parsed from bytes gives back those very bytes (same memory, no
 * copy) unless normalising or changing the character set; otherwise the text is encoded, with the UTF-8
 * byte-order mark restored when the input had one. Characters the target set cannot represent become `?`.
 */
export function serializeHl7(message: Hl7Message, opts: SerializeOptions = {}): Buffer {
  const requested = opts.charset !== undefined ? resolveCharset(opts.charset) : undefined;
  if (requested === null) throw new Error(`unsupported character set ${JSON.stringify(opts.charset)}`);
  const label = message.msh.get(18);
  const declared = label !== message.charsetLabel ? resolveCharset(label) ?? undefined : undefined;
  const encoding = requested ?? declared ?? message.encoding;
  const untouched = message.untouchedBytes;
  if (untouched && !opts.normalize && encoding === message.encoding) {
    return Buffer.from(untouched.buffer, untouched.byteOffset, untouched.byteLength);
  }
  const body = encodeText(message.toString({ normalize: opts.normalize }), encoding);
  if (message.bom && !opts.normalize && encoding === 'utf8') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
  return body;
}
