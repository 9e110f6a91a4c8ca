import { evalFhirPath } from '@medplum/core';
import type { DestinationDefinition, Encoded, Mapped, MappingContext, MappingDefinition, ParserDefinition, ValidateFn, BusinessKeys } from './define.js';
import type { ChannelConfig, DestinationConfig } from './channel-schema.js';
import { error, hasErrors, onlyHolds, type Issue } from './issues.js';
import { destinationOf, mappingOf, parserOf, validatorOf, type Registry } from './registry.js';
import type { LoadedChannel } from './channel-loader.js';

/** A channel with everything it names resolved and compiled once (validators are compiled here). */
export interface CompiledChannel {
  config: ChannelConfig;
  baseDir: string;
  parser: ParserDefinition;
  mapping: MappingDefinition;
  validators: ValidateFn[];
  destinations: { config: DestinationConfig; def: DestinationDefinition; mapping?: MappingDefinition }[];
}

/** `offline`: compiled for `relais test` / `run-once` (no network); validators that need a peer skip their check. */
export async function compileChannel(ch: LoadedChannel, reg: Registry, opts: { offline?: boolean } = {}): Promise<CompiledChannel> {
  const { config } = ch;
  const ctx = { baseDir: ch.baseDir, offline: opts.offline === true };
  return {
    config,
    baseDir: ch.baseDir,
    parser: parserOf(reg, config.parse.format),
    mapping: mappingOf(reg, config.map),
    validators: await Promise.all(config.validate.map((v) => validatorOf(reg, v.type).create(v, ctx))),
    destinations: config.route.map((d) => ({ config: d, def: destinationOf(reg, d.type), mapping: d.map ? mappingOf(reg, d.map) : undefined })),
  };
}

export interface PipelineOutput {
  destinationId: string;
  encoded: Encoded;
}

export interface PipelineResult {
  /**
   * rejected: an error issue stopped it; held: only hold issues stopped it (it waits for an operator, e.g. identity
   * review, then a replay); filtered: no destination wanted it; routed: outputs are ready to deliver.
   */
  status: 'rejected' | 'held' | 'filtered' | 'routed';
  issues: Issue[];
  parsed?: unknown;
  mapped?: Mapped;
  keys?: BusinessKeys;
  orderingKey?: string;
  outputs: PipelineOutput[];
  timings: Partial<Record<'parse' | 'map' | 'validate' | 'route', number>>;
}

function truthy(result: unknown[]): boolean {
  return result.length > 0 && !(result.length === 1 && result[0] === false);
}

const timed = <T>(timings: PipelineResult['timings'], stage: keyof PipelineResult['timings'], fn: () => T): T => {
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    timings[stage] = (performance.now() - t0) / 1000;
  }
};

/**
 * parse → map → validate → route → encode, for one message. No I/O of its own (a validator may consult a peer, e.g.
 * the DCC for patient matching; offline compilation skips those): the same function serves the workers,
 * `relais run-once` and `relais test`. Any error issue stops the message: status `held` when every error is a hold
 * (`Issue.hold`), else `rejected`.
 */
export async function runPipeline(ch: CompiledChannel, raw: Buffer, ctx: MappingContext): Promise<PipelineResult> {
  const timings: PipelineResult['timings'] = {};
  const issues: Issue[] = [];
  const stop = (): PipelineResult => ({ status: onlyHolds(issues) ? 'held' : 'rejected', issues, outputs: [], timings });

  const parsed = timed(timings, 'parse', () => ch.parser.parse(raw, ch.config.parse));
  issues.push(...parsed.issues);
  if (hasErrors(issues) || parsed.value === undefined) return stop();

  const mapped = timed(timings, 'map', () => ch.mapping.map(parsed.value, ctx));
  issues.push(...mapped.issues);
  if (hasErrors(issues) || !mapped.output) return { ...stop(), parsed: parsed.value, mapped: mapped.output };
  const output = mapped.output;
  const keys = mapped.keys;

  const t0 = performance.now();
  for (const validate of ch.validators) issues.push(...(await validate(output)));
  timings.validate = (performance.now() - t0) / 1000;
  const base = { parsed: parsed.value, mapped: output, keys, orderingKey: orderingKeyOf(ch.config, keys) };
  if (hasErrors(issues)) return { ...stop(), ...base };

  const outputs = timed(timings, 'route', () => route(ch, parsed.value, output, ctx, issues));
  if (hasErrors(issues)) return { ...stop(), ...base };
  return { status: outputs.length ? 'routed' : 'filtered', issues, outputs, timings, ...base };
}

function orderingKeyOf(config: ChannelConfig, keys: BusinessKeys | undefined): string | undefined {
  const kind = config.queue.ordering?.key;
  return kind ? keys?.[kind]?.[0] : undefined;
}

/**
 * A destination mapping whose input is the channel's parse format reads the parsed message (e.g. forwarding the
 * HL7 v2 message itself to a peer while the channel maps it to FHIR); any other destination mapping reads the
 * channel's mapped output.
 */
export const readsParsed = (ch: Pick<CompiledChannel, 'config'>, mapping: MappingDefinition): boolean => mapping.input === ch.config.parse.format;

function route(ch: CompiledChannel, parsed: unknown, output: Mapped, ctx: MappingContext, issues: Issue[]): PipelineOutput[] {
  const outputs: PipelineOutput[] = [];
  for (const d of ch.destinations) {
    const where = `route.${d.config.id}`;
    if (d.config.when !== undefined) {
      try {
        if (!truthy(evalFhirPath(d.config.when, output.content))) continue;
      } catch (e) {
        issues.push(error('ROUTE_CONDITION', `condition failed: ${(e as Error).message}`, where));
        continue;
      }
    }
    let forDest = output;
    if (d.mapping) {
      const m = d.mapping.map(readsParsed(ch, d.mapping) ? parsed : output.content, ctx);
      issues.push(...m.issues.map((i) => ({ ...i, path: `${where}${i.path ? ` ${i.path}` : ''}` })));
      if (!m.output) continue;
      forDest = m.output;
    }
    const enc = d.def.encode(forDest, d.config);
    issues.push(...enc.issues.map((i) => ({ ...i, path: i.path ?? where })));
    if (enc.encoded) outputs.push({ destinationId: d.config.id, encoded: enc.encoded });
  }
  return outputs;
}

/** Splitting parsers cut a batch into parts; others give one part, the whole input. */
export function splitInput(ch: CompiledChannel, raw: Buffer): { parts: { content: Buffer; ref: string }[]; issues: Issue[] } | undefined {
  return ch.parser.split ? ch.parser.split(raw, ch.config.parse) : undefined;
}

/** A hold is not a refusal: a source checking its input accepts it (the message is stored, then held). */
const holdAsWarning = (i: Issue): Issue => (i.hold ? { ...i, severity: 'warning' } : i);

/**
 * Dry run for sources that answer synchronously: every part of a batch through the pipeline, issues prefixed by part.
 * Hold issues come back as warnings (still flagged `hold`), so that the source accepts and stores the input.
 */
export async function checkInput(ch: CompiledChannel, raw: Buffer, ctx: MappingContext): Promise<Issue[]> {
  const split = splitInput(ch, raw);
  if (!split) return (await runPipeline(ch, raw, ctx)).issues.map(holdAsWarning);
  const issues = [...split.issues];
  if (hasErrors(issues)) return issues;
  for (const part of split.parts) {
    const r = await runPipeline(ch, part.content, ctx);
    issues.push(...r.issues.map((i) => ({ ...holdAsWarning(i), path: `${part.ref}${i.path ? ` ${i.path}` : ''}` })));
  }
  return issues;
}
