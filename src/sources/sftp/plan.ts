import path from 'node:path';
import { isSafeFileName } from '../glob.js';
import type { RemoteEntry } from './remote-fs.js';
import type { StabilityTracker, WaitClock } from './stability.js';

export interface Rules {
  patterns: RegExp[];
  ready: 'stable' | 'companion';
  stableMs: number;
  companionSuffixes: string[];
  sidecar?: { document: RegExp; extensions: string[]; waitMs: number };
}

/** A file and the folder it is in: the inbox (not claimed yet) or `processing/` (claimed earlier, taken again). */
export interface Located {
  entry: RemoteEntry;
  at: 'inbox' | 'processing';
}

/** What to do with the files of one folder this poll, in order. */
export type Plan =
  /** One file (with its companion files, if any): claim, download, receive, archive. */
  | { kind: 'single'; file: Located; companions: Located[] }
  /** A document and its sidecar: claim both, receive one envelope, archive both. */
  | { kind: 'pair'; document: Located; sidecar: Located; companions: Located[] }
  /** A document or a sidecar whose partner did not come within `waitMs`: to the error folder. */
  | { kind: 'alone'; file: Located; role: 'document' | 'sidecar'; companions: Located[] }
  /** A file whose name is not accepted (control characters, separators, too long, not UTF-8): to the error folder. */
  | { kind: 'unsafe'; file: Located }
  /**
   * Left in `processing/` by an interruption after its message was stored: a companion file whose data file is
   * gone, or a sidecar whose document was already archived (pairs are archived document first). Finished (archived
   * or deleted) without receiving anything.
   */
  | { kind: 'leftover'; file: Located };

export interface PlannerState {
  stability: StabilityTracker;
  waits: WaitClock;
}

/** File names the source accepts; a name the server sent with invalid UTF-8 arrives with U+FFFD and cannot be addressed. */
export const isAcceptedName = (name: string) => isSafeFileName(name) && !name.includes('\uFFFD');

/** Dot files are senders' uploads in progress (".x.csv.part") or ours: never taken, never errored. */
const visible = (e: RemoteEntry) => e.kind === 'file' && !e.name.startsWith('.');

const companionBase = (rules: Rules, name: string): string | undefined => {
  if (rules.ready !== 'companion') return undefined;
  const s = rules.companionSuffixes.find((x) => name.length > x.length && name.endsWith(x));
  return s ? name.slice(0, -s.length) : undefined;
};

/**
 * Decides, from this poll's listings of the inbox and of `processing/`, which files to take. Pure apart from the
 * stability and wait clocks it updates. Files already in `processing/` come first: they were claimed before an
 * interruption (crash, cut connection) and are taken again (the store's content hash makes that idempotent).
 */
