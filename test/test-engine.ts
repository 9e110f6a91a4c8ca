import path from 'node:path';
import { inject } from 'vitest';
import { Engine } from '../src/runtime/engine.js';
import { engineConfigFromEnv, type EngineConfig } from '../src/runtime/config.js';
import { createLogger } from '../src/monitor/logger.js';
import type { Registry } from '../src/engine/registry.js';
import { freshDatabase } from './helpers.js';

export interface TestEngineOptions {
  /** Data folder parent: the engine writes under `<dir>/data`. */
  dir: string;
  /** Names the fresh PostgreSQL database and the Redis key prefix, so test files never share state. */
  name: string;
  registry?: Registry;
  /** Overrides of the engine configuration (e.g. a shorter sweep interval). */
  config?: Partial<EngineConfig>;
}

/**
 * An engine for the channel files of `channelsDir` on the run's real Redis (own key prefix) and a fresh PostgreSQL
 * database, its admin HTTP server on a free port, recovery sweep every second. The caller stops it.
 */
export async function startTestEngine(channelsDir: string, o: TestEngineOptions): Promise<Engine> {
  const config = engineConfigFromEnv({}, {
    channelsDir,
    dataDir: path.join(o.dir, 'data'),
    redisUrl: inject('redisUrl'),
    databaseUrl: await freshDatabase(inject('postgresUrl'), o.name),
    httpPort: 0,
    queuePrefix: `${o.name}${process.pid}`,
    sweepIntervalMs: 1000,
    ...o.config,
  });
  return Engine.start(config, { logger: createLogger('warn'), ...(o.registry ? { registry: o.registry } : {}) });
}
