/**
 * Typed readers for the HL7 v2.5 composite data types PAM FR uses (CX, HD, EI, XPN, XAD, XTN, XCN, XON, PL), over
 * one segment of an `Hl7Message`. Values are decoded (escapes, MSH-18 character set); absent parts read as `''`.
 * The HL7 explicit null `""` is kept as the two characters: callers decide what a deletion means.
 */
import type { Hl7Segment } from '../../../src/formats/hl7v2/index.js';

/** HD: assigning authority / facility. */
export interface Hd {
  namespace: string;
  universalId: string;
  universalIdType: string;
}

/** CX: an identifier with its assigning authority and type code. */
export interface Cx {
  value: string;
  authority: Hd;
  typeCode: string;
  /** 1-based repetition, for issue paths. */
  repetition: number;
}

/** EI: entity identifier (ZBE-1 movement id). */
export interface Ei {
  value: string;
  authority: Hd;
  repetition: number;
}

export interface Xpn {
  family: string;
  given: string;
  /** XPN.3: second and further given names; PAM FR carries the full list of birth given names here. */
  furtherGiven: string;
  suffix: string;
  prefix: string;
  nameType: string;
  repetition: number;
}

export interface Xad {
  street: string;
  otherDesignation: string;
  city: string;
  state: string;
  postalCode: string;
  country: string;
  addressType: string;
  otherGeographic: string;
  /** XAD.9 county/parish: the INSEE code of the commune in PAM FR. */
  countyCode: string;
  repetition: number;
}

export interface Xtn {
  number: string;
  useCode: string;
  equipmentType: string;
  email: string;
  repetition: number;
}

export interface Xcn {
  id: string;
  family: string;
  given: string;
  authority: Hd;
  typeCode: string;
  repetition: number;
}

export interface Xon {
  name: string;
  authority: Hd;
  typeCode: string;
  id: string;
}

export interface Pl {
  pointOfCare: string;
  room: string;
  bed: string;
  facility: Hd;
  status: string;
}

type Get = (component: number, subcomponent?: number) => string;

function reader(seg: Hl7Segment, field: number, repetition: number): Get {
  return (component, subcomponent) => seg.get({ field, repetition, component, ...(subcomponent ? { subcomponent } : {}) });
}

function hdAt(get: Get, component: number): Hd {
  return { namespace: get(component, 1), universalId: get(component, 2), universalIdType: get(component, 3) };
}

/** The 1-based repetitions of a field that hold something. */
export function repetitions(seg: Hl7Segment | undefined, field: number): number[] {
  if (!seg) return [];
  const n = seg.repetitionCount(field);
  return Array.from({ length: n }, (_, i) => i + 1).filter((r) => seg.getRaw({ field, repetition: r }) !== '');
}

/** A field holding an HD in its own components (MSH-3, MSH-4, PID-34). */
export function hdField(seg: Hl7Segment, field: number): Hd {
  return { namespace: seg.get({ field, component: 1 }), universalId: seg.get({ field, component: 2 }), universalIdType: seg.get({ field, component: 3 }) };
}

export function cxList(seg: Hl7Segment | undefined, field: number): Cx[] {
  if (!seg) return [];
  return repetitions(seg, field).map((r) => {
    const get = reader(seg, field, r);
    return { value: get(1), authority: hdAt(get, 4), typeCode: get(5), repetition: r };
  });
}

export function eiList(seg: Hl7Segment | undefined, field: number): Ei[] {
  if (!seg) return [];
  return repetitions(seg, field).map((r) => {
    const get = reader(seg, field, r);
    return { value: get(1), authority: { namespace: get(2), universalId: get(3), universalIdType: get(4) }, repetition: r };
  });
}

export function xpnList(seg: Hl7Segment, field: number): Xpn[] {
  return repetitions(seg, field).map((r) => {
    const get = reader(seg, field, r);
    return { family: get(1, 1), given: get(2), furtherGiven: get(3), suffix: get(4), prefix: get(5), nameType: get(7), repetition: r };
  });
}

export function xadList(seg: Hl7Segment, field: number): Xad[] {
  return repetitions(seg, field).map((r) => {
    const get = reader(seg, field, r);
    return {
      street: get(1, 1),
      otherDesignation: get(2),
      city: get(3),
      state: get(4),
      postalCode: get(5),
      country: get(6),
      addressType: get(7),
      otherGeographic: get(8),
      countyCode: get(9),
      repetition: r,
    };
  });
}

export function xtnList(seg: Hl7Segment, field: number): Xtn[] {
  return repetitions(seg, field).map((r) => {
    const get = reader(seg, field, r);
    return { number: get(12) || get(1), useCode: get(2), equipmentType: get(3), email: get(4), repetition: r };
  });
}

export function xcnList(seg: Hl7Segment | undefined, field: number): Xcn[] {
  if (!seg) return [];
  return repetitions(seg, field).map((r) => {
    const get = reader(seg, field, r);
    return { id: get(1), family: get(2, 1), given: get(3), authority: hdAt(get, 9), typeCode: get(13), repetition: r };
  });
}

export function xon(seg: Hl7Segment | undefined, field: number): Xon | undefined {
  if (!seg || seg.getRaw(field) === '') return undefined;
  const get = reader(seg, field, 1);
  return { name: get(1), authority: hdAt(get, 6), typeCode: get(7), id: get(10) };
}

export function pl(seg: Hl7Segment | undefined, field: number): Pl | undefined {
  if (!seg || seg.getRaw(field) === '') return undefined;
  const get = reader(seg, field, 1);
  return { pointOfCare: get(1), room: get(2), bed: get(3), facility: hdAt(get, 4), status: get(5) };
}

/** HL7 explicit null: the sender asks the receiver to delete the value. */
export const isExplicitNull = (v: string): boolean => v === '""';
