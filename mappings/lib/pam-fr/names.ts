/**
 * PID-5 names (PAM FR 2.11 §6.6.2): type L is the birth (family) name with, in XPN.3, the list of birth given
 * names (the INS traits); type D the used name and/or used given name; type S a pseudonym.
 */
import type { HumanName } from '@medplum/fhirtypes';
import { error, warning, type Issue } from '../../../src/engine/issues.js';
import { isExplicitNull, type Xpn } from './hl7-types.js';

const clean = (v: string) => (isExplicitNull(v) ? '' : v.replace(/\s+/g, ' ').trim());

function officialName(x: Xpn): HumanName | undefined {
  const family = clean(x.family);
  const given = clean(x.furtherGiven) || clean(x.given);
  if (!family || !given) return undefined;
  const prefix = clean(x.prefix);
  return { use: 'official', family, given: [given], ...(prefix ? { prefix: [prefix] } : {}) };
}

function usedName(x: Xpn, use: HumanName['use']): HumanName | undefined {
  const family = clean(x.family);
  const given = clean(x.given);
  if (!family && !given) return undefined;
  return { use, ...(family ? { family } : {}), ...(given ? { given: [given] } : {}) };
}

/** FR Core names from PID-5; a missing birth name (type L with family and given names) is an error. */
export function patientNames(list: Xpn[], path: string): { names: HumanName[]; issues: Issue[] } {
  const issues: Issue[] = [];
  const names: HumanName[] = [];
  const hasL = list.some((x) => x.nameType.toUpperCase() === 'L');
  for (const x of list) {
    const where = `${path}[${x.repetition}]`;
    let type = x.nameType.toUpperCase();
    if (!type && !hasL) {
      issues.push(warning('NAME_TYPE_MISSING', 'name without a type (XPN.7): read as the birth name (L)', `${where}.7`));
      type = 'L';
    }
    if (type === 'L') {
      const n = officialName(x);
      if (n && !names.some((m) => m.use === 'official')) names.push(n);
      else if (!n) issues.push(error('BIRTH_NAME_INCOMPLETE', 'the birth name (type L) needs a family name and given name(s)', where));
    } else if (type === 'D') {
      const n = usedName(x, 'usual');
      if (n) names.push(n);
    } else if (type === 'S') {
      const n = usedName(x, 'anonymous');
      if (n) names.push(n);
    } else if (type === 'U') {
      const n = usedName(x, undefined);
      if (n) names.push(n);
    } else {
      issues.push(warning('NAME_TYPE', `name type "${x.nameType}" is not L, D, S or U: the name is not mapped`, `${where}.7`));
    }
  }
  if (!names.some((n) => n.use === 'official') && !issues.some((i) => i.code === 'BIRTH_NAME_INCOMPLETE')) {
    issues.push(error('BIRTH_NAME_MISSING', 'PID-5 has no birth name (type L): PAM FR always sends it, FR Core requires a name', path));
  }
  return { names, issues };
}
