import { z } from 'zod';

/**
 * Secrets are never written in channel files: a secret option is `{ env: NAME }` and is read from the
 * environment when the channel starts.
 */
export const secret = () =>
  z
    .strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') })
    .describe('A secret, read from the named environment variable at start (never written in the file)');

export type Secret = z.infer<ReturnType<typeof secret>>;

export function readSecret(s: Secret, env: NodeJS.ProcessEnv = process.env): string {
  const v = env[s.env];
  if (v === undefined || v === '') throw new Error(`secret environment variable ${s.env} is not set`);
  return v;
}

const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed channel file (for hosts, ports, paths).
 * Returns the names that were neither set nor defaulted, so that lint can report them.
 */
export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, missing: Set<string> = new Set()): unknown {
  if (typeof value === 'string') {
    return value.replace(INTERPOLATION, (_m, name: string, def: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (def !== undefined) return def;
      missing.add(name);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v) => interpolateEnv(v, env, missing));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateEnv(v, env, missing)]));
  }
  return value;
}
