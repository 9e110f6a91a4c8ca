/**
 * Test helpers for the MLLP source: a SourceContext over a real MessageStore (PostgreSQL), an hl7 message builder,
 * a log capture, and the channel dry run (`checkInput`) over the real hl7v2 parser with a small checking mapping.
 */
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { MappingDefinition, RunningSource, SourceContext } from '../engine/define.js';
import { error } from '../engine/issues.js';
import type { ChannelConfig } from '../engine/channel-schema.js';
import { checkInput, type CompiledChannel } from '../engine/pipeline.js';
import { parseHl7, type Hl7Message } from '../formats/hl7v2/index.js';
import { createLogger } from '../monitor/logger.js';
import type { MessageStore } from '../store/message-store.js';
import { hl7v2Parser } from '../steps/parsers/hl7v2.js';
import { mllpSource } from './mllp.js';

export interface Hl7Spec {
  sender?: string;
  type?: string;
  version?: string;
  msh15?: string;
  msh16?: string;
  charset?: string;
  pid3?: string;
  name?: string;
}

/** A small ADT message; every MSH field the ACK depends on can be set. */
export const hl7 = (id: string, s: Hl7Spec = {}): string =>
  `MSH|^~\\&|${s.sender ?? 'LAB'}|HOSP|RELAIS|DCC|20240101120000||${s.type ?? 'ADT^A01^ADT_A01'}|${id}|P|${s.version ?? '2.5'}|||${s.msh15 ?? ''}|${s.msh16 ?? ''}|FRA|${s.charset ?? ''}\r` +
  `PID|1||${s.pid3 ?? 'IPP1^^^HOSP^PI'}||${s.name ?? 'DUPONT^Jean'}\r`;

export const parseAck = (bytes: Buffer): Hl7Message => {
  const r = parseHl7(bytes);
  if (!r.message) throw new Error(`ACK does not parse: ${JSON.stringify(r.issues)}`);
  return r.message;
};

/** Log lines written by the source, to check what they hold (ids, never patient data). */
export class LogCapture {
  readonly lines: string[] = [];
  readonly logger: Logger = createLogger('debug', new Writable({ write: (chunk: Buffer, _e, cb) => (this.lines.push(chunk.toString()), cb()) }));
  get text(): string {
    return this.lines.join('');
  }
}

/** A mapping that refuses messages without PID-3 (a stand-in for a channel's real checks). */
const needsPid3: MappingDefinition<Hl7Message> = {
  name: 'test-needs-pid3',
  description: 'test',
  input: 'hl7v2',
  map: (m) => (m.get('PID-3') ? { output: { content: m, contentType: 'x-application/hl7-v2+er7' }, issues: [] } : { issues: [error('PID3_MISSING', 'PID-3 manquant: identifiant patient requis (numéro IPP)', 'PID-3')] }),
};

/** The real dry run of a channel parsing hl7v2 and mapping with `needsPid3`. */
export function dryRunChannel(): CompiledChannel {
  const config = { id: 'test', parse: { format: 'hl7v2', ...hl7v2Parser.options.parse({}) }, queue: { concurrency: 1 }, route: [] } as unknown as ChannelConfig;
  return { config, baseDir: '.', parser: hl7v2Parser as CompiledChannel['parser'], mapping: needsPid3 as MappingDefinition, validators: [], destinations: [] };
}

export interface ContextOptions {
  /** Awaited before each receive reaches the store (to hold the store). */
  gate?: () => Promise<void>;
  /** Thrown by receive (store down). */
  failReceive?: boolean;
  check?: SourceContext['check'];
  baseDir?: string;
}

export function storeContext(store: MessageStore, channelId: string, logs: LogCapture, o: ContextOptions = {}): SourceContext {
  const ch = dryRunChannel();
  return {
    channelId,
    logger: logs.logger,
    dataDir: '.',
    baseDir: o.baseDir ?? '.',
    lock: async () => undefined, // the MLLP source takes no lock
    async receive(raw) {
      await o.gate?.();
      if (o.failReceive) throw new Error('store unavailable');
      const r = await store.receive(channelId, raw);
      return { messageId: r.id, duplicate: r.duplicate, ...(r.duplicate ? { sameContent: r.sameContent } : {}) };
    },
    async reject(raw, issues) {
      const r = await store.receive(channelId, raw, { status: 'rejected', issues });
      return { messageId: r.id, duplicate: r.duplicate };
    },
    check: o.check ?? ((raw) => checkInput(ch, raw.content, { channelId, messageId: 'check', receivedAt: new Date() })),
  };
}

export type SourceOptionsInput = z.input<typeof mllpSource.options>;

/** Starts the source on an ephemeral loopback port. */
export async function startSource(input: Partial<SourceOptionsInput>, ctx: SourceContext): Promise<RunningSource & { port: number }> {
  const o = mllpSource.options.parse({ port: 0, tls: false, ...input });
  return (await mllpSource.start(o, ctx)) as RunningSource & { port: number };
}
