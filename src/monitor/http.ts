import Fastify, { type FastifyInstance } from 'fastify';
import type { MessageStore, MessageStatus } from '../store/message-store.js';
import type { Metrics } from './metrics.js';
import { replayMessage, type ReplayTarget } from '../runtime/replay.js';

export interface HttpDeps {
  store: MessageStore;
  metrics: Metrics;
  channels: () => { id: string; description: string; source: string; destinations: string[] }[];
  checks: () => Promise<Record<string, boolean>>;
  replay: ReplayTarget;
  adminToken?: string;
}

/**
 * Monitoring and admin API, beside the data path: /health, /metrics (Prometheus), and /api for message search,
 * detail and replay. The admin API shows stored payloads, so it requires the bearer token when one is configured.
 */
export function buildHttpServer(d: HttpDeps): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/health', async (_req, reply) => {
    const checks = await d.checks();
    const ok = Object.values(checks).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'degraded', checks, channels: d.channels().map((c) => c.id) });
  });
  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4').send(await d.metrics.render()));

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/api/') || !d.adminToken) return;
    if (req.headers.authorization !== `Bearer ${d.adminToken}`) return reply.code(401).send({ error: 'admin token required' });
  });
  app.get('/api/channels', async () => d.channels());
  app.get<{ Querystring: Record<string, string | undefined> }>('/api/messages', async (req) => {
    const q = req.query;
    return d.store.find({
      channelId: q.channel,
      status: q.status as MessageStatus | undefined,
      key: q.key,
      sourceMessageId: q.sourceMessageId,
      since: q.since ? new Date(q.since) : undefined,
      until: q.until ? new Date(q.until) : undefined,
      limit: q.limit ? Math.min(1000, Number(q.limit)) : undefined,
    });
  });
  app.get<{ Params: { id: string } }>('/api/messages/:id', async (req, reply) => {
    const m = await d.store.get(req.params.id);
    if (!m) return reply.code(404).send({ error: 'no such message' });
    const [deliveries, events, snapshots, children] = await Promise.all([d.store.deliveries(m.id), d.store.events(m.id), d.store.snapshots(m.id), d.store.children(m.id)]);
    return { message: m, deliveries, events, snapshots, children: children.map((c) => ({ id: c.id, status: c.status, source_ref: c.source_ref })) };
  });
  app.get<{ Params: { id: string; stage: string; dest?: string } }>('/api/messages/:id/snapshots/:stage/:dest?', async (req, reply) => {
    const s = await d.store.snapshot(req.params.id, req.params.stage as never, req.params.dest ?? '');
    if (!s) return reply.code(404).send({ error: 'no such snapshot' });
    return reply.type(s.contentType).send(s.content);
  });
  app.post<{ Params: { id: string }; Body: { destination?: string } | undefined }>('/api/messages/:id/replay', async (req, reply) => {
    try {
      return { result: await replayMessage(d.store, req.params.id, { destination: req.body?.destination }, d.replay) };
    } catch (e) {
      return reply.code(404).send({ error: (e as Error).message });
    }
  });
  return app;
}
