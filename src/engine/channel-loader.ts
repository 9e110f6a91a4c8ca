import fs from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parse as parseYamlScalar, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { parseFhirPath } from '@medplum/core';
import { buildChannelSchema, type ChannelConfig } from './channel-schema.js';
import { interpolateEnv } from './secret.js';
import { error, warning, type Issue } from './issues.js';
import { mappingOf, sourceOf, type Registry } from './registry.js';

export interface LoadedChannel {
  config: ChannelConfig;
  file: string;
  baseDir: string;
}

export interface LoadResult {
  channels: LoadedChannel[];
  issues: Issue[];
}

/** Channel files: `*.yaml` / `*.yml` in the folder, except fixture-test files `*.test.yaml`. */
export function channelFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !/\.test\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

type Path = readonly PropertyKey[];

function lineOf(doc: Document, lc: LineCounter, p: Path, key?: string): number {
  let node: unknown = doc.contents;
  let offset = 0;
  const steps = key === undefined ? p : [...p, key];
  for (const step of steps) {
    if (isMap(node)) {
      const pair = node.items.find((it) => (it.key as { value?: unknown } | null)?.value === step);
      if (!pair) break;
      const k = pair.key as { range?: [number, number, number] };
      offset = k.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step] as { range?: [number, number, number] } | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return lc.linePos(offset).line;
}

function zodIssues(file: string, doc: Document, lc: LineCounter, issues: z.core.$ZodIssue[]): Issue[] {
  return issues.map((zi) => {
    const where = zi.path.map(String).join('.') || '(root)';
    if (zi.code === 'unrecognized_keys') {
      const keys = (zi as { keys: string[] }).keys;
      return error('CHANNEL_UNKNOWN_KEY', `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')} in ${where}`, `${file}:${lineOf(doc, lc, zi.path, keys[0])}`);
    }
    return error('CHANNEL_SCHEMA', `${where}: ${zi.message}`, `${file}:${lineOf(doc, lc, zi.path)}`);
  });
}

const WHOLE_PLACEHOLDER = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

/**
 * An unquoted value that is one `${NAME}` placeholder takes the YAML type of what it becomes, as if written in the
 * file: `port: ${PORT:-2575}` is a number, `enabled: ${ON:-true}` a boolean. Quoted, it stays a string.
 */
function typeWholePlaceholders(doc: Document, env: NodeJS.ProcessEnv, missing: Set<string>): void {
  visit(doc, {
    Scalar(_key, node) {
      if (node.type !== 'PLAIN' || typeof node.value !== 'string' || !WHOLE_PLACEHOLDER.test(node.value)) return;
      const text = interpolateEnv(node.value, env, missing) as string;
      let typed: unknown;
      try {
        typed = parseYamlScalar(text);
      } catch {
        return;
      }
      if (typeof typed === 'number' || typeof typed === 'boolean') node.value = typed;
    },
  });
}

/** Parses and checks one channel file; every problem is an issue with `file:line`. */
export function loadChannelFile(file: string, reg: Registry, env: NodeJS.ProcessEnv = process.env) {
  const rel = path.relative(process.cwd(), file) || file;
  const lc = new LineCounter();
  const text = fs.readFileSync(file, 'utf8');
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const issues: Issue[] = doc.errors.map((e) => error('CHANNEL_YAML', e.message.split('\n')[0]!, `${rel}:${e.linePos?.[0]?.line ?? 1}`));
  if (issues.length) return { issues };
  const missing = new Set<string>();
  typeWholePlaceholders(doc, env, missing);
  const raw = interpolateEnv(doc.toJS(), env, missing);
  for (const name of missing) {
    issues.push(warning('CHANNEL_ENV', `environment variable ${name} is not set and has no default`, `${rel}:${text.split('\n').findIndex((l) => l.includes(`\${${name}`)) + 1}`));
  }
  const parsed = buildChannelSchema(reg).safeParse(raw);
  if (!parsed.success) return { issues: [...issues, ...zodIssues(rel, doc, lc, parsed.error.issues)] };
  const config = parsed.data;
  const at = (...p: PropertyKey[]) => `${rel}:${lineOf(doc, lc, p)}`;
  const expectedId = path.basename(file).replace(/\.ya?ml$/, '');
  if (config.id !== expectedId) issues.push(error('CHANNEL_ID', `id "${config.id}" must equal the file name "${expectedId}"`, at('id')));
  issues.push(...checkMappings(config, reg, at));
  const seen = new Set<string>();
  config.route.forEach((d, i) => {
    if (seen.has(d.id)) issues.push(error('CHANNEL_DEST_ID', `destination id "${d.id}" is used twice`, at('route', i, 'id')));
    seen.add(d.id);
    if (d.when !== undefined) {
      try {
        parseFhirPath(d.when);
      } catch (e) {
        issues.push(error('CHANNEL_WHEN', `route condition is not valid FHIRPath: ${(e as Error).message}`, at('route', i, 'when')));
      }
    }
  });
  return { issues, channel: { config, file, baseDir: path.dirname(path.resolve(file)) } satisfies LoadedChannel };
}

function checkMappings(config: ChannelConfig, reg: Registry, at: (...p: PropertyKey[]) => string): Issue[] {
  const issues: Issue[] = [];
  const names = [{ name: config.map, where: at('map') }, ...config.route.flatMap((d, i) => (d.map ? [{ name: d.map, where: at('route', i, 'map') }] : []))];
  for (const { name, where } of names) {
    try {
      mappingOf(reg, name);
    } catch (e) {
      issues.push(error('CHANNEL_MAPPING', (e as Error).message, where));
    }
  }
  const main = reg.mappings.find((m) => m.name === config.map);
  if (main && main.input !== config.parse.format && main.input !== '*') {
    issues.push(error('CHANNEL_MAPPING_INPUT', `mapping "${main.name}" reads "${main.input}" but the channel parses "${config.parse.format}"`, at('map')));
  }
  // a destination mapping reads the parsed message when its input is the channel's parse format, else the mapped
  // output: one that reads another parse format can read neither
  const formats = new Set(reg.parsers.map((p) => p.format));
  config.route.forEach((d, i) => {
    const m = d.map ? reg.mappings.find((x) => x.name === d.map) : undefined;
    if (m && m.input !== config.parse.format && formats.has(m.input)) {
      issues.push(
        error('CHANNEL_MAPPING_INPUT', `mapping "${m.name}" reads "${m.input}" messages but the channel parses "${config.parse.format}": a destination mapping reads the parsed message (input "${config.parse.format}") or the channel's mapped output`, at('route', i, 'map')),
      );
    }
  });
  return issues;
}

/** Loads every channel of a folder, plus cross-channel checks (duplicate ids, listening ports, watched folders). */
export function loadChannels(dir: string, reg: Registry, env: NodeJS.ProcessEnv = process.env): LoadResult {
  const channels: LoadedChannel[] = [];
  const issues: Issue[] = [];
  for (const file of channelFiles(dir)) {
    const r = loadChannelFile(file, reg, env);
    issues.push(...r.issues);
    if ('channel' in r && r.channel) channels.push(r.channel);
  }
  const claims = new Map<string, string>();
  for (const ch of channels) {
    for (const claim of sourceOf(reg, ch.config.source.type).claims?.(ch.config.source, ch.baseDir) ?? []) {
      const other = claims.get(claim);
      if (other) issues.push(error('CHANNEL_CONFLICT', `${claim} is used by channels "${other}" and "${ch.config.id}"`, ch.file));
      claims.set(claim, ch.config.id);
    }
  }
  return { channels, issues };
}
