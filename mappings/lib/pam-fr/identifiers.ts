/**
 * Identifier systems from HL7 assigning authorities, and the PID-3 identifier list of PAM FR: IPP, INS (NIR / NIA)
 * and the rest. The INS rules of PAM FR 2.11 §6.6.1 / §6.6.15 and of the INS referential live here.
 */
import type { Identifier } from '@medplum/fhirtypes';
import { warning, info, type Issue } from '../../../src/engine/issues.js';
import { checkNir, INS_OID } from '../../../src/fhir/ins.js';
import { IDENTIFIER_TYPE_SYSTEM, insIdentifier } from '../../../src/fhir/fr-core.js';
import type { Cx, Hd } from './hl7-types.js';
import { isExplicitNull } from './hl7-types.js';

const OID = /^[0-2](\.(0|[1-9]\d*))+$/;
const FINESS = /^\d{9}$/;
/** ANS root of the national structure identifiers; `1` + FINESS is a structure's idNatStruct (FR Core Encounter.identifier.system example). */
export const ANS_STRUCTURE_ROOT = '1.2.250.1.71.4.2.2';

export type SystemResult = { system: string; issue?: Issue } | { system?: undefined; issue: Issue };

/**
 * The FHIR system of an HL7 assigning authority:
 * - an OID in HD.2 → `urn:oid:<OID>` (HD.3 should say `ISO`; anything else is tolerated with an info issue);
 * - a 9-digit FINESS in HD.2 (senders that have no OID, as in the ANS examples) → `urn:oid:1.2.250.1.71.4.2.2.1<FINESS>`,
 *   the structure's national identifier under the ANS root, as FR Core documents for establishments without an OID
 *   (warning: the receiver cannot know the sender's own sub-branch);
 * - anything else (a namespace only, a local code) cannot name a system: error-free here, the caller decides.
 */
export function systemOf(hd: Hd, where: string): SystemResult {
  const uid = hd.universalId.trim();
  if (OID.test(uid)) {
    const type = hd.universalIdType.toUpperCase();
    return { system: `urn:oid:${uid}`, ...(type && type !== 'ISO' ? { issue: info('AUTHORITY_TYPE', `assigning authority ${uid} is an OID but its type is "${hd.universalIdType}", not ISO`, where) } : {}) };
  }
  if (FINESS.test(uid)) {
    return {
      system: `urn:oid:${ANS_STRUCTURE_ROOT}.1${uid}`,
      issue: warning('AUTHORITY_FINESS', `assigning authority ${uid} is a FINESS, not an OID: identifier system urn:oid:${ANS_STRUCTURE_ROOT}.1${uid} (ANS structure root + idNatStruct)`, where),
    };
  }
  const shown = [hd.namespace, hd.universalId, hd.universalIdType].join('&');
  return { issue: warning('AUTHORITY_UNUSABLE', `assigning authority "${shown}" has neither an OID nor a FINESS in its universal ID: no identifier system can be derived`, where) };
}

const INS_OIDS = new Set<string>(Object.values(INS_OID));
/** PAM FR: the INS statuses under which the INS travels: VALI (PAM FR 2.11 table 0445), QUAL (RNIV "identité qualifiée", sent by some senders). */
export const QUALIFYING_STATUSES = new Set(['VALI', 'QUAL']);
/** Identity attributes (PID-32 repetitions) that the RNIV declares incompatible with a qualified identity. */
export const DISQUALIFYING_ATTRIBUTES = new Set(['DOUT', 'FICT']);

export const isInsCx = (cx: Cx): boolean => INS_OIDS.has(cx.authority.universalId.trim()) || /^INS(-NIR|-NIA|-C)?$/.test(cx.typeCode.toUpperCase());

export interface PidIdentifiers {
  /** The IPP (first PI repetition with a usable authority): the Patient's conditional-update key. */
  ipp?: Identifier;
  /** The INS kept after the rules (qualified identity, valid NIR key), at most one. */
  ins?: Identifier;
  /** True when the sender explicitly deleted the INS (`""` in CX.1, PAM FR §4.4.3). */
  insDeleted: boolean;
  /** Other identifiers with a usable authority (PI of other domains, NH…). */
  others: Identifier[];
  issues: Issue[];
}

export interface InsContext {
  /** PID-32 repetitions, upper-cased. */
  reliability: string[];
  /** ZFD-4 = Y: the birth date was corrected, the identity cannot be qualified (PAM FR §6.6.4). */
  birthDateCorrected: boolean;
}

