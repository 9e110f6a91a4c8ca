import { z } from 'zod';
import { defineParser } from '../../engine/define.js';
import { error, hasErrors, warning, type Issue } from '../../engine/issues.js';
import { DEFAULT_MAX_MESSAGE_BYTES, messageType, parseBatch, parseHl7, serializeHl7, versionOf, type Hl7Message, type ParseOptions } from '../../formats/hl7v2/index.js';

const options = z.object({
  maxBytes: z.number().int().min(1).default(DEFAULT_MAX_MESSAGE_BYTES).describe('largest message (bytes) accepted; larger ones are rejected (HL7_TOO_LARGE)'),
  defaultCharset: z
    .string()
    .min(1)
    .default('auto')
    .describe('character set when MSH-18 is empty: "auto" (UTF-8 if the bytes are valid UTF-8, else ISO-8859-1) or an MSH-18 label such as "8859/1"'),
  charset: z.string().min(1).optional().describe('read every message in this character set whatever MSH-18 says (for senders that label wrongly)'),
  normaliseLineEnds: z
    .boolean()
    .default(true)
    .describe('give mappings the message with every segment ended by CR and blank lines dropped (the raw snapshot keeps the bytes as received); LF ends are still reported as warnings'),
  messageTypes: z
    .array(z.string().regex(/^[A-Z0-9*]{1,3}(\^[A-Z0-9*]{1,3})?$/, 'CODE^EVENT, "*" as a wildcard, e.g. "ADT^A0*" or "ORU"'))
    .optional()
    .describe('accepted MSH-9 types ("ADT^A01", "ADT^*", "ORU"); others are rejected (HL7_MESSAGE_TYPE). Default: any'),
  versions: z.array(z.string().regex(/^2\.\d(\.\d)?$/)).optional().describe('accepted MSH-12 versions, e.g. ["2.5", "2.5.1"]; others are rejected (HL7_VERSION). Default: any'),
});
type Options = z.infer<typeof options>;

const parseOptionsOf = (o: Options): ParseOptions => ({ defaultCharset: o.defaultCharset, maxBytes: o.maxBytes, ...(o.charset ? { charset: o.charset } : {}) });

/** Codec warnings that a CR-only re-serialisation removes. */
const LINE_END_CODES = new Set(['HL7_SEGMENT_TERMINATOR', 'HL7_BLANK_LINES', 'HL7_LEADING_WHITESPACE', 'HL7_NO_FINAL_TERMINATOR']);

const CR = 13;
const LF = 10;

/** True when the bytes hold one message only (MSH first, no other MSH/FHS/BHS line): no batch parse needed. */
function isSingleMessage(raw: Buffer): boolean {
  let i = 0;
  if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) i = 3;
  while (i < raw.length && (raw[i] === CR || raw[i] === LF || raw[i] === 32 || raw[i] === 9)) i++;
  if (raw.toString('latin1', i, i + 3) !== 'MSH') return false;
  for (let p = raw.indexOf('MSH', i + 3, 'latin1'); p !== -1; p = raw.indexOf('MSH', p + 3, 'latin1')) if (raw[p - 1] === CR || raw[p - 1] === LF) return false;
  for (const head of ['BHS', 'FHS', 'BTS', 'FTS']) {
    for (let p = raw.indexOf(head, i, 'latin1'); p !== -1; p = raw.indexOf(head, p + 3, 'latin1')) if (raw[p - 1] === CR || raw[p - 1] === LF) return false;
  }
  return true;
}

const typePattern = (p: string): RegExp => {
  const [code, event = '*'] = p.split('^');
  const re = (s: string) => s.replace(/\*/g, '[A-Z0-9]*');
  return new RegExp(`^${re(code!)}\\^${re(event)}$`);
};

function checkHeader(msg: Hl7Message, o: Options): Issue[] {
  const issues: Issue[] = [];
  const t = messageType(msg);
  if (o.messageTypes && !o.messageTypes.some((p) => typePattern(p).test(`${t.code}^${t.event}`))) {
    issues.push(error('HL7_MESSAGE_TYPE', `message type ${t.code}^${t.event} is not accepted by this channel (accepted: ${o.messageTypes.join(', ')})`, 'MSH-9'));
  }
  const version = versionOf(msg);
  if (o.versions && !o.versions.includes(version)) {
    issues.push(error('HL7_VERSION', `version ${JSON.stringify(version)} is not accepted by this channel (accepted: ${o.versions.join(', ')})`, 'MSH-12'));
  }
  if (msg.get('MSH-10') === '') issues.push(warning('HL7_NO_CONTROL_ID', 'MSH-10 (message control ID) is empty: acknowledgments and duplicates cannot be matched', 'MSH-10'));
  return issues;
}

/**
 * HL7 v2 (ER7) messages, read by the lossless codec of `src/formats/hl7v2/`. A batch file (FHS/BHS … BTS/FTS, or
 * several MSH in one input) is split into one message per MSH, each kept as its own bytes; a single message is
 * not split. The parsed value is the `Hl7Message` (its stored snapshot is its `toJSON()` form).
 */
export const hl7v2Parser = defineParser({
  format: 'hl7v2',
  description: 'HL7 v2 messages (ER7), one per input or a batch file split into messages; MSH-18 character sets',
  options,
  split(raw, o) {
    if (isSingleMessage(raw)) return { parts: [{ content: raw, ref: 'message 1' }], issues: [] };
    const b = parseBatch(raw, parseOptionsOf(o));
    // structure problems and unreadable messages reject the whole file; each message's own warnings go with it
    const issues = b.issues.filter((i) => i.severity === 'error' || !i.path?.startsWith('message['));
    if (hasErrors(issues)) return { parts: [], issues };
    if (b.messages.length === 0) return { parts: [], issues: [...issues, error('HL7_EMPTY', 'the batch holds no message')] };
    const parts = b.messages.map((m, k) => ({ content: serializeHl7(m), ref: `message ${k + 1}` }));
    return { parts, issues };
  },
  parse(raw, o) {
    const r = parseHl7(raw, parseOptionsOf(o));
    if (!r.message || hasErrors(r.issues)) return { issues: r.issues };
    let message = r.message;
    if (o.normaliseLineEnds && r.issues.some((i) => LINE_END_CODES.has(i.code))) {
      const again = parseHl7(serializeHl7(message, { normalize: true }), { ...parseOptionsOf(o), charset: message.encoding });
      if (!again.message) return { issues: [...r.issues, ...again.issues] };
      message = again.message;
    }
    const issues = [...r.issues, ...checkHeader(message, o)];
    return hasErrors(issues) ? { issues } : { value: message, issues };
  },
});
