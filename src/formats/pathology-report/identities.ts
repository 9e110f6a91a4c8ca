/**
 * Patient, pathologist and laboratory identifiers, normalised the same way whatever the form: INS only when the
 * identity is qualified and its NIR key right, IPP with an OID authority, RPPS / idNatPs, FINESS / idNatSt.
 */
import { error, warning, type Issue } from '../../engine/issues.js';
import { checkNir, INS_OID, QUALIFIED_STATUSES } from '../../fhir/ins.js';
import { ID_NAT_PS_OID, ID_NAT_ST_OID, isOid } from './codes.js';
import type { Identifier, Laboratory, Pathologist, PatientIdentity } from './model.js';

const INS_OIDS = new Set<string>(Object.values(INS_OID));
export const isInsOid = (oid: string): boolean => INS_OIDS.has(oid);

/** What a form says about the patient's identifiers, before the rules are applied. */
export interface PatientIdentifiersIn {
  ins?: { value: string; oid: string };
  /** Identity status (VIDE, PROV, RECUP, VALI, QUAL); `undefined` means the form only carries qualified INS (CDA). */
  reliability?: string;
  ipp: { value: string; authority: string }[];
}

/**
 * Applies the INS rules: a wrong NIR key is an error (the data is damaged: never match on it); an INS of an
 * unqualified identity is not used (warning); IPPs need an OID authority. At least one identifier must remain.
 */
export function patientIdentifiers(input: PatientIdentifiersIn, where: string, issues: Issue[]): Pick<PatientIdentity, 'ins' | 'ipp'> {
  let ins: Identifier | undefined;
  if (input.ins) {
    const v = input.ins.value.replace(/\s/g, '').toUpperCase();
    if (!isInsOid(input.ins.oid)) {
      issues.push(error('CRAP_INS_OID', `"${input.ins.oid}" is not an INS OID (${[...INS_OIDS].join(', ')})`, `${where} INS`));
    } else {
      const nir = checkNir(v, `${where} INS`);
      issues.push(...nir);
      const status = input.reliability?.toUpperCase();
      if (nir.length === 0) {
        if (status === undefined || QUALIFIED_STATUSES.has(status)) ins = { system: `urn:oid:${input.ins.oid}`, value: v };
        else issues.push(warning('CRAP_INS_NOT_QUALIFIED', `identity status ${status || '(none)'} is not qualified (VALI/QUAL): the INS is not used to find the patient`, `${where} INS`));
      }
    }
  }
  const ipp: Identifier[] = [];
  for (const i of input.ipp) {
    if (!i.value) continue;
    if (!isOid(i.authority)) issues.push(warning('CRAP_IPP_AUTHORITY', `IPP ignored: its assigning authority must be an OID (got "${i.authority}")`, `${where} IPP`));
    else if (!ipp.some((x) => x.system === `urn:oid:${i.authority}` && x.value === i.value)) ipp.push({ system: `urn:oid:${i.authority}`, value: i.value });
  }
  if (!ins && ipp.length === 0 && !issues.some((i) => i.severity === 'error' && i.code === 'NIR_KEY')) {
    issues.push(error('CRAP_NO_PATIENT_ID', 'the report carries no usable patient identifier (qualified INS or IPP with an OID authority): it cannot be filed', where));
  }
  return { ins, ipp };
}

/**
 * A health professional id as sent: `8` + RPPS (OID 1.2.250.1.71.4.2.1, type IDNPS), or the bare 11-digit RPPS
 * (type RPPS). Anything else cannot identify the pathologist nationally: undefined, with a warning.
 */
export function pathologistOf(
  id: { value: string; oid?: string; type?: string },
  name: { family?: string; given?: string },
  where: string,
  issues: Issue[],
): Pathologist | undefined {
  const value = id.value.trim();
  const type = (id.type ?? '').toUpperCase();
  const named = { ...(name.family ? { family: name.family } : {}), ...(name.given ? { given: name.given } : {}) };
  if (/^8\d{11}$/.test(value) && (id.oid === ID_NAT_PS_OID || type === 'IDNPS' || type === 'RPPS' || !id.oid)) return { idNatPs: value, rpps: value.slice(1), ...named };
  if (/^\d{11}$/.test(value) && (type === 'RPPS' || id.oid === undefined || id.oid === '' || id.oid === ID_NAT_PS_OID)) return { idNatPs: `8${value}`, rpps: value, ...named };
  if (value && id.oid === ID_NAT_PS_OID) return { idNatPs: value, ...named };
  if (value || name.family) issues.push(warning('CRAP_PATHOLOGIST_ID', `the pathologist has no RPPS / national id (got "${value}"${id.oid ? ` in ${id.oid}` : ''}): not recorded as performer`, where));
  return undefined;
}

/**
 * A structure id as sent: `1` + FINESS (OID 1.2.250.1.71.4.2.2, type IDNST/FINEG/FINEJ) or the bare 9-character
 * FINESS. Anything else: undefined, with a warning.
 */
export function laboratoryOf(id: { value: string; oid?: string; type?: string }, name: string | undefined, where: string, issues: Issue[]): Laboratory | undefined {
  const value = id.value.trim();
  const named = name ? { name } : {};
  if (/^1(\d{9}|2[AB]\d{7})$/.test(value) && (id.oid === ID_NAT_ST_OID || !id.oid)) return { idNatSt: value, finess: value.slice(1), ...named };
  if (/^(\d{9}|2[AB]\d{7})$/.test(value)) return { idNatSt: `1${value}`, finess: value, ...named };
  if (value && id.oid === ID_NAT_ST_OID) return { idNatSt: value, ...named };
  if (value || name) issues.push(warning('CRAP_LABORATORY_ID', `the laboratory has no FINESS / national structure id (got "${value}"${id.oid ? ` in ${id.oid}` : ''}): not recorded as performer`, where));
  return undefined;
}

/**
 * The report's business identifier: `urn:oid:<authority>` when the sender names its numbering with an OID, else a
 * Relais URN scoped by the laboratory FINESS (or, failing that, the sending application), so that two laboratories'
 * report numbers never collide.
 */
export function reportIdentifier(value: string, scope: { authorityOid?: string; laboratory?: Laboratory; sender?: string }, where: string, issues: Issue[]): Identifier | undefined {
  const v = value.trim();
  if (!v) {
    issues.push(error('CRAP_NO_REPORT_ID', 'the report has no identifier (exam / report number): re-sending it could not update it', where));
    return undefined;
  }
  if (scope.authorityOid && isOid(scope.authorityOid)) return { system: `urn:oid:${scope.authorityOid}`, value: v };
  if (scope.laboratory?.finess) return { system: `urn:relais:crap:finess:${scope.laboratory.finess}`, value: v };
  if (scope.sender) return { system: `urn:relais:crap:sender:${encodeURIComponent(scope.sender)}`, value: v };
  issues.push(error('CRAP_REPORT_ID_AUTHORITY', 'the report number has no authority (OID), and no laboratory FINESS or sender to scope it', where));
  return undefined;
}
