/**
 * ZBE, the PAM FR movement segment (PAM FR 2.11 §6.13): movement id, start, action, historic flag, original
 * trigger, responsible wards (UF) and nature of the movement.
 */
import type { Hl7Segment } from '../../../src/formats/hl7v2/index.js';
import { error, warning, type Issue } from '../../../src/engine/issues.js';
import { eiList, xon, type Ei, type Xon } from './hl7-types.js';

export type MovementAction = 'INSERT' | 'UPDATE' | 'CANCEL';
const ACTIONS = new Set<string>(['INSERT', 'UPDATE', 'CANCEL']);
/** IHE France table ZBE-9. */
export const MOVEMENT_NATURES = new Set(['S', 'H', 'M', 'L', 'D', 'SM', 'SH', 'MH', 'LD', 'HMS', 'C']);

export interface Movement {
  ids: Ei[];
  /** ZBE-2, raw HL7 TS. */
  start: string;
  /** ZBE-4. */
  action?: MovementAction;
  /** ZBE-5 = Y: a movement earlier than the current one. */
  historic: boolean;
  /** ZBE-6: the trigger that inserted the movement being updated or cancelled. */
  originalTrigger: string;
  /** ZBE-7: ward (UF) of medical responsibility from this movement on. */
  medicalWard?: Xon;
  /** ZBE-8: ward (UF) of care responsibility. */
  careWard?: Xon;
  /** ZBE-9. */
  nature: string;
}

/**
 * Reads ZBE. Tolerates one real-world defect seen in the ANS SGL discharge template: an extra field after ZBE-3
 * pushes the action into ZBE-5 and every later field one place right. When ZBE-4 holds no action and ZBE-5 does,
 * fields 5… are read one place right, with a warning.
 */
export function readMovement(seg: Hl7Segment): { movement: Movement; issues: Issue[] } {
  const issues: Issue[] = [];
  let shift = 0;
  const action4 = seg.get(4).toUpperCase();
  if (!ACTIONS.has(action4) && ACTIONS.has(seg.get(5).toUpperCase())) {
    shift = 1;
    issues.push(warning('ZBE_SHIFTED', `ZBE-4 is empty and ZBE-5 holds the action "${seg.get(5)}": the fields after ZBE-3 are one place to the right; read shifted`, 'ZBE-4'));
  }
  const f = (n: number) => (n >= 4 ? n + shift : n);
  const ids = eiList(seg, 1).filter((e) => e.value !== '');
  if (!ids.length) issues.push(error('ZBE_NO_MOVEMENT_ID', 'ZBE-1 (movement identifier) is required', 'ZBE-1'));
  const start = seg.get(2);
  if (!start) issues.push(error('ZBE_NO_START', 'ZBE-2 (start of movement date/time) is required', 'ZBE-2'));
  if (seg.get(3) && !shift) issues.push(warning('ZBE_END_FORBIDDEN', 'ZBE-3 (end of movement) is forbidden in PAM FR and is ignored', 'ZBE-3'));
  const rawAction = seg.get(f(4)).toUpperCase();
  let action: MovementAction | undefined;
  if (ACTIONS.has(rawAction)) action = rawAction as MovementAction;
  else issues.push(warning('ZBE_ACTION', `ZBE-4 action "${seg.get(f(4))}" is not INSERT, UPDATE or CANCEL: the trigger event decides`, `ZBE-${f(4)}`));
  const historicRaw = seg.get(f(5)).toUpperCase();
  if (historicRaw !== 'Y' && historicRaw !== 'N') issues.push(warning('ZBE_HISTORIC', `ZBE-5 historic indicator "${seg.get(f(5))}" is not Y or N: read as N`, `ZBE-${f(5)}`));
  const nature = seg.get({ field: f(9), component: 1 }).toUpperCase();
  if (nature && !MOVEMENT_NATURES.has(nature)) issues.push(warning('ZBE_NATURE', `ZBE-9 nature "${nature}" is not in IHE France table ZBE-9`, `ZBE-${f(9)}`));
  return {
    movement: {
      ids,
      start,
      action,
      historic: historicRaw === 'Y',
      originalTrigger: seg.get(f(6)),
      medicalWard: xon(seg, f(7)),
      careWard: xon(seg, f(8)),
      nature,
    },
    issues,
  };
}
