import { z } from 'zod';
import type { Registry } from './registry.js';

/**
 * Retry policy of a destination. With the defaults a message is tried 12 times over about 1 h 40 min
 * (1 s, 2 s, 4 s … capped at 5 min, each with full jitter) and in any case no longer than 24 h after it was
 * received; then it is held (dead letter) for an operator to replay.
 */
export const retrySchema = z.strictObject({
  attempts: z.number().int().min(1).max(1000).default(12).describe('maximum delivery attempts before holding'),
  initialDelayMs: z.number().int().min(10).default(1000).describe('first backoff delay; doubles each attempt'),
  maxDelayMs: z.number().int().min(10).default(300_000).describe('backoff cap'),
  maxAgeMs: z.number().int().min(1000).default(86_400_000).describe('hold once the message is older than this'),
});
export type RetryPolicy = z.infer<typeof retrySchema>;

export const orderingSchema = z.strictObject({
  key: z
    .enum(['patient', 'correlation', 'document'])
    .describe('business key extracted by the mapping; messages with the same key are delivered strictly in order'),
  partitions: z.number().int().min(1).max(256).default(8).describe('keys delivered in parallel within one delivery job; each key in order'),
});

export const queueSchema = z.strictObject({
  concurrency: z.number().int().min(1).max(256).default(4).describe('parallel processing jobs for this channel'),
  batchSize: z
    .number().int().min(1).max(1000).default(100)
    .describe('the parts of a split batch (a file of many rows) are processed and stored in chunks of this many messages, one store write and one delivery job per chunk'),
  ordering: orderingSchema.optional(),
});

const ID = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes (max 63)');

function unionOf<T extends z.ZodObject>(label: string, members: T[]) {
  if (members.length === 0) throw new Error(`no ${label} registered`);
  if (members.length === 1) return members[0]!;
  return z.discriminatedUnion(label === 'parser' ? 'format' : 'type', members as unknown as [T, T, ...T[]]);
}

/** Builds the one channel schema from the connector, parser and validator registries. */
export function buildChannelSchema(reg: Registry) {
  const source = unionOf(
    'source',
    reg.sources.map((s) => z.strictObject({ type: z.literal(s.type), ...s.options.shape }).describe(s.description)),
  );
  const parse = unionOf(
    'parser',
    reg.parsers.map((p) => z.strictObject({ format: z.literal(p.format), ...p.options.shape }).describe(p.description)),
  );
  const validate = unionOf(
    'validator',
    reg.validators.map((v) => z.strictObject({ type: z.literal(v.type), ...v.options.shape }).describe(v.description)),
  );
  const destination = unionOf(
    'destination',
    reg.destinations.map((d) =>
      z
        .strictObject({
          id: ID.describe('destination id, unique in the channel'),
          type: z.literal(d.type),
          when: z.string().optional().describe('FHIRPath over the mapped resource; route only when true'),
          map: z.string().optional().describe('extra mapping (from mappings/) applied for this destination only'),
          retry: retrySchema.optional(),
          ...d.options.shape,
        })
        .describe(d.description),
    ),
  );
  return z.strictObject({
    id: ID.describe('channel id; must equal the file name'),
    description: z.string().default(''),
    enabled: z.boolean().default(true),
    source,
    parse,
    map: z.string().describe('mapping name, from mappings/'),
    validate: z.array(validate).default([]),
    route: z.array(destination).min(1),
    queue: queueSchema.prefault({}),
    retry: retrySchema.prefault({}).describe('default retry policy of the destinations'),
    retentionDays: z.number().int().min(1).default(90).describe('days to keep finished messages'),
  });
}

export type ChannelSchema = ReturnType<typeof buildChannelSchema>;
export type ChannelConfig = z.infer<ChannelSchema>;
export type DestinationConfig = ChannelConfig['route'][number];
