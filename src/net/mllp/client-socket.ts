import net from 'node:net';
import tls from 'node:tls';
import type { Pem } from './server-options.js';

/** Client-side TLS. The server certificate is verified (against `ca`, else the system roots) unless told otherwise. */
export interface MllpClientTlsOptions {
  /** Trust anchors for the server certificate. */
  ca?: Pem | Pem[];
  /** Client certificate and key, for mutual TLS. */
  cert?: Pem;
  key?: Pem;
  /** SNI and name to verify; defaults to `host` when it is a DNS name (IP hosts are checked against IP SANs). */
  servername?: string;
  /** Default true. false accepts any server certificate: tests only. */
  rejectUnauthorized?: boolean;
}

/** Opens a TCP or TLS socket; resolves once connected (TLS: handshake done and verified). */
export function openSocket(host: string, port: number, tlsOptions: false | MllpClientTlsOptions, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = tlsOptions
      ? tls.connect({
          host,
          port,
          ...(tlsOptions.ca ? { ca: tlsOptions.ca } : {}),
          ...(tlsOptions.cert ? { cert: tlsOptions.cert } : {}),
          ...(tlsOptions.key ? { key: tlsOptions.key } : {}),
          ...(tlsOptions.servername ? { servername: tlsOptions.servername } : {}),
          rejectUnauthorized: tlsOptions.rejectUnauthorized ?? true,
          minVersion: 'TLSv1.2',
        })
      : net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connection to ${host}:${port} not established within ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.once('error', onError);
    socket.once(tlsOptions ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 60_000);
      resolve(socket);
    });
  });
}
