import type { MllpDecoderIssue } from './frame-decoder.js';
import { DEFAULT_MAX_FRAME_BYTES } from './mllp-bytes.js';

/** PEM text or bytes, as accepted by `node:tls`. */
export type Pem = string | Buffer;

/**
 * Server-side TLS. Mutual TLS = `requestCert: true, rejectUnauthorized: true` with `ca`: a client must present a
 * certificate that chains to `ca`, otherwise the handshake fails and no byte reaches the handler.
 */
export interface MllpServerTlsOptions {
  cert: Pem;
  key: Pem;
  /** Trust anchors for client certificates. Required when `requestCert` is true. */
  ca?: Pem | Pem[];
  /** Ask the client for a certificate. */
  requestCert: boolean;
  /** Refuse clients whose certificate is missing or does not verify against `ca` (only meaningful with requestCert). */
  rejectUnauthorized: boolean;
  /** Abort handshakes that take longer than this. Default 30 000 ms. */
  handshakeTimeoutMs?: number;
}

/** What the server knows about the TLS client certificate of a connection. */
export interface MllpPeerCertificate {
  /** Subject distinguished name, e.g. `CN=lab-analyser,O=Hospital`. */
  subject: string;
  issuer: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex (as `X509Certificate.fingerprint256`). */
  fingerprint256: string;
  serialNumber: string;
  validFrom: string;
  validTo: string;
  /** true if the certificate verified against the configured CA. */
  authorized: boolean;
}

/** Where a frame came from. */
export interface MllpMessageContext {
  /** Unique id of the TCP connection, stable for all frames on it. */
  connectionId: string;
  remoteAddress: string;
  remotePort: number;
  /** 0-based position of this frame among the frames received on the connection. */
  frameIndex: number;
  transport: 'tcp' | 'tls';
  /** Present on TLS connections whose client presented a certificate. */
  peerCertificate?: MllpPeerCertificate;
}

/**
 * Handles one frame payload and returns the ACK payload (unframed). Resolve only once the message is stored
 * durably: the ACK is written when the promise resolves. Resolving `null` means "accepted, no ACK wanted" (HL7
 * enhanced mode with MSH-15 = NE / ER / SU): nothing is written and the next frame is handled. Rejecting means
 * "not accepted": no ACK is sent for this frame and the connection is closed, so the sender retries.
 */
export type MllpMessageHandler = (payload: Buffer, ctx: MllpMessageContext) => Promise<Buffer | null>;

/** Why a server connection closed. */
export type MllpCloseReason =
  | 'peer-closed'
  | 'idle-timeout'
  | 'handler-error'
  | 'framing-error'
  | 'socket-error'
  | 'server-closing'
  | 'close-deadline';

/** Lightweight notifications for logs and metrics. Listeners must not throw (errors are swallowed). */
export type MllpServerEvent =
  | { type: 'connection-open'; connectionId: string; remoteAddress: string; remotePort: number; transport: 'tcp' | 'tls' }
  | { type: 'connection-closed'; connectionId: string; reason: MllpCloseReason; framesReceived: number; framesAcked: number }
  | { type: 'connection-dropped'; remoteAddress?: string; remotePort?: number }
  | { type: 'tls-error'; remoteAddress?: string; error: Error; /** certificate verification failure, e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE */ authorizationError?: string }
  | { type: 'frame-issue'; connectionId: string; issue: MllpDecoderIssue }
  | { type: 'handler-error'; connectionId: string; frameIndex: number; error: unknown }
  | { type: 'socket-error'; connectionId: string; error: Error }
  | { type: 'ack-lost'; connectionId: string; frameIndex: number };

export interface MllpServerOptions {
  /** Interface to listen on. Default `127.0.0.1`; use `0.0.0.0` / `::` deliberately. */
  host?: string;
  /** TCP port; 0 picks an ephemeral port (see the returned `port`). */
  port: number;
  /** TLS settings, or `false` for plain TCP. Must be given explicitly: there is no default. */
  tls: false | MllpServerTlsOptions;
  /** Largest accepted payload in bytes. Default 16 MiB. A larger frame closes the connection (see docs/mllp.md). */
  maxFrameBytes?: number;
  /** Tolerate FS without CR (default true). */
  tolerateMissingCr?: boolean;
  /** Close connections with no traffic in either direction for this long. 0 / undefined = never. */
  idleTimeoutMs?: number;
  /** Refuse connections beyond this many open ones. Default unlimited. */
  maxConnections?: number;
  onMessage: MllpMessageHandler;
  onEvent?: (event: MllpServerEvent) => void;
}

/** Options after defaults and validation. */
export interface ResolvedServerOptions {
  host: string;
  port: number;
  tls: false | MllpServerTlsOptions;
  maxFrameBytes: number;
  tolerateMissingCr: boolean;
  idleTimeoutMs: number;
  maxConnections: number | undefined;
  onMessage: MllpMessageHandler;
  emit: (event: MllpServerEvent) => void;
}

const nonNegativeInt = (name: string, v: number): number => {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
  return v;
};

/** Applies defaults and rejects inconsistent settings (thrown: these are programming/configuration errors). */
export function resolveServerOptions(o: MllpServerOptions): ResolvedServerOptions {
  if (o.tls !== false && (typeof o.tls !== 'object' || o.tls === null)) {
    throw new TypeError('tls must be given explicitly: false for plain TCP, or { cert, key, ca?, requestCert, rejectUnauthorized }');
  }
  if (o.tls && (!o.tls.cert || !o.tls.key)) throw new TypeError('tls.cert and tls.key are required');
  if (o.tls && o.tls.requestCert && !o.tls.ca) throw new TypeError('tls.requestCert requires tls.ca (the CA client certificates are checked against)');
  if (typeof o.onMessage !== 'function') throw new TypeError('onMessage is required');
  const port = nonNegativeInt('port', o.port);
  if (port > 65535) throw new RangeError(`port out of range: ${port}`);
  const onEvent = o.onEvent;
  return {
    host: o.host ?? '127.0.0.1',
    port,
    tls: o.tls,
    maxFrameBytes: nonNegativeInt('maxFrameBytes', o.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES),
    tolerateMissingCr: o.tolerateMissingCr ?? true,
    idleTimeoutMs: nonNegativeInt('idleTimeoutMs', o.idleTimeoutMs ?? 0),
    maxConnections: o.maxConnections === undefined ? undefined : nonNegativeInt('maxConnections', o.maxConnections),
    onMessage: o.onMessage,
    emit: (event) => {
      try {
        onEvent?.(event);
      } catch {
        // a faulty metrics/log listener must not break the transport
      }
    },
  };
}
