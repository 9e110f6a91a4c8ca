/**
 * CDA R2 data types written with xmlbuilder2, from FHIR R4 data types: II (Identifier), CD/CE (CodeableConcept,
 * Coding), TS / IVL_TS (date, dateTime, Period), PN (HumanName), AD (Address), TEL (ContactPoint).
 * Pure and deterministic: no clock, no random values.
 */
import { createHash } from 'node:crypto';
import type { Address, CodeableConcept, Coding, ContactPoint, Extension, HumanName, Identifier, Period } from '@medplum/fhirtypes';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { error, type Issue } from '../../../src/engine/issues.js';
import { CS_NAME, isOid, isUuid, oidOfSystem } from './oids.js';

export type El = XMLBuilder;

/** CDA instance identifier. */
export interface II {
  root: string;
  extension?: string;
}

/** A coded value as CDA writes it (CD / CE / CS attributes, plus optional original text). */
export interface Coded {
  code: string;
  codeSystem: string;
  displayName?: string;
  codeSystemName?: string;
  codeSystemVersion?: string;
  /** Free text the code was chosen from (CD.originalText), or a `#id` reference into the section narrative. */
  originalText?: string;
  originalTextRef?: string;
  /** CD.translation: the same concept in other code systems (e.g. a TA_ASIP classification of a LOINC code). */
  translations?: Coded[];
}

/** Adds a child element, leaving out attributes whose value is undefined or empty. */
export function ele(parent: El, name: string, attrs: Record<string, string | number | boolean | undefined> = {}): El {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== '') clean[k] = String(v);
  return parent.ele(name, clean);
}

/** `<name nullFlavor="…"/>` */
export const nullEl = (parent: El, name: string, nullFlavor = 'UNK', attrs: Record<string, string> = {}): El => ele(parent, name, { ...attrs, nullFlavor });

export const iiEl = (parent: El, id: II, name = 'id'): El => ele(parent, name, { root: id.root, extension: id.extension });

/**
 * A deterministic UUID (version-5 layout, upper case) derived from a seed: the same input always gives the same
 * id, and different seeds give different ids. Used for ids the FHIR input does not carry (sections, entries).
 */
export function derivedUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

/**
 * FHIR Identifier → II. `system = urn:oid:X` gives root X and extension = value; `system = urn:ietf:rfc:3986` with a
 * `urn:oid:` or `urn:uuid:` value gives a root-only II. Anything else cannot be written in CDA: `CDA_IDENTIFIER`.
 */
export function iiOf(identifier: Identifier | undefined, path: string, issues: Issue[]): II | undefined {
  if (!identifier) return undefined;
  const { system, value } = identifier;
  if (!value) return void issues.push(error('CDA_IDENTIFIER', 'the identifier has no value', path));
  if (system === 'urn:ietf:rfc:3986') {
    if (value.startsWith('urn:oid:') && isOid(value.slice(8))) return { root: value.slice(8) };
    if (value.startsWith('urn:uuid:') && isUuid(value.slice(9))) return { root: value.slice(9).toUpperCase() };
    return void issues.push(error('CDA_IDENTIFIER', `a urn:ietf:rfc:3986 identifier must be a urn:oid: or urn:uuid: (got "${value}")`, path));
  }
  const root = system?.startsWith('urn:oid:') ? system.slice(8) : undefined;
  if (!root || !isOid(root)) {
    return void issues.push(error('CDA_IDENTIFIER', `the identifier system must be urn:oid:<OID> to be written in CDA (got "${system ?? ''}")`, path));
  }
  return { root, extension: value };
}

/** II → the same FHIR form back (`system|value` key for business keys). */
export const iiKey = (id: II): string => (id.extension ? `urn:oid:${id.root}|${id.extension}` : `urn:ietf:rfc:3986|urn:oid:${id.root}`);

/** The first coding of a concept whose system has an OID (optionally only among `allowed` OIDs). */
export function codedOf(concept: CodeableConcept | Coding | undefined, allowed?: readonly string[]): Coded | undefined {
  if (!concept) return undefined;
  const codings: Coding[] = 'coding' in concept || 'text' in concept ? ((concept as CodeableConcept).coding ?? []) : [concept as Coding];
  for (const c of codings) {
    const oid = oidOfSystem(c.system);
    if (!oid || !c.code || (allowed && !allowed.includes(oid))) continue;
    return { code: c.code, codeSystem: oid, displayName: c.display, codeSystemName: CS_NAME[oid] };
  }
  return undefined;
}

/** Writes a CD/CE element; `xsiType` for `<value xsi:type="CD">`. */
export function cdEl(parent: El, name: string, coded: Coded, extra: Record<string, string> = {}): El {
  const e = ele(parent, name, { ...extra, code: coded.code, displayName: coded.displayName, codeSystem: coded.codeSystem, codeSystemName: coded.codeSystemName, codeSystemVersion: coded.codeSystemVersion });
  if (coded.originalTextRef) e.ele('originalText').ele('reference', { value: coded.originalTextRef });
  else if (coded.originalText) e.ele('originalText').txt(coded.originalText);
  for (const t of coded.translations ?? []) cdEl(e, 'translation', t);
  return e;
}

const FHIR_DATE_TIME = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * FHIR date / dateTime / instant → HL7 TS (`YYYY[MM[DD[HHMM[SS][+ZZZZ]]]]`). The offset is kept as written
 * (`Z` → `+0000`); fractions of a second are dropped. Undefined for text that is not a FHIR date.
 */
export function ts(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = FHIR_DATE_TIME.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, z] = m;
  const zone = z === undefined ? '' : z === 'Z' ? '+0000' : z.replace(':', '');
  return `${y}${mo ?? ''}${d ?? ''}${h ?? ''}${mi ?? ''}${h ? (s ?? '00') : ''}${h ? zone : ''}`;
}

