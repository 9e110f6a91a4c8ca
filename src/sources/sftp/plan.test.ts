import { describe, expect, it } from 'vitest';
import { globToRegExp } from '../glob.js';
import { planFolder, type Plan, type PlannerState, type Rules } from './plan.js';
import type { RemoteEntry } from './remote-fs.js';
import { StabilityTracker, WaitClock } from './stability.js';

const file = (name: string, size = 10, mtime = 1000): RemoteEntry => ({ name, kind: 'file', size, mtime });
const state = (): PlannerState => ({ stability: new StabilityTracker(), waits: new WaitClock() });
const rules = (r: Partial<Rules> = {}): Rules => ({ patterns: [globToRegExp('*')], ready: 'stable', stableMs: 1000, companionSuffixes: ['.done', '.ok'], ...r });
const sidecar = { document: globToRegExp('*.pdf'), extensions: ['.json', '.xml'], waitMs: 5000 };

/** A compact view of a plan: kind and names with where they are. */
const view = (plans: Plan[]) =>
  plans.map((p) => {
    const n = (l: { entry: RemoteEntry; at: string }) => `${l.at === 'inbox' ? '' : 'p/'}${l.entry.name}`;
    switch (p.kind) {
      case 'single':
        return ['single', n(p.file), ...p.companions.map(n)].join(' ');
      case 'pair':
        return ['pair', n(p.document), n(p.sidecar), ...p.companions.map(n)].join(' ');
      case 'alone':
        return ['alone', p.role, n(p.file)].join(' ');
      default:
        return `${p.kind} ${n(p.file)}`;
    }
  });

describe('stable mode', () => {
  it('takes a file once size and mtime have not changed for stableMs', () => {
    const s = state();
    const r = rules({ patterns: [globToRegExp('*.csv')] });
    expect(view(planFolder([file('a.csv')], [], r, s, 0))).toEqual([]);
    expect(view(planFolder([file('a.csv', 20)], [], r, s, 900))).toEqual([]); // grew: the clock restarts
    expect(view(planFolder([file('a.csv', 20)], [], r, s, 1800))).toEqual([]);
    expect(view(planFolder([file('a.csv', 20), file('b.txt')], [], r, s, 1900))).toEqual(['single a.csv']);
    expect(view(planFolder([file('a.csv', 20, 1001)], [], r, s, 5000))).toEqual([]); // touched: mtime counts too
  });

  it('stableMs 0 takes files at once; dot files, folders and links never', () => {
    const entries: RemoteEntry[] = [file('.part.csv'), { ...file('dir'), kind: 'dir' }, { ...file('ln'), kind: 'link' }, file('x')];
    expect(view(planFolder(entries, [], rules({ stableMs: 0 }), state(), 0))).toEqual(['single x']);
  });

  it('files in processing/ come first and are taken without waiting; an inbox namesake waits for them', () => {
    expect(view(planFolder([file('a'), file('b')], [file('a')], rules({ stableMs: 0 }), state(), 0))).toEqual(['single p/a', 'single b']);
  });

  it('names that are not accepted are planned as unsafe, once stable', () => {
    const s = state();
    const r = rules({ stableMs: 0 });
    expect(view(planFolder([file('a\u0001b'), file('x\\y'), file('ok'), file('bad\uFFFD')], [], r, s, 0))).toEqual(['unsafe a\u0001b', 'unsafe bad\uFFFD', 'single ok', 'unsafe x\\y']);
  });
});

describe('companion mode', () => {
  const r = rules({ ready: 'companion', patterns: [globToRegExp('*.csv')] });
  it('takes a file only with a companion, which travels with it', () => {
    expect(view(planFolder([file('a.csv'), file('b.csv'), file('b.csv.ok')], [], r, state(), 0))).toEqual(['single b.csv b.csv.ok']);
  });
  it('with a catch-all pattern, companions are not files of their own', () => {
    const all = rules({ ready: 'companion' });
    expect(view(planFolder([file('a'), file('a.done')], [], all, state(), 0))).toEqual(['single a a.done']);
  });
  it('a companion left in processing/ without its file is finished as a leftover', () => {
    expect(view(planFolder([], [file('a.csv.done'), file('b.csv'), file('b.csv.done')], r, state(), 0))).toEqual(['leftover p/a.csv.done', 'single p/b.csv p/b.csv.done']);
  });
});

describe('sidecar pairs', () => {
  const r = rules({ stableMs: 0, sidecar });

  it('pairs a document with the first sidecar extension present', () => {
    expect(view(planFolder([file('a.pdf'), file('a.xml'), file('a.json'), file('b.pdf'), file('c.txt')], [], r, state(), 0))).toEqual(['pair a.pdf a.json']);
  });

  it('waits for both to be stable', () => {
    const s = state();
    const slow = rules({ stableMs: 1000, sidecar });
    expect(view(planFolder([file('a.pdf'), file('a.json')], [], slow, s, 0))).toEqual([]);
    expect(view(planFolder([file('a.pdf'), file('a.json', 99)], [], slow, s, 1000))).toEqual([]); // sidecar still changing
    expect(view(planFolder([file('a.pdf'), file('a.json', 99)], [], slow, s, 2000))).toEqual(['pair a.pdf a.json']);
  });

  it('a ready document alone waits waitMs, then is planned alone; so is a sidecar without document', () => {
    const s = state();
    expect(view(planFolder([file('d.pdf'), file('s.json')], [], r, s, 0))).toEqual([]);
    expect(view(planFolder([file('d.pdf'), file('s.json')], [], r, s, 4999))).toEqual([]);
    expect(view(planFolder([file('d.pdf'), file('s.json')], [], r, s, 5000))).toEqual(['alone document d.pdf', 'alone sidecar s.json']);
  });

  it('the wait restarts when the document goes away and comes back', () => {
    const s = state();
    planFolder([file('d.pdf')], [], r, s, 0);
    planFolder([], [], r, s, 3000);
    expect(view(planFolder([file('d.pdf')], [], r, s, 6000))).toEqual([]);
  });

  it('after an interruption: a claimed document pairs with a sidecar in processing/ or still in the inbox', () => {
    expect(view(planFolder([file('b.json')], [file('a.pdf'), file('a.json'), file('b.pdf')], r, state(), 0))).toEqual(['pair p/a.pdf p/a.json', 'pair p/b.pdf b.json']);
  });

  it('a sidecar alone in processing/ belongs to a pair already stored: a leftover', () => {
    expect(view(planFolder([], [file('a.json')], r, state(), 0))).toEqual(['leftover p/a.json']);
  });

  it('companion mode: a pair is ready once either file has its companion', () => {
    const c = rules({ ready: 'companion', sidecar });
    expect(view(planFolder([file('a.pdf'), file('a.json')], [], c, state(), 0))).toEqual([]);
    expect(view(planFolder([file('a.pdf'), file('a.json'), file('a.pdf.done')], [], c, state(), 0))).toEqual(['pair a.pdf a.json a.pdf.done']);
    expect(view(planFolder([file('a.pdf'), file('a.json'), file('a.json.ok')], [], c, state(), 0))).toEqual(['pair a.pdf a.json a.json.ok']);
  });
});
