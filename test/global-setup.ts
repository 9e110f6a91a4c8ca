import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedRedis, type EmbeddedRedis } from '../src/infra/embedded-redis.js';
import { startTestPostgres, type TestPostgres } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    postgresUrl: string;
  }
}

/**
 * One real Redis and one real PostgreSQL for the whole run, on loopback ports. Tests isolate themselves by
 * key prefix (Redis) and by database or schema (PostgreSQL). REDIS_URL / TEST_DATABASE_URL reuse existing servers.
 */
export default async function setup(project: TestProject) {
  let redis: EmbeddedRedis | undefined;
  let pg: TestPostgres | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-redis-'));
  const redisUrl = process.env.REDIS_URL ?? (redis = await startEmbeddedRedis(dir)).url;
  const postgresUrl = process.env.TEST_DATABASE_URL ?? (pg = await startTestPostgres()).url;
  project.provide('redisUrl', redisUrl);
  project.provide('postgresUrl', postgresUrl);
  return async () => {
    await redis?.stop();
    await pg?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