const piType = { coding: [{ system: IDENTIFIER_TYPE_SYSTEM, code: 'PI', display: 'Patient internal identifier' }] };
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

/** An IPP as FR Core's PI slice wants it. */
export function ippIdentifier(system: string, value: string, use: Identifier['use'] = 'usual'): Identifier {
  return { use, type: piType, system, value };
}

/**
 * Any identifier but the patient's key IPP. Typed in HL7's own v2-0203 code system, so that FR Core's PI slice
 * (max 1, on fr-core-v2-0203) holds only the key IPP: an IPP of another domain or a former IPP stays outside it.
 */
export function otherIdentifier(cx: Pick<Cx, 'typeCode' | 'value'>, system: string, use?: Identifier['use']): Identifier {
  return { ...(use ? { use } : {}), ...(cx.typeCode ? { type: { coding: [{ system: V2_0203, code: cx.typeCode }] } } : {}), system, value: cx.value };
}

/** Why an INS present in the message may not travel, or undefined when it may. */
function insRefusal(ctx: InsContext): string | undefined {
  const status = ctx.reliability[0] ?? '';
  if (!QUALIFYING_STATUSES.has(status)) return `identity status ${status || '(empty PID-32)'} is not qualified (VALI or QUAL required)`;
  const attr = ctx.reliability.slice(1).find((a) => DISQUALIFYING_ATTRIBUTES.has(a));
  if (attr) return `identity attribute ${attr} is incompatible with a qualified identity`;
  if (ctx.birthDateCorrected) return 'the birth date was corrected (ZFD-4 = Y): the identity cannot be qualified';
  return undefined;
}

/**
 * Sorts PID-3 (or MRG-1) into IPP, INS and others. An INS is kept only when the identity is qualified and its NIR
 * is well formed with the right key; otherwise a warning says why and the message goes on without it. With both
 * an INS-NIR and an INS-NIA, the NIR wins (PAM FR §4.4.1).
 */
export function pidIdentifiers(list: Cx[], ctx: InsContext, fieldPath: string): PidIdentifiers {
  const out: PidIdentifiers = { insDeleted: false, others: [], issues: [] };
  const insCandidates: Identifier[] = [];
  for (const cx of list) {
    const where = `${fieldPath}[${cx.repetition}]`;
    if (isInsCx(cx)) {
      const oid = cx.authority.universalId.trim();
      if (isExplicitNull(cx.value)) {
        out.insDeleted = true;
        continue;
      }
      if (!INS_OIDS.has(oid)) {
        out.issues.push(warning('INS_OID', `INS "${cx.typeCode}" with authority "${oid}", which is none of the INS OIDs (${[...INS_OIDS].join(', ')}): not propagated`, where));
        continue;
      }
      const nir = checkNir(cx.value, where);
      if (nir.length) {
        out.issues.push(...nir.map((i) => warning(i.code, `${i.message}: the INS is not propagated`, where)));
        continue;
      }
      insCandidates.push(insIdentifier(cx.value.replace(/\s/g, '').toUpperCase(), oid));
      continue;
    }
    if (!cx.value || isExplicitNull(cx.value)) continue;
    const sys = systemOf(cx.authority, `${where}.4`);
    if (sys.issue) out.issues.push(sys.issue);
    if (!sys.system) continue;
    if (cx.typeCode === 'PI' && !out.ipp) out.ipp = ippIdentifier(sys.system, cx.value);
    else out.others.push(otherIdentifier(cx, sys.system));
  }
  if (insCandidates.length) {
    const refusal = insRefusal(ctx);
    if (refusal) out.issues.push(warning('INS_NOT_QUALIFIED', `${refusal}: the INS is not propagated`, fieldPath));
    else {
      const nir = insCandidates.find((i) => i.system !== `urn:oid:${INS_OID.NIA}`);
      out.ins = nir ?? insCandidates[0];
      if (nir && insCandidates.some((i) => i.system === `urn:oid:${INS_OID.NIA}`)) out.issues.push(info('INS_NIA_SUPERSEDED', 'both an INS-NIR and an INS-NIA were sent: the INS-NIR is kept', fieldPath));
    }
  }
  return out;
}

/** `system|value`, the FHIR token form used in conditional URLs and business keys. */
export const token = (i: Identifier): string => `${i.system ?? ''}|${i.value ?? ''}`;

/** `<Type>?identifier=<system>|<value>`, URL-encoded: the conditional update of a resource on its business identifier. */
export const conditionalUrl = (type: string, i: Identifier): string => `${type}?${new URLSearchParams({ identifier: token(i) }).toString()}`;
