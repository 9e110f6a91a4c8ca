import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { MllpServerConnection } from './server-connection.js';
import { resolveServerOptions, type MllpServerOptions, type ResolvedServerOptions } from './server-options.js';
import { emptyServerStats, type MllpServerStats } from './server-stats.js';

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 30_000;
const DEFAULT_CLOSE_DEADLINE_MS = 10_000;

/** A listening MLLP server. */
export interface MllpServer {
  readonly host: string;
  /** The bound port (the ephemeral one when started with port 0). */
  readonly port: number;
  /** Snapshot of the cumulative counters. */
  stats(): MllpServerStats;
  /**
   * Graceful stop: refuse new connections, drop frames not yet handled (their senders get no ACK and resend),
   * let running handlers finish and write their ACKs, end every connection. Sockets still open after
   * `deadlineMs` (default 10 s) are destroyed. Idempotent.
   */
  close(options?: { deadlineMs?: number }): Promise<void>;
}

const socketKey = (s: net.Socket): string => `${s.remoteAddress ?? ''}|${s.remotePort ?? 0}`;

function createListener(o: ResolvedServerOptions, accept: (socket: net.Socket) => void): net.Server {
  if (!o.tls) return net.createServer({ noDelay: true, keepAlive: true }, accept);
  return tls.createServer(
    {
      cert: o.tls.cert,
      key: o.tls.key,
      ...(o.tls.ca ? { ca: o.tls.ca } : {}),
      requestCert: o.tls.requestCert,
      rejectUnauthorized: o.tls.rejectUnauthorized,
      handshakeTimeout: o.tls.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      minVersion: 'TLSv1.2',
    },
    accept,
  );
}

/**
 * Starts an MLLP listener (plain TCP or TLS/mTLS as configured) and resolves once it accepts connections.
 * Each frame's payload goes to `onMessage`; its resolved value is framed and written back as the ACK.
 * See docs/mllp.md for the acknowledgement, ordering and failure contract.
 */
export async function startMllpServer(options: MllpServerOptions): Promise<MllpServer> {
  const o = resolveServerOptions(options);
  const stats = emptyServerStats();
  const connections = new Set<MllpServerConnection>();
  /** Every TCP socket, including TLS ones still handshaking (they are not connections yet). */
  const rawSockets = new Map<string, net.Socket>();
  const established = new Set<string>();
  let closing: Promise<void> | undefined;

  const accept = (socket: net.Socket): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    const key = socketKey(socket);
    established.add(key);
    const connection = new MllpServerConnection(socket, o, stats, (c) => {
      connections.delete(c);
      established.delete(key);
    });
    connections.add(connection);
  };

  const server = createListener(o, accept);
  if (o.maxConnections !== undefined) server.maxConnections = o.maxConnections;
  server.on('connection', (raw: net.Socket) => {
    const key = socketKey(raw);
    rawSockets.set(key, raw);
    raw.once('close', () => rawSockets.get(key) === raw && rawSockets.delete(key));
    raw.setKeepAlive(true, 60_000);
  });
  server.on('drop', (data) => {
    stats.connectionsDropped += 1;
    o.emit({ type: 'connection-dropped', ...(data?.remoteAddress ? { remoteAddress: data.remoteAddress } : {}),
      ...(data?.remotePort ? { remotePort: data.remotePort } : {}) });
  });
  server.on('tlsClientError', (error: Error, socket: tls.TLSSocket) => {
    stats.tlsHandshakeFailures += 1;
    // A client certificate rejected by Node's own check surfaces as a bare "socket hang up": add the verify error.
    const authorizationError = socket.authorizationError ? String(socket.authorizationError) : undefined;
    o.emit({ type: 'tls-error', error, ...(authorizationError ? { authorizationError } : {}),
      ...(socket.remoteAddress ? { remoteAddress: socket.remoteAddress } : {}) });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => {
    // after listen succeeded, server-level errors only concern individual sockets, reported on the sockets
  });
  const port = (server.address() as AddressInfo).port;

  const close = (deadlineMs = DEFAULT_CLOSE_DEADLINE_MS): Promise<void> => {
    closing ??= (async () => {
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const [key, raw] of rawSockets) if (!established.has(key)) raw.destroy(); // TLS handshakes in progress
      for (const connection of connections) connection.shutdown();
      const deadline = setTimeout(() => {
        for (const connection of connections) connection.destroy('close-deadline');
        for (const raw of rawSockets.values()) raw.destroy();
      }, deadlineMs);
      try {
        // the listener reports "closed" slightly before the sockets' own close handlers have run
        await Promise.all([serverClosed, ...[...connections].map((c) => c.closed)]);
      } finally {
        clearTimeout(deadline);
      }
    })();
    return closing;
  };

  return {
    host: o.host,
    port,
    stats: () => ({ ...stats }),
    close: (closeOptions) => close(closeOptions?.deadlineMs),
  };
}
