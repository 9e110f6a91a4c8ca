/** Stable codes of client-side failures. */
export type MllpErrorCode =
  | 'MLLP_ACK_TIMEOUT'
  | 'MLLP_CONNECT_FAILED'
  | 'MLLP_CONNECTION_LOST'
  | 'MLLP_PROTOCOL_ERROR'
  | 'MLLP_ACK_MISMATCH'
  | 'MLLP_ABORTED'
  | 'MLLP_CLIENT_CLOSED';

/** Base class of the errors `MllpClient.send` rejects with. */
export abstract class MllpError extends Error {
  abstract readonly code: MllpErrorCode;

  /**
   * @param written true if the frame was (at least partly) written to a connection: the receiver may have stored
   *   the message, so resending it may create a duplicate (MLLP is at-least-once; deduplicate on the message id).
   */
  constructor(message: string, readonly written: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No ACK within the timeout. The connection was destroyed so that a late ACK cannot be taken for the next one. */
export class MllpTimeoutError extends MllpError {
  override readonly name = 'MllpTimeoutError';
  readonly code = 'MLLP_ACK_TIMEOUT';

  constructor(readonly timeoutMs: number) {
    super(`no MLLP ACK within ${timeoutMs} ms; connection destroyed`, true);
  }
}

/** The message could not be delivered or its ACK could not be read; `code` says why, `written` says how far it got. */
export class MllpConnectionError extends MllpError {
  override readonly name = 'MllpConnectionError';

  constructor(
    readonly code: Exclude<MllpErrorCode, 'MLLP_ACK_TIMEOUT'>,
    message: string,
    written: boolean,
    cause?: unknown,
  ) {
    super(message, written, cause === undefined ? undefined : { cause });
  }
}
