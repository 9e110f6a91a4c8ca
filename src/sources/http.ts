import crypto from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { defineSource, type SourceContext } from '../engine/define.js';
import { error, type Issue } from '../engine/issues.js';
import { readSecret, secret } from '../engine/secret.js';
import { acceptBody, type Answer } from './http/accept.js';
import { BearerTokens, ClientCertificates, type AuthResult } from './http/auth.js';
import { operationOutcome } from './http/operation-outcome.js';
import { serverTlsOptions, tlsSchema } from './http/tls-options.js';

const authSchema = z
  .strictObject({
    bearer: z.union([secret(), z.array(secret()).min(1)]).optional().describe('accepted bearer token(s), each read from an environment variable'),
    clientCert: z
      .strictObject({
        subjects: z.array(z.string().min(1)).default([]).describe('allowed subjects, e.g. "CN=rcp.chu-exemple.fr, O=CHU"; every attribute listed must match'),
        fingerprints: z.array(z.string().min(1)).default([]).describe('allowed SHA-256 certificate fingerprints (AB:CD:… or hex)'),
      })
      .refine((c) => c.subjects.length + c.fingerprints.length > 0, 'list allowed subjects and/or fingerprints')
      .optional()
      .describe('TLS client certificates (needs tls.requestClientCert): verified against tls.clientCa, then the allow-lists'),
  })
  .refine((a) => a.bearer !== undefined || a.clientCert !== undefined, 'configure bearer tokens and/or client certificates')
  .describe('who may post: when both bearer and clientCert are configured, both are required');

