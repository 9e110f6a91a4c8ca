import { z } from 'zod';
import type { Bundle, Identifier, Patient, Resource } from '@medplum/fhirtypes';
import { defineValidator, type Mapped } from '../../engine/define.js';
import { hold, info, warning, type Issue } from '../../engine/issues.js';
import { readSecret, secret } from '../../engine/secret.js';
import { INS_SYSTEMS } from '../../fhir/ins.js';

const options = z.object({
  baseUrl: z.string().url().describe('FHIR R4 base URL of the DCC, where the Patients are'),
  token: secret().optional().describe('bearer token'),
  identifierSystems: z
    .array(z.string().min(1))
    .default(INS_SYSTEMS)
    .describe('identifier systems, most trusted first, that must agree: a matched Patient with another value in one of them is an identity conflict'),
  timeoutMs: z.number().int().min(100).default(10_000),
  attempts: z.number().int().min(1).max(10).default(3).describe('tries when the DCC does not answer (network, 5xx, 429) before holding the message'),
  retryDelayMs: z.number().int().min(0).default(500).describe('wait before a retry, doubled each time'),
});
type Options = z.infer<typeof options>;

const CONDITIONAL_PATIENT = /^Patient\?(.+)$/;

/** Conditional Patient references (`Patient?identifier=…`) anywhere in the mapped resource(s). */
function patientReferences(content: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'reference' && typeof x === 'string' && CONDITIONAL_PATIENT.test(x)) out.add(x);
        else if (typeof x === 'object' && k !== 'data') walk(x);
      }
    }
  };
  walk(content);
  return [...out];
}

/** `system|value` pairs of an `identifier=` search (comma = or; `\,` `\|` `\\` escaped). */
export function identifiersOfSearch(query: URLSearchParams): { system: string; value: string }[] {
  return query.getAll('identifier').flatMap((param) =>
    (param.match(/(?:\\.|[^,])+/g) ?? []).flatMap((token) => {
      const bar = /(?<!\\)\|/.exec(token);
      if (!bar) return [];
      const unescape = (s: string) => s.replace(/\\(.)/g, '$1');
      return [{ system: unescape(token.slice(0, bar.index)), value: unescape(token.slice(bar.index + 1)) }];
    }),
  );
}

class DccUnavailable extends Error {}

async function searchPatients(o: Options, token: string | undefined, query: URLSearchParams): Promise<Patient[]> {
  const q = new URLSearchParams(query);
  q.set('_count', '3');
  const url = `${o.baseUrl.replace(/\/$/, '')}/Patient?${q.toString()}`;
  let delay = o.retryDelayMs;
  let last = '';
  for (let attempt = 1; attempt <= o.attempts; attempt++) {
    try {
      const res = await fetch(url, { headers: { accept: 'application/fhir+json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal: AbortSignal.timeout(o.timeoutMs) });
      if (res.ok) {
        const bundle = (await res.json()) as Bundle;
        return (bundle.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Patient' && (e.search?.mode ?? 'match') === 'match' ? [e.resource] : []));
      }
      last = `HTTP ${res.status}`;
      await res.body?.cancel();
      if (res.status < 500 && res.status !== 408 && res.status !== 429) break; // refused: retrying cannot help
    } catch (e) {
      last = `unreachable: ${(e as Error).message}`;
    }
    if (attempt < o.attempts) await new Promise((r) => setTimeout(r, delay));
    delay *= 2;
  }
  throw new DccUnavailable(last);
}

const label = (system: string) => (INS_SYSTEMS.includes(system) ? 'INS' : system);

/**
 * The identity check of a message that references its patient conditionally: the DCC must hold exactly one Patient
 * matching the identifiers, and that Patient must not carry another value in a trusted system (INS). Otherwise the
 * message is held for identity review (never attached to a guessed patient, never dropped) and replayed once the
 * identity is fixed. Issues never quote identifier values.
 */
async function check(ref: string, o: Options, token: string | undefined): Promise<Issue[]> {
  const query = new URLSearchParams(CONDITIONAL_PATIENT.exec(ref)![1]);
  const wanted = identifiersOfSearch(query);
  const systems = [...new Set(wanted.map((w) => label(w.system)))].join(', ');
  let found: Patient[];
  try {
    found = await searchPatients(o, token, query);
  } catch (e) {
    if (e instanceof DccUnavailable) return [hold('PATIENT_MATCH_UNAVAILABLE', `the DCC could not be asked which Patient matches (${e.message}): held, replay once it answers`)];
    throw e;
  }
  if (found.length === 0) return [hold('PATIENT_NOT_FOUND', `no Patient of the DCC matches the report's identifiers (${systems}): held for identity review; create or complete the Patient, then replay`)];
  if (found.length > 1) return [hold('PATIENT_AMBIGUOUS', `several Patients of the DCC match the report's identifiers (${systems}): held for identity review (duplicate or conflicting identities), then replay`)];
  const patient = found[0]!;
  const issues: Issue[] = [];
  for (const system of o.identifierSystems) {
    const theirs = (patient.identifier ?? []).filter((i: Identifier) => i.system === system && i.value).map((i) => i.value);
    const ours = wanted.filter((w) => w.system === system).map((w) => w.value);
    if (theirs.length && ours.length && !ours.some((v) => theirs.includes(v))) {
      issues.push(hold('PATIENT_IDENTIFIER_CONFLICT', `the only matching Patient (Patient/${patient.id}) has another ${label(system)} than the report: held for identity review`));
    }
  }
  if (patient.link?.some((l) => l.type === 'replaced-by')) {
    issues.push(hold('PATIENT_REPLACED', `the matching Patient (Patient/${patient.id}) was replaced by another one (merged identity): held for identity review`));
  }
  return issues;
}

/** Checks, against the DCC, the Patient that a mapped message references conditionally. See the `check` function. */
export const fhirPatientMatchValidator = defineValidator({
  type: 'fhir-patient-match',
  description: 'Exactly one DCC Patient must match the conditional Patient reference (INS / IPP); none, several or a conflicting INS hold the message for identity review',
  options,
  async create(o, ctx) {
    if (ctx.offline) return async () => [info('PATIENT_MATCH_SKIPPED', 'offline run: the DCC was not asked which Patient matches')];
    const token = o.token ? readSecret(o.token) : undefined;
    return async (mapped: Mapped) => {
      const refs = patientReferences(mapped.content as Resource);
      if (refs.length === 0) return [warning('PATIENT_MATCH_NO_REFERENCE', 'the mapped message references no Patient conditionally (Patient?identifier=…): nothing to check')];
      const issues: Issue[] = [];
      for (const ref of refs) issues.push(...(await check(ref, o, token)));
      return issues;
    };
  },
});
