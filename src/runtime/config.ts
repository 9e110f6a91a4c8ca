import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** Engine settings, from the environment. Channel settings live in channel files. */
export const engineConfigSchema = z.object({
  channelsDir: z.string().default('channels'),
  dataDir: z.string().default('.relais'),
  redisUrl: z.string().optional().describe('unset: the engine runs its own redis-server under dataDir'),
  databaseUrl: z.string().optional().describe('unset: embedded PGlite under dataDir'),
  httpHost: z.string().default('127.0.0.1'),
  httpPort: z.coerce.number().int().min(0).max(65535).default(9100),
  adminToken: z.string().optional().describe('bearer token for the admin API; required when httpHost is not loopback'),
  queuePrefix: z.string().default('relais'),
  sweepIntervalMs: z.coerce.number().int().min(1000).default(30_000),
  retentionIntervalMs: z.coerce.number().int().min(1000).default(3_600_000),
  pipelineThreads: z.coerce
    .number().int().min(0).max(64)
    .default(Math.min(4, Math.max(1, os.availableParallelism() - 1)))
    .describe('worker threads running parse → map → validate → route; 0: in the main thread'),
});
export type EngineConfig = z.infer<typeof engineConfigSchema>;

export function engineConfigFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<EngineConfig> = {}): EngineConfig {
  const c = engineConfigSchema.parse({
    channelsDir: env.RELAIS_CHANNELS_DIR,
    dataDir: env.RELAIS_DATA_DIR,
    redisUrl: env.REDIS_URL || undefined,
    databaseUrl: env.DATABASE_URL || undefined,
    httpHost: env.RELAIS_HTTP_HOST,
    httpPort: env.RELAIS_HTTP_PORT,
    adminToken: env.RELAIS_ADMIN_TOKEN || undefined,
    queuePrefix: env.RELAIS_QUEUE_PREFIX,
    pipelineThreads: env.RELAIS_PIPELINE_THREADS || undefined,
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  });
  return { ...c, channelsDir: path.resolve(c.channelsDir), dataDir: path.resolve(c.dataDir) };
}

/** What a running engine writes into its data directory so that the CLI can find it. */
export interface RuntimeInfo {
  pid: number;
  adminUrl: string;
  redisUrl: string;
  startedAt: string;
}
export const runtimeInfoPath = (dataDir: string) => path.join(dataDir, 'engine.json');
