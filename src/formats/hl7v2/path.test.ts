import { describe, expect, it } from 'vitest';
import { formatPath, parsePath } from './path.js';

describe('parsePath', () => {
  it('reads every part, 1-based', () => {
    expect(parsePath('PID-3[2].4.2').path).toEqual({ segment: 'PID', segmentIndex: 1, field: 3, repetition: 2, component: 4, subcomponent: 2 });
    expect(parsePath('OBX[3]-5').path).toMatchObject({ segment: 'OBX', segmentIndex: 3, field: 5, repetition: undefined });
    expect(parsePath('ZBE-1.1').path).toMatchObject({ segment: 'ZBE', field: 1, component: 1 });
  });

  it('refuses malformed paths and zero indexes with HL7_BAD_PATH', () => {
    for (const p of ['', 'PID', 'PID-', 'PID-0', 'PID[0]-1', 'PID-1[0]', 'pid-1', 'PIDX-1', 'PID-1.2.3.4', 'PID.5.1', 'MSHY-0.0', 'not-a-valid-path']) {
      const r = parsePath(p);
      expect(r.path, p).toBeUndefined();
      expect(r.issues[0]).toMatchObject({ severity: 'error', code: 'HL7_BAD_PATH', path: p });
    }
  });

  it('formats back', () => {
    for (const p of ['PID-3[2].4.2', 'OBX[3]-5', 'MSH-9.2']) expect(formatPath(parsePath(p).path!)).toBe(p);
  });
});
