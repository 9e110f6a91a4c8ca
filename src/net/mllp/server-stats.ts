/** Cumulative counters of one MLLP server (plain numbers, cheap to read for metrics). */
export interface MllpServerStats {
  connectionsOpen: number;
  connectionsAccepted: number;
  /** Refused because `maxConnections` was reached. */
  connectionsDropped: number;
  tlsHandshakeFailures: number;
  framesReceived: number;
  framesAcked: number;
  /** Frames handled whose handler asked for no ACK (resolved `null`). */
  framesUnacknowledged: number;
  /** Frames the handler rejected plus frames dropped by framing errors (too large, aborted, missing CR in strict mode). */
  framesRejected: number;
  /** Complete frames never handled because their connection closed first (the sender got no ACK and will resend). */
  framesAbandoned: number;
  /** Frames whose handler resolved but whose ACK could not be written (the sender will resend: a duplicate). */
  acksLost: number;
  framingIssues: number;
  bytesReceived: number;
  bytesSent: number;
}

export const emptyServerStats = (): MllpServerStats => ({
  connectionsOpen: 0,
  connectionsAccepted: 0,
  connectionsDropped: 0,
  tlsHandshakeFailures: 0,
  framesReceived: 0,
  framesAcked: 0,
  framesUnacknowledged: 0,
  framesRejected: 0,
  framesAbandoned: 0,
  acksLost: 0,
  framingIssues: 0,
  bytesReceived: 0,
  bytesSent: 0,
});
