/**
 * `buildAck`: the acknowledgment of a message, in its version, character set and delimiters.
 */
import { randomUUID } from 'node:crypto';
import type { Issue } from '../../engine/issues.js';
import { DEFAULT_DELIMITERS, encodingCharacters, type Delimiters } from './delimiters.js';
import { escapeValue, unescapeValue } from './escape.js';
import type { Hl7Message } from './message.js';
import { parseHl7 } from './parse.js';
import { parsePath } from './path.js';

/** MSA-1, table 0008: application (A*) or commit (C*, enhanced mode) accept / error / reject. */
export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

/** An HL7 error code of table 0357 for ERR-3. */
export interface Hl7ErrorCode {
  code: string;
  text: string;
}

export interface AckOptions {
  code: AckCode;
  /** One ERR segment per issue: ERR-2 location (when the issue path is an HL7 path), ERR-3, ERR-4, ERR-8. */
  issues?: readonly Issue[];
  /** MSH-3 of the ACK (decoded text); default: the original's MSH-5 (receiver and sender swap). */
  sendingApp?: string;
  /** MSH-4 of the ACK (decoded text); default: the original's MSH-6. */
  sendingFacility?: string;
  /** MSH-10 of the ACK; default: 20 random hex digits. */
  controlId?: string;
  /** MSH-7 of the ACK; default: now. */
  now?: Date;
  /** MSA-3 text message (withdrawn in v2.7 but still read by many receivers). */
  textMessage?: string;
  /** ERR-3 for an issue; default `207` (application internal error). The issue code goes in ERR-3.4 (coding system L). */
  errorCode?: (issue: Issue) => Hl7ErrorCode;
}

const SEVERITY = { error: 'E', warning: 'W', info: 'I' } as const;

/** `YYYYMMDDHHMMSS+ZZZZ` in local time. */
export function hl7Timestamp(d: Date): string {
  const p = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
  const off = -d.getTimezoneOffset();
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}${off >= 0 ? '+' : '-'}${p(Math.trunc(off / 60))}${p(off % 60)}`;
}

/** Re-encodes raw field text from one set of delimiters to another (identity when they are the same). */
function transcode(raw: string, from: Delimiters, to: Delimiters, encoding: string): string {
  if (encodingCharacters(from) === encodingCharacters(to) && from.field === to.field) return raw;
  const split = (s: string, sep: string) => (sep === '' ? [s] : s.split(sep));
  return split(raw, from.repetition)
    .map((rep) =>
      split(rep, from.component)
        .map((comp) =>
          split(comp, from.subcomponent)
            .map((leaf) => escapeValue(unescapeValue(leaf, from, encoding), to))
            .join(to.subcomponent),
        )
        .join(to.component),
    )
    .join(to.repetition);
}

/** Delimiters for the ACK: the original's, with `~` for a small tilde; defaults when MSH-2 was incomplete. */
function ackDelimiters(d: Delimiters): Delimiters {
  if (d.escape === '' || d.subcomponent === '') return DEFAULT_DELIMITERS;
  if (d.repetition === '\u02dc' || d.repetition === '\u0098') {
    const others = [d.field, d.component, d.escape, d.subcomponent, d.truncation];
    return others.includes('~') ? DEFAULT_DELIMITERS : { ...d, repetition: '~' };
  }
  return d;
}

/** ERR-2 (ERL) from an issue path such as `PID-3[2].1`; empty when the path is not an HL7 path. */
function errorLocation(path: string | undefined, d: Delimiters): string {
  if (!path) return '';
  const p = parsePath(path).path;
  if (!p) return '';
  const parts = [p.segment, String(p.segmentIndex), String(p.field), p.repetition ?? (p.component ? 1 : ''), p.component ?? '', p.subcomponent ?? ''];
  return parts.map(String).join(d.component).replace(new RegExp(`\\${d.component}+$`), '');
}

/**
 * Builds the ACK of `original`: MSH with sender and receiver swapped, the original's MSH-11, MSH-12 (version)
 * and MSH-18 (character set) and delimiters; MSA-1 = `code`, MSA-2 = original MSH-10; one ERR per issue
 * (v2.5 layout: ERR-2 location, ERR-3 HL7 error code, ERR-4 severity E/W/I, ERR-8 user message).
 * Serialise it with `serializeHl7`, which encodes it in that character set.
 */
export function buildAck(original: Hl7Message, opts: AckOptions): Hl7Message {
  const from = original.delimiters;
  const d = ackDelimiters(from);
  const enc = original.encoding;
  const raw = (path: string) => transcode(original.getRaw(path), from, d, enc);
  const esc = (s: string) => escapeValue(s, d);
  const version = original.get('MSH-12.1');
  const event = original.get('MSH-9.2');
  const legacy = /^2\.(1|2|3)$/.test(version) || version === '2.3.0';
  const type = ['ACK', esc(event), ...(legacy ? [] : ['ACK'])].join(d.component).replace(new RegExp(`\\${d.component}+$`), '');
  const msh = [
    'MSH',
    encodingCharacters(d),
    opts.sendingApp !== undefined ? esc(opts.sendingApp) : raw('MSH-5'),
    opts.sendingFacility !== undefined ? esc(opts.sendingFacility) : raw('MSH-6'),
    raw('MSH-3'),
    raw('MSH-4'),
    hl7Timestamp(opts.now ?? new Date()),
    '',
    type,
    esc(opts.controlId ?? randomUUID().replace(/-/g, '').slice(0, 20)),
    raw('MSH-11'),
    raw('MSH-12'),
  ];
  const charset = raw('MSH-18');
  if (charset !== '') msh.push('', '', '', '', '', charset);
  const msa = ['MSA', opts.code, raw('MSH-10')];
  if (opts.textMessage) msa.push(esc(opts.textMessage));
  const lines = [msh.join(d.field), msa.join(d.field)];
  for (const issue of opts.issues ?? []) {
    const code = opts.errorCode?.(issue) ?? { code: '207', text: 'Application internal error' };
    const err3 = [esc(code.code), esc(code.text), 'HL70357', esc(issue.code), '', 'L'].join(d.component);
    lines.push(['ERR', '', errorLocation(issue.path, d), err3, SEVERITY[issue.severity], '', '', '', esc(issue.message)].join(d.field));
  }
  const { message, issues } = parseHl7(lines.join('\r') + '\r', { charset: original.encoding });
  if (!message) throw new Error(`internal error: ACK does not parse (${issues.map((i) => i.message).join('; ')})`);
  return message;
}
