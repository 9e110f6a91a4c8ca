import { X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createMllpClient, type MllpClient } from './client.js';
import type { MllpClientTlsOptions } from './client-socket.js';
import { MllpConnectionError } from './errors.js';
import { encodeFrame } from './frame-encoder.js';
import { startMllpServer, type MllpServer } from './server.js';
import type { MllpMessageContext, MllpServerEvent, MllpServerTlsOptions } from './server-options.js';
import { createTestPki, type TestPki } from './test-certs.js';
import { EventRecorder } from './test-events.js';
import { RawMllpPeer } from './test-raw-client.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
}, 60_000);
afterAll(async () => {
  await pki?.remove();
});

const servers: MllpServer[] = [];
const clients: MllpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close({ deadlineMs: 1_000 })));
});

async function tlsServer(tls: (p: TestPki) => MllpServerTlsOptions) {
  const contexts: MllpMessageContext[] = [];
  const events = new EventRecorder<MllpServerEvent>();
  const server = await startMllpServer({
    port: 0,
    tls: tls(pki),
    onEvent: events.listener,
    onMessage: async (payload, ctx) => {
      contexts.push(ctx);
      return Buffer.from(`ACK:${payload.toString()}`);
    },
  });
  servers.push(server);
  return { server, contexts, events };
}

const serverOnly = (p: TestPki): MllpServerTlsOptions => ({ ...p.server, requestCert: false, rejectUnauthorized: false });
const mutual = (p: TestPki): MllpServerTlsOptions => ({ ...p.server, ca: p.ca.cert, requestCert: true, rejectUnauthorized: true });

function tlsClient(port: number, tls: MllpClientTlsOptions) {
  const c = createMllpClient({ host: '127.0.0.1', port, tls, maxConnectAttempts: 1, ackTimeoutMs: 10_000 });
  clients.push(c);
  return c;
}

describe('MLLP over TLS (server certificate signed by a test CA)', () => {
  test('a client trusting the CA gets its ACK; the handler sees a TLS connection without client certificate', async () => {
    const { server, contexts } = await tlsServer(serverOnly);
    const c = tlsClient(server.port, { ca: pki.ca.cert });
    expect((await c.send(Buffer.from('MSH|secure'))).toString()).toBe('ACK:MSH|secure');
    expect(contexts[0]).toMatchObject({ transport: 'tls', remoteAddress: '127.0.0.1' });
    expect(contexts[0]?.peerCertificate).toBeUndefined();
  });

  test('DNS name verification against the SAN: servername localhost passes', async () => {
    const { server } = await tlsServer(serverOnly);
    // connect to the address, verify the DNS name ("localhost" could resolve to ::1 where nothing listens)
    const pinned = createMllpClient({ host: '127.0.0.1', port: server.port, tls: { ca: pki.ca.cert, servername: 'localhost' } });
    clients.push(pinned);
    expect((await pinned.send(Buffer.from('x'))).toString()).toBe('ACK:x');
  });

  test('a client that does not trust the CA refuses the server (nothing is sent)', async () => {
    const { server, contexts } = await tlsServer(serverOnly);
    const c = tlsClient(server.port, {});
    const error = await c.send(Buffer.from('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MllpConnectionError);
    expect(error).toMatchObject({ code: 'MLLP_CONNECT_FAILED', written: false });
    expect(String((error as Error).message)).toMatch(/certificate/i);
    expect(contexts).toHaveLength(0);
  });

  test('a client expecting another server name refuses the certificate', async () => {
    const { server } = await tlsServer(serverOnly);
    const c = tlsClient(server.port, { ca: pki.ca.cert, servername: 'mllp.example.org' });
    await expect(c.send(Buffer.from('x'))).rejects.toMatchObject({ code: 'MLLP_CONNECT_FAILED', written: false });
  });

  test('a plain TCP client on the TLS port gets nothing and is disconnected', async () => {
    const { server, events } = await tlsServer(serverOnly);
    const peer = await RawMllpPeer.connect(server.port);
    await peer.write(encodeFrame(Buffer.from('cleartext')));
    await peer.closed;
    expect(peer.frames).toHaveLength(0);
    await events.waitFor((e) => e.type === 'tls-error');
    expect(server.stats()).toMatchObject({ framesReceived: 0, tlsHandshakeFailures: 1 });
  });
});

describe('MLLP over mutual TLS', () => {
  test('a client with a certificate from the configured CA is accepted; the handler sees its subject and fingerprint', async () => {
    const { server, contexts } = await tlsServer(mutual);
    const c = tlsClient(server.port, { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key });
    expect((await c.send(Buffer.from('MSH|mtls'))).toString()).toBe('ACK:MSH|mtls');
    const peer = contexts[0]?.peerCertificate;
    expect(peer).toMatchObject({ subject: 'O=Relais Tests,CN=relais-test-client', issuer: 'CN=Relais Test CA', authorized: true });
    expect(peer?.fingerprint256).toBe(new X509Certificate(pki.client.cert).fingerprint256);
  });

  test('a client without certificate is refused before any frame reaches the handler', async () => {
    const { server, contexts, events } = await tlsServer(mutual);
    const c = tlsClient(server.port, { ca: pki.ca.cert });
    const error = await c.send(Buffer.from('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MllpConnectionError);
    await events.waitFor((e) => e.type === 'tls-error');
    expect(contexts).toHaveLength(0);
    expect(server.stats()).toMatchObject({ connectionsAccepted: 0, framesReceived: 0 });
  });

  test('a client with a certificate from another CA is refused', async () => {
    const { server, contexts, events } = await tlsServer(mutual);
    const c = tlsClient(server.port, { ca: pki.ca.cert, cert: pki.foreignClient.cert, key: pki.foreignClient.key });
    const error = await c.send(Buffer.from('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MllpConnectionError);
    const tlsError = await events.waitFor((e) => e.type === 'tls-error');
    expect(tlsError).toMatchObject({ authorizationError: expect.stringMatching(/UNABLE_TO_|CERT|SIGNATURE/) });
    expect(contexts).toHaveLength(0);
    expect(server.stats().framesReceived).toBe(0);
  });

  test('requestCert without rejectUnauthorized: foreign certificates get through but are flagged unauthorized', async () => {
    const { server, contexts } = await tlsServer((p) => ({ ...mutual(p), rejectUnauthorized: false }));
    const c = tlsClient(server.port, { ca: pki.ca.cert, cert: pki.foreignClient.cert, key: pki.foreignClient.key });
    expect((await c.send(Buffer.from('x'))).toString()).toBe('ACK:x');
    expect(contexts[0]?.peerCertificate).toMatchObject({ subject: 'CN=intruder', authorized: false });
  });
});
