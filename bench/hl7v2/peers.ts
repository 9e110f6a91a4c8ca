/**
 * One adapter per parser, so the benchmark and the evaluation read the same paths the same way. Each adapter
 * uses the peer's own parse tree and accessors (no re-parsing by the harness).
 */
import { Hl7Message as MedplumMessage } from '@medplum/core';
import HL7Standard from 'hl7-standard';
import { Message as NhcMessage } from 'node-hl7-client';
import simpleHl7 from 'simple-hl7';
import { parseHl7, serializeHl7, type Hl7Path } from '../../src/formats/hl7v2/index.js';

export interface Reader {
  /** Decoded value at a path, as the peer returns it ('' for missing / null). */
  get(p: Hl7Path): string;
  /** The message written back as the peer writes it. */
  serialize(): string | Buffer;
}

export interface Peer {
  name: string;
  /** Whether it accepts the raw bytes (and decodes them itself); others receive `bytes.toString()` (UTF-8). */
  takesBytes: boolean;
  parse(input: string | Buffer): Reader;
}

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const asText = (input: string | Buffer): string => (typeof input === 'string' ? input : input.toString());

export const ours: Peer = {
  name: 'relais (ours)',
  takesBytes: true,
  parse(input) {
    const { message } = parseHl7(input);
    if (!message) throw new Error('not a message');
    return { get: (p) => message.get(p), serialize: () => (typeof input === 'string' ? message.toString() : serializeHl7(message)) };
  },
};

export const nodeHl7Client: Peer = {
  name: 'node-hl7-client 3.2',
  takesBytes: false,
  parse(input) {
    const m = new NhcMessage({ text: asText(input) });
    return {
      get(p) {
        if (p.segment === 'MSH' && p.field === 1) return m.get('MSH.1').toString();
        const seg = m.get(p.segment).get(p.segmentIndex - 1);
        const field = seg.get(p.segment === 'MSH' ? p.field - 1 : p.field);
        return field.get((p.repetition ?? 1) - 1).get((p.component ?? 1) - 1).get((p.subcomponent ?? 1) - 1).toString();
      },
      serialize: () => m.toString(),
    };
  },
};

export const medplum: Peer = {
  name: '@medplum/core 4.5 Hl7Message',
  takesBytes: false,
  parse(input) {
    const m = MedplumMessage.parse(asText(input));
    return {
      get(p) {
        const seg = m.getAllSegments(p.segment)[p.segmentIndex - 1];
        if (!seg) return '';
        if (p.segment === 'MSH' && p.field <= 2) return seg.getField(p.field).toString();
        return str(seg.getComponent(p.field, p.component ?? 1, (p.subcomponent ?? 1) - 1, (p.repetition ?? 1) - 1));
      },
      serialize: () => m.toString(),
    };
  },
};

export const simple: Peer = {
  name: 'simple-hl7 3.3',
  takesBytes: false,
  parse(input) {
    const m = new simpleHl7.Parser().parse(asText(input));
    return {
      get(p) {
        let seg;
        let fieldIndex = p.field - 1;
        if (p.segment === 'MSH') {
          if (p.segmentIndex !== 1 || p.field <= 2) return '';
          seg = m.header;
          fieldIndex = p.field - 3;
        } else seg = m.segments.filter((s) => s.name === p.segment)[p.segmentIndex - 1];
        const field = seg?.fields[fieldIndex];
        if (!field) return '';
        const r = p.repetition ?? 1;
        const first = field.value[0];
        const comps = Array.isArray(first) ? (r === 1 ? first : undefined) : (field.value[r - 1] as { value: unknown[] } | undefined)?.value[0];
        const comp = (comps as Array<{ value: Array<string | string[]> }> | undefined)?.[(p.component ?? 1) - 1];
        const leaf = comp?.value[0];
        return str(typeof leaf === 'string' ? ((p.subcomponent ?? 1) === 1 ? leaf : '') : leaf?.[(p.subcomponent ?? 1) - 1]);
      },
      serialize: () => m.toString(),
    };
  },
};

export const hl7Standard: Peer = {
  name: 'hl7-standard 1.0',
  takesBytes: false,
  parse(input) {
    const h = new HL7Standard(asText(input));
    h.transform();
    return {
      get(p) {
        const v = h.get(`${p.segment}.${p.field}.${p.component ?? 1}`, p.segmentIndex - 1, (p.repetition ?? 1) - 1, (p.subcomponent ?? 1) - 1);
        return str(v);
      },
      serialize: () => h.build(),
    };
  },
};

export const allParsers: Peer[] = [ours, nodeHl7Client, medplum, simple, hl7Standard];