/** `<name value="TS"/>`, or `nullFlavor="UNK"` when the value is absent. Bad dates are an issue. */
export function tsEl(parent: El, name: string, value: string | undefined, path: string, issues: Issue[]): El {
  const v = ts(value);
  if (value && !v) issues.push(error('CDA_DATE', `"${value}" is not a FHIR date/dateTime`, path));
  return v ? ele(parent, name, { value: v }) : nullEl(parent, name);
}

/** IVL_TS with low/high from a FHIR Period (or a single dateTime as low). */
export function ivlTsEl(parent: El, name: string, period: Period | string | undefined, path: string, issues: Issue[]): El {
  const p: Period = typeof period === 'string' ? { start: period } : (period ?? {});
  const e = parent.ele(name);
  if (!p.start && !p.end) return e.att('nullFlavor', 'UNK');
  if (p.start) tsEl(e, 'low', p.start, `${path}.start`, issues);
  if (p.end) tsEl(e, 'high', p.end, `${path}.end`, issues);
  return e;
}

/** FHIR date/dateTime → `dd/mm/yyyy[ hh:mm]` for narratives (no time-zone conversion: what was written). */
export function humanDate(value: string | undefined): string {
  const m = value ? FHIR_DATE_TIME.exec(value) : null;
  if (!m) return value ?? '';
  const [, y, mo, d, h, mi] = m;
  const date = [d, mo, y].filter(Boolean).join('/');
  return h ? `${date} ${h}:${mi}` : date;
}

/** PN for a professional or related person: prefix, given, family, suffix. */
export function personNameEl(parent: El, name: HumanName | undefined): El {
  const e = parent.ele('name');
  if (!name) return e.att('nullFlavor', 'UNK');
  for (const p of name.prefix ?? []) e.ele('prefix').txt(p);
  for (const g of name.given ?? []) e.ele('given').txt(g);
  if (name.family) e.ele('family').txt(name.family);
  for (const s of name.suffix ?? []) e.ele('suffix').txt(s);
  if (!name.family && !name.given?.length && name.text) e.txt(name.text);
  return e;
}

const ADXP = 'http://hl7.org/fhir/StructureDefinition/iso21090-ADXP-';
const ADXP_PARTS = ['houseNumber', 'houseNumberNumeric', 'buildingNumberSuffix', 'streetName', 'streetNameType', 'streetNameBase', 'additionalLocator', 'unitID', 'unitType', 'deliveryAddressLine', 'deliveryInstallationType', 'postBox', 'careOf', 'censusTract', 'precinct'];

const HOUSE_NUMBER = /^(\d+(?:\s*(?:bis|ter|quater|[A-Z]))?)\b[,\s]+(.+)$/i;

/**
 * AD from a FHIR Address, in the structured form of the CI-SIS (which does not mix `streetAddressLine` with other
 * parts): ISO 21090 ADXP extensions on a line become those parts; otherwise the first line is split into
 * houseNumber + streetName ("4 rue Larrey"), or is the streetName, and further lines are additionalLocator.
 */
export function addressEl(parent: El, address: Address | undefined): El {
  const e = parent.ele('addr');
  if (!address) return e.att('nullFlavor', 'UNK');
  const use = { home: 'H', work: 'WP', temp: 'TMP', old: 'BAD', billing: undefined }[address.use ?? 'billing'];
  if (use) e.att('use', use);
  // FHIR JSON primitive extensions of Address.line (`_line`), not in the medplum types
  const lineExt = (address as Address & { _line?: ({ extension?: Extension[] } | null)[] })._line ?? [];
  (address.line ?? []).forEach((line, i) => {
    const parts = (lineExt[i]?.extension ?? []).filter((x) => x.url.startsWith(ADXP) && ADXP_PARTS.includes(x.url.slice(ADXP.length)));
    if (parts.length) for (const p of parts) e.ele(p.url.slice(ADXP.length)).txt(p.valueString ?? '');
    else if (i > 0) e.ele('additionalLocator').txt(line);
    else {
      const m = HOUSE_NUMBER.exec(line.trim());
      if (m) e.ele('houseNumber').txt(m[1]!);
      e.ele('streetName').txt(m ? m[2]! : line.trim());
    }
  });
  if (address.postalCode) e.ele('postalCode').txt(address.postalCode);
  if (address.city) e.ele('city').txt(address.city);
  if (address.country) e.ele('country').txt(address.country);
  if (!address.line?.length && !address.postalCode && !address.city && !address.country && address.text) e.ele('streetAddressLine').txt(address.text);
  return e;
}

const TEL_SCHEME: Record<string, string> = { phone: 'tel:', fax: 'fax:', email: 'mailto:', sms: 'tel:', pager: 'tel:', url: '' };
const TEL_USE: Record<string, string> = { home: 'H', work: 'WP', temp: 'TMP', old: 'BAD', mobile: 'MC' };

/** TEL from FHIR ContactPoints (phone → tel:, email → mailto:, fax → fax:); spaces are removed from numbers. */
export function telecomEls(parent: El, points: ContactPoint[] | undefined): void {
  for (const p of points ?? []) {
    if (!p.value) continue;
    const scheme = TEL_SCHEME[p.system ?? 'url'] ?? '';
    const value = scheme === 'tel:' || scheme === 'fax:' ? p.value.replace(/[\s.]/g, '') : p.value;
    ele(parent, 'telecom', { value: /^[a-z]+:/.test(value) ? value : `${scheme}${value}`, use: p.use ? TEL_USE[p.use] : undefined });
  }
}
