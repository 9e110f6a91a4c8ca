/**
 * Typed readers for the MSH fields every consumer needs.
 */
import type { Hl7Message } from './message.js';

export interface MessageType {
  /** MSH-9.1, e.g. `ADT`. */
  code: string;
  /** MSH-9.2, e.g. `A01`. */
  event: string;
  /** MSH-9.3 when present, else `code_event` (e.g. `ADT_A01`; no table 0354 lookup). */
  structure: string;
}

/** MSH-9 as `{code, event, structure}`. */
export function messageType(msg: Hl7Message): MessageType {
  const code = msg.get('MSH-9.1');
  const event = msg.get('MSH-9.2');
  const structure = msg.get('MSH-9.3') || (code && event ? `${code}_${event}` : code);
  return { code, event, structure };
}

/** Acknowledgment conditions, HL7 table 0155. */
export type AckCondition = 'AL' | 'NE' | 'ER' | 'SU';

const asCondition = (v: string): AckCondition | undefined => (v === 'AL' || v === 'NE' || v === 'ER' || v === 'SU' ? v : undefined);

/** MSH-15 accept acknowledgment type; undefined when empty or not in table 0155. */
export function acceptAckType(msg: Hl7Message): AckCondition | undefined {
  return asCondition(msg.get('MSH-15'));
}

/** MSH-16 application acknowledgment type; undefined when empty or not in table 0155. */
export function applicationAckType(msg: Hl7Message): AckCondition | undefined {
  return asCondition(msg.get('MSH-16'));
}

/** True when MSH-15 or MSH-16 is valued: the sender asks for enhanced acknowledgment (commit + application ACK). */
export function isEnhancedAckMode(msg: Hl7Message): boolean {
  return msg.get('MSH-15') !== '' || msg.get('MSH-16') !== '';
}

/** MSH-12.1, e.g. `2.5`. */
export const versionOf = (msg: Hl7Message): string => msg.get('MSH-12.1');

/** MSH-10, the message control ID. */
export const controlIdOf = (msg: Hl7Message): string => msg.get('MSH-10');