const options = z.object({
  host: z.string().default('127.0.0.1').describe('interface to listen on ("0.0.0.0": all)'),
  port: z.coerce.number().int().min(0).max(65535).describe('TCP port'),
  path: z
    .string()
    .regex(/^\/([A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*)?$/, 'an absolute path such as /fhir/Bundle')
    .describe('POST here (e.g. /fhir/Bundle or /documents); GET <path>/<message id> answers the stored status'),
  tls: z
    .union([tlsSchema, z.literal(false)])
    .describe('TLS server settings; false (written explicitly) for plain HTTP, e.g. behind a TLS-terminating proxy'),
  auth: authSchema,
  maxBytes: z.coerce.number().int().min(1).default(20 * 1024 * 1024).describe('larger bodies are refused with 413'),
  contentTypes: z.array(z.string().min(1)).min(1).default(['application/fhir+json', 'application/json']).describe('accepted media types; others get 415'),
  expect: z
    .enum(['fhir-document', 'fhir-resource', 'any'])
    .default('fhir-document')
    .describe('what the body must be before anything else is checked: a FHIR document Bundle, any FHIR resource, or anything'),
  validateBeforeAccept: z.boolean().default(true).describe('dry-run parse → map → validate and answer 400 with every issue instead of 202'),
  requestTimeoutMs: z.coerce.number().int().min(1000).default(60_000).describe('a request must be received completely within this time'),
});
type Options = z.infer<typeof options>;

const MESSAGE_ID = /^[0-9a-z]{9}[0-9a-f]{12}$/;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

const mediaType = (contentType: string | undefined) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();
const headerOf = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

interface RequestState {
  principal?: string;
  messageId?: string;
  duplicate?: boolean;
}

/**
 * HTTP(S) endpoint for senders that push documents (a DPI posting a FHIR document Bundle for an RCP sheet or a PPS).
 * Authentication (bearer tokens and/or client certificates) happens before the body is read; a body is answered 202
 * only once `ctx.receive()` has stored and enqueued it. Answers to refused requests are FHIR OperationOutcomes.
 */
class HttpSource {
  private readonly app: FastifyInstance;
  private readonly state = new WeakMap<FastifyRequest, RequestState>();
  private readonly base: string;
  private readonly accepted: Set<string>;
  private readonly bearer?: BearerTokens;
  private readonly certs?: ClientCertificates;

  constructor(
    private readonly o: Options,
    private readonly ctx: SourceContext,
  ) {
    if (o.auth.clientCert && (o.tls === false || !o.tls.requestClientCert)) {
      throw new Error('auth.clientCert needs tls with requestClientCert: true and clientCa');
    }
    if (!ctx.messageStatus) throw new Error('this engine does not give sources the message status (SourceContext.messageStatus)');
    this.base = o.path === '/' ? '' : o.path;
    this.accepted = new Set(o.contentTypes.map((t) => mediaType(t)));
    if (o.auth.bearer) this.bearer = new BearerTokens((Array.isArray(o.auth.bearer) ? o.auth.bearer : [o.auth.bearer]).map((s) => readSecret(s)));
    if (o.auth.clientCert) this.certs = new ClientCertificates(o.auth.clientCert);
    const common = {
      logger: false,
      bodyLimit: o.maxBytes,
      requestTimeout: o.requestTimeoutMs,
      return503OnClosing: true,
      forceCloseConnections: 'idle' as const,
      genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
        const given = headerOf(req.headers['x-request-id']);
        return given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
      },
    };
    this.app = (o.tls === false ? Fastify(common) : Fastify({ ...common, https: serverTlsOptions(o.tls, ctx.baseDir) })) as unknown as FastifyInstance;
    this.routes();
  }

  private stateOf(req: FastifyRequest): RequestState {
    let s = this.state.get(req);
    if (!s) this.state.set(req, (s = {}));
    return s;
  }

  private send(reply: FastifyReply, status: number, body: unknown, contentType = 'application/fhir+json'): FastifyReply {
    return reply.code(status).header('x-request-id', reply.request.id).type(contentType).send(body);
  }

  private refuse(reply: FastifyReply, status: number, issues: Issue[], headers: Record<string, string> = {}): FastifyReply {
    for (const [k, v] of Object.entries(headers)) reply.header(k, v);
    return this.send(reply, status, operationOutcome(issues));
  }

  /** Client certificate and/or bearer token, before the body is read: every configured method must pass. */
  private authenticate(req: FastifyRequest): AuthResult {
    const principals: string[] = [];
    for (const r of [this.certs?.check(req.raw.socket as TLSSocket), this.bearer?.check(req.headers.authorization)]) {
      if (r === undefined) continue;
      if (!r.ok) return r;
      principals.push(r.principal);
    }
    return { ok: true, principal: principals.join(' ') };
  }

  private readonly authHook = async (req: FastifyRequest, reply: FastifyReply) => {
    const r = this.authenticate(req);
    if (r.ok) {
      this.stateOf(req).principal = r.principal;
      return;
    }
    return this.refuse(reply, r.status, [error(r.code, r.message)], r.challenge ? { 'www-authenticate': r.challenge } : {});
  };

  /** Media type, encoding and declared size, before the body is read. */
  private readonly entityHook = async (req: FastifyRequest, reply: FastifyReply) => {
    const type = mediaType(req.headers['content-type']);
    if (!this.accepted.has(type)) {
      const got = type ? `"${type}"` : 'no Content-Type';
      return this.refuse(reply, 415, [error('HTTP_UNSUPPORTED_MEDIA_TYPE', `${got} is not accepted here; send ${[...this.accepted].join(' or ')}`, 'Content-Type')], { connection: 'close' });
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity') {
      return this.refuse(reply, 415, [error('HTTP_UNSUPPORTED_MEDIA_TYPE', `Content-Encoding "${encoding}" is not supported; send the body uncompressed`, 'Content-Encoding')], { connection: 'close' });
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.o.maxBytes) return this.tooLarge(reply, declared);
  };

  private tooLarge(reply: FastifyReply, size?: number): FastifyReply {
    const what = size ? `${size} bytes` : 'the body';
    return this.refuse(reply, 413, [error('HTTP_TOO_LARGE', `${what} is over the ${this.o.maxBytes}-byte limit of this endpoint`)], { connection: 'close' });
  }

  private answer(req: FastifyRequest, reply: FastifyReply, a: Answer): FastifyReply {
    const s = this.stateOf(req);
    s.messageId = a.messageId;
    s.duplicate = a.duplicate;
    if (a.messageId) reply.header('location', `${this.base}/${a.messageId}`).header('x-message-id', a.messageId);
    return this.send(reply, a.status, a.body, a.status >= 400 ? 'application/fhir+json' : 'application/json');
  }

  private routes(): void {
    const app = this.app;
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    app.post(this.base || '/', { onRequest: [this.authHook, this.entityHook] }, async (req, reply) => {
      const socket = req.raw.socket;
      const a = await acceptBody(this.ctx, this.o, {
        raw: {
          content: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), // defensive: the store hashes and writes bytes
          contentType: headerOf(req.headers['content-type']),
          sourceRef: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'} ${req.id}`,
          ...(REQUEST_ID.test(headerOf(req.headers['x-correlation-id']) ?? '') ? { correlationId: headerOf(req.headers['x-correlation-id']) } : {}),
        },
        idempotencyKey: headerOf(req.headers['idempotency-key']),
      });
      return this.answer(req, reply, a);
    });

    app.get<{ Params: { id: string } }>(`${this.base}/:id`, { onRequest: [this.authHook] }, async (req, reply) => {
      const m = MESSAGE_ID.test(req.params.id) ? await this.ctx.messageStatus!(req.params.id) : undefined;
      if (!m) return this.refuse(reply, 404, [error('HTTP_NOT_FOUND', `no message ${req.params.id} on this endpoint`)]);
      this.stateOf(req).messageId = m.messageId;
      const { messageId, status, receivedAt, updatedAt, issues } = m;
      return this.send(reply, 200, { messageId, status, receivedAt, updatedAt, issues }, 'application/json');
    });

    app.setNotFoundHandler((req, reply) => this.refuse(reply, 404, [error('HTTP_NOT_FOUND', `${req.method} ${req.url.split('?')[0]} is not served here`)]));

    app.setErrorHandler((e: FastifyError, req, reply) => {
      if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return this.tooLarge(reply);
      if (e.statusCode === 408 || e.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
        return this.refuse(reply, e.statusCode ?? 400, [error('HTTP_BAD_REQUEST', e.message)], { connection: 'close' });
      }
      // the store or the queue failed: nothing was acknowledged; the sender should retry
      this.ctx.logger.error({ reqId: req.id, err: e.message }, 'http request failed; answered 503');
      return this.refuse(reply, 503, [error('HTTP_UNAVAILABLE', 'the message could not be stored; nothing was accepted, retry later')], { 'retry-after': '30' });
    });

    app.addHook('onResponse', async (req, reply) => {
      const s = this.state.get(req) ?? {};
      const entry = { reqId: req.id, method: req.method, route: req.routeOptions.url ?? 'unknown', statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime), principal: s.principal, messageId: s.messageId, duplicate: s.duplicate };
      if (reply.statusCode >= 500) this.ctx.logger.error(entry, 'http request');
      else if (reply.statusCode >= 400 && reply.statusCode !== 404) this.ctx.logger.warn(entry, 'http request');
      else this.ctx.logger.info(entry, 'http request');
    });
  }

  async start(): Promise<void> {
    const url = await this.app.listen({ host: this.o.host, port: this.o.port });
    this.ctx.logger.info({ url: `${url}${this.base}`, tls: this.o.tls !== false, mutualTls: this.o.tls !== false && this.o.tls.requestClientCert }, 'http source listening');
  }

  /** Refuses new requests (503), waits for those in flight (their receive() included), closes idle connections. */
  async stop(): Promise<void> {
    await this.app.close();
  }
}

export const httpSource = defineSource({
  type: 'http',
  description: 'HTTP(S) endpoint: POST a document (FHIR document Bundle by default), 202 once stored, GET its status',
  options,
  claims: (o) => (o.port === 0 ? [] : [`port ${o.port}`]),
  async start(o, ctx) {
    const s = new HttpSource(o, ctx);
    await s.start();
    return { stop: () => s.stop() };
  },
});
