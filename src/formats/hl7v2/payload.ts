/**
 * Encapsulated data (ED) and reference pointers (RP) carried in OBX-5, e.g. a CDA or PDF in Base64.
 */
import { error, type Issue } from '../../engine/issues.js';
import { encodeText } from './charset.js';
import { unescapeValue } from './escape.js';
import { toPath, type Hl7Message } from './message.js';
import type { Hl7Path } from './path.js';
import { piece } from './pieces.js';

export interface EncapsulatedData {
  kind: 'ED';
  /** ED.1 source application. */
  sourceApplication: string;
  /** ED.2 type of data (table 0191), e.g. `AP`, `TEXT`. */
  typeOfData: string;
  /** ED.3 data subtype (table 0291), e.g. `PDF`, `XML`. */
  dataSubtype: string;
  /** ED.4 encoding (table 0299): `Base64`, `A` (none), `Hex`. */
  encoding: string;
  /** ED.5 decoded to bytes. */
  data: Buffer;
}

export interface ReferencePointer {
  kind: 'RP';
  /** RP.1 pointer. */
  pointer: string;
  /** RP.2 application ID (first subcomponent). */
  applicationId: string;
  /** RP.3 type of data. */
  typeOfData: string;
  /** RP.4 subtype. */
  subtype: string;
}

const BASE64 = /^[A-Za-z0-9+/\r\n\t ]*={0,2}[\r\n\t ]*$/;

/**
 * Reads the ED or RP value at `path` (default `OBX-5`, first repetition). The value type comes from OBX-2 of
 * the same segment when the path is in an OBX, else from the shape of the value (5 components → ED).
 * Base64 data is decoded straight from the raw slice of the field (it holds no delimiter and no escape);
 * `A` data is unescaped and encoded in the message character set; `Hex` is decoded as hex.
 */
export function extractEncapsulatedData(msg: Hl7Message, path: string | Hl7Path = 'OBX-5'): { payload?: EncapsulatedData | ReferencePointer; issues: Issue[] } {
  const p = toPath(path);
  const where = typeof path === 'string' ? path : undefined;
  const d = msg.delimiters;
  const value = msg.getRaw({ ...p, repetition: p.repetition ?? 1, component: undefined, subcomponent: undefined });
  const leaf = (n: number) => unescapeValue(piece(piece(value, d.component, n), d.subcomponent, 1), d, msg.encoding);
  const valueType = p.segment === 'OBX' ? msg.get({ ...p, field: 2, repetition: undefined, component: undefined, subcomponent: undefined }) : '';
  if (value === '') return { issues: [error('HL7_ED_EMPTY', 'no encapsulated data at this path', where)] };
  if (valueType === 'RP') {
    return {
      payload: { kind: 'RP', pointer: leaf(1), applicationId: leaf(2), typeOfData: leaf(3), subtype: leaf(4) },
      issues: [],
    };
  }
  if (valueType !== '' && valueType !== 'ED') {
    return { issues: [error('HL7_ED_TYPE', `OBX-2 is ${JSON.stringify(valueType)}, not ED or RP`, where)] };
  }
  const encoding = leaf(4);
  const rawData = piece(value, d.component, 5);
  let data: Buffer;
  switch (encoding.toUpperCase()) {
    case 'BASE64': {
      const text = d.escape !== '' && rawData.includes(d.escape) ? unescapeValue(rawData, d, msg.encoding) : rawData;
      if (!BASE64.test(text)) return { issues: [error('HL7_ED_BASE64', 'ED.5 is not valid Base64', where)] };
      data = Buffer.from(text, 'base64');
      break;
    }
    case 'A':
      data = encodeText(unescapeValue(rawData, d, msg.encoding), msg.encoding);
      break;
    case 'HEX': {
      const text = unescapeValue(rawData, d, msg.encoding);
      if (!/^(?:[0-9A-Fa-f]{2})*$/.test(text)) return { issues: [error('HL7_ED_HEX', 'ED.5 is not valid hexadecimal', where)] };
      data = Buffer.from(text, 'hex');
      break;
    }
    default:
      return { issues: [error('HL7_ED_ENCODING', `ED.4 encoding ${JSON.stringify(encoding)} is not Base64, A or Hex`, where)] };
  }
  return {
    payload: { kind: 'ED', sourceApplication: leaf(1), typeOfData: leaf(2), dataSubtype: leaf(3), encoding, data },
    issues: [],
  };
}
