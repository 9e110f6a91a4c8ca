/**
 * MLLP transport: framing, a listener that acknowledges only after the handler resolved, and an ordered sender.
 * Bytes in, bytes out: HL7 parsing and charset decoding live elsewhere. See docs/mllp.md.
 */
export { encodeFrame, findFramingByte } from './frame-encoder.js';
export {
  MllpFrameDecoder,
  type MllpDecoderIssue,
  type MllpDecoderIssueCode,
  type MllpFrameDecoderOptions,
  type MllpFrameDecoderStats,
} from './frame-decoder.js';
export { CR, DEFAULT_MAX_FRAME_BYTES, FS, VT } from './mllp-bytes.js';
export { startMllpServer, type MllpServer } from './server.js';
export type {
  MllpCloseReason,
  MllpMessageContext,
  MllpMessageHandler,
  MllpPeerCertificate,
  MllpServerEvent,
  MllpServerOptions,
  MllpServerTlsOptions,
  Pem,
} from './server-options.js';
export type { MllpServerStats } from './server-stats.js';
export { createMllpClient, type MllpClient, type MllpClientOptions, type MllpSendOptions } from './client.js';
export type { MllpClientEvent } from './client-connection.js';
export type { MllpClientTlsOptions } from './client-socket.js';
export { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { MllpConnectionError, MllpError, MllpTimeoutError, type MllpErrorCode } from './errors.js';
