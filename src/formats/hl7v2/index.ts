/**
 * HL7v2 codec: lossless parse / serialise, path access, escapes, character sets, batches, ACKs, ED payloads.
 * See docs/hl7v2-codec.md.
 */
export { parseHl7, DEFAULT_MAX_MESSAGE_BYTES, type ParseOptions, type ParseResult } from './parse.js';
export { serializeHl7, type SerializeOptions } from './serialize.js';
export { parseBatch, type BatchResult, type Hl7Batch } from './batch.js';
export { Hl7Message, toPath, type Hl7MessageJson, type ToStringOptions } from './message.js';
export { Hl7Segment, toFieldPath, type CodecContext } from './segment.js';
export { parsePath, parseFieldPath, formatPath, type Hl7Path, type FieldPath } from './path.js';
export { DEFAULT_DELIMITERS, delimitersFromString, readEncodingCharacters, encodingCharacters, type Delimiters } from './delimiters.js';
export { escapeValue, unescapeValue } from './escape.js';
export { resolveCharset, decodeMessageBytes, decodeBytes, encodeText, scanMsh18, type Encoding, type DefaultCharset, type DecodedMessage } from './charset.js';
export { buildAck, hl7Timestamp, type AckCode, type AckOptions, type Hl7ErrorCode } from './ack.js';
export { messageType, acceptAckType, applicationAckType, isEnhancedAckMode, versionOf, controlIdOf, type MessageType, type AckCondition } from './header.js';
export { extractEncapsulatedData, type EncapsulatedData, type ReferencePointer } from './payload.js';