export function planFolder(inbox: RemoteEntry[], processing: RemoteEntry[], rules: Rules, state: PlannerState, now: number): Plan[] {
  const inFiles = inbox.filter(visible).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const procFiles = processing.filter(visible).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const inByName = new Map(inFiles.map((e) => [e.name, e]));
  const procByName = new Map(procFiles.map((e) => [e.name, e]));
  state.stability.retain(new Set(inByName.keys()));
  const waiting = new Set<string>();
  const waited = (key: string) => (waiting.add(key), state.waits.waited(key, now));
  const companionsOf = (names: string[], at: Located['at']): Located[] => {
    const pool = at === 'inbox' ? inByName : procByName;
    if (rules.ready !== 'companion') return [];
    return names.flatMap((n) => rules.companionSuffixes.flatMap((s) => (pool.has(n + s) ? [{ entry: pool.get(n + s)!, at }] : [])));
  };
  const hasCompanion = (name: string) => companionsOf([name], 'inbox').length > 0;
  const stable = (e: RemoteEntry) => state.stability.isStable(e, now, rules.stableMs);
  const out: Plan[] = [];

  if (!rules.sidecar) {
    for (const e of procFiles) {
      const base = companionBase(rules, e.name);
      if (base !== undefined) {
        if (!procByName.has(base)) out.push({ kind: 'leftover', file: { entry: e, at: 'processing' } });
        continue;
      }
      out.push({ kind: 'single', file: { entry: e, at: 'processing' }, companions: companionsOf([e.name], 'processing') });
    }
    for (const e of inFiles) {
      if (companionBase(rules, e.name) !== undefined || !rules.patterns.some((p) => p.test(e.name))) continue;
      const ready = rules.ready === 'companion' ? hasCompanion(e.name) : stable(e);
      if (!ready || procByName.has(e.name)) continue;
      const file: Located = { entry: e, at: 'inbox' };
      out.push(isAcceptedName(e.name) ? { kind: 'single', file, companions: companionsOf([e.name], 'inbox') } : { kind: 'unsafe', file });
    }
    state.waits.retain(waiting);
    return out;
  }

  const sc = rules.sidecar;
  const isDocument = (name: string) => sc.document.test(name);
  const baseOf = (name: string) => name.slice(0, name.length - path.posix.extname(name).length);
  const sidecarExt = (name: string) => (isDocument(name) ? undefined : sc.extensions.find((x) => name.length > x.length && name.endsWith(x)));
  const documentBases = (files: RemoteEntry[]) => new Set(files.filter((e) => isDocument(e.name)).map((e) => baseOf(e.name)));
  const procDocs = documentBases(procFiles);
  const inDocs = documentBases(inFiles);
  const sidecarFor = (doc: string, pool: Map<string, RemoteEntry>) => sc.extensions.map((x) => pool.get(baseOf(doc) + x)).find((e) => e !== undefined);

  for (const e of procFiles) {
    const at = 'processing' as const;
    if (isDocument(e.name)) {
      const inProc = sidecarFor(e.name, procByName);
      const inIn = inProc ? undefined : sidecarFor(e.name, inByName);
      const side = inProc ? { entry: inProc, at } : inIn ? { entry: inIn, at: 'inbox' as const } : undefined;
      if (side) {
        out.push({ kind: 'pair', document: { entry: e, at }, sidecar: side, companions: [...companionsOf([e.name], at), ...companionsOf([side.entry.name], side.at)] });
      } else if (waited(`processing:${e.name}`) >= sc.waitMs) {
        out.push({ kind: 'alone', file: { entry: e, at }, role: 'document', companions: companionsOf([e.name], at) });
      }
      continue;
    }
    const ext = sidecarExt(e.name);
    if (ext !== undefined) {
      if (!procDocs.has(e.name.slice(0, -ext.length))) out.push({ kind: 'leftover', file: { entry: e, at } });
      continue;
    }
    const base = companionBase(rules, e.name);
    if (base !== undefined && !procByName.has(base)) out.push({ kind: 'leftover', file: { entry: e, at } });
  }

  for (const e of inFiles) {
    const at = 'inbox' as const;
    if (isDocument(e.name)) {
      const docReady = rules.ready === 'companion' ? hasCompanion(e.name) : stable(e);
      const side = sidecarFor(e.name, inByName);
      const sideReady = side !== undefined && (rules.ready === 'companion' ? docReady || hasCompanion(side.name) : stable(side));
      if (procByName.has(e.name)) continue;
      if (side && sideReady && (docReady || rules.ready === 'companion')) {
        const document: Located = { entry: e, at };
        if (!isAcceptedName(e.name)) out.push({ kind: 'unsafe', file: document }, ...(isAcceptedName(side.name) ? [] : [{ kind: 'unsafe' as const, file: { entry: side, at } }]));
        else out.push({ kind: 'pair', document, sidecar: { entry: side, at }, companions: companionsOf([e.name, side.name], at) });
      } else if (docReady && waited(`inbox:${e.name}`) >= sc.waitMs) {
        const file: Located = { entry: e, at };
        out.push(isAcceptedName(e.name) ? { kind: 'alone', file, role: 'document', companions: companionsOf([e.name], at) } : { kind: 'unsafe', file });
      }
      continue;
    }
    const ext = sidecarExt(e.name);
    if (ext === undefined) continue;
    const base = e.name.slice(0, -ext.length);
    if (inDocs.has(base) || procDocs.has(base) || procByName.has(e.name)) {
      stable(e); // keep its stability clock running for when its document is ready
      continue;
    }
    // a sidecar without its document: stable (any mode, senders rarely mark sidecars) and waited for long enough
    if (stable(e) && waited(`inbox:${e.name}`) >= sc.waitMs) {
      const file: Located = { entry: e, at };
      out.push(isAcceptedName(e.name) ? { kind: 'alone', file, role: 'sidecar', companions: companionsOf([e.name], at) } : { kind: 'unsafe', file });
    }
  }
  state.waits.retain(waiting);
  return out;
}
