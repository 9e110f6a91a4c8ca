/**
 * The delimiters of an HL7v2 message: MSH-1 (field separator) and MSH-2 (encoding characters, in the order
 * component, repetition, escape, subcomponent and, from v2.7, truncation).
 */
import { error, warning, type Issue } from '../../engine/issues.js';

export interface Delimiters {
  /** MSH-1, usually `|`. */
  readonly field: string;
  /** MSH-2 position 1, usually `^`. */
  readonly component: string;
  /** MSH-2 position 2, usually `~`. */
  readonly repetition: string;
  /** MSH-2 position 3, usually `\`; `''` when MSH-2 is shorter (no escape sequences then). */
  readonly escape: string;
  /** MSH-2 position 4, usually `&`; `''` when MSH-2 is shorter. */
  readonly subcomponent: string;
  /** MSH-2 position 5 (v2.7 truncation character, usually `#`); `''` when absent. */
  readonly truncation: string;
}

export const DEFAULT_DELIMITERS: Delimiters = Object.freeze({
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
  truncation: '',
});

/** U+02DC SMALL TILDE, and U+0098 (the windows-1252 byte of that character read as ISO-8859-1). */
const SMALL_TILDES = new Set(['\u02dc', '\u0098']);

/** A delimiter must be one displayable ASCII character (v2.5.1 §2.5.4); space and controls are refused. */
const isDisplayableAscii = (ch: string): boolean => {
  const c = ch.charCodeAt(0);
  return ch.length === 1 && c > 0x20 && c < 0x7f;
};

/** MSH-2 as written for these delimiters (what an outgoing message carries). */
export function encodingCharacters(d: Delimiters): string {
  return d.component + d.repetition + d.escape + d.subcomponent + d.truncation;
}

/**
 * Reads MSH-1 and MSH-2 into delimiters. Refuses (error `HL7_BAD_ENCODING_CHARS`) an empty MSH-2, more than 5
 * characters, a non-displayable or non-ASCII character, or a character used twice. Tolerates, with a warning
 * (`HL7_MSH2_SMALL_TILDE`), U+02DC written instead of `~` as repetition separator.
 * @param field the MSH-1 character
 * @param msh2 the raw MSH-2 text
 * @param body the rest of the message, used only to decide which tilde the sender actually repeats with
 */
export function readEncodingCharacters(field: string, msh2: string, body = ''): { delimiters?: Delimiters; issues: Issue[] } {
  const issues: Issue[] = [];
  if (!isDisplayableAscii(field) || /[A-Za-z0-9]/.test(field)) {
    return { issues: [error('HL7_BAD_ENCODING_CHARS', `field separator ${JSON.stringify(field)} is not a displayable ASCII punctuation character`, 'MSH-1')] };
  }
  if (msh2.length === 0) {
    return { issues: [error('HL7_BAD_ENCODING_CHARS', 'MSH-2 (encoding characters) is empty', 'MSH-2')] };
  }
  if (msh2.length > 5) {
    return { issues: [error('HL7_BAD_ENCODING_CHARS', `MSH-2 has ${msh2.length} characters; at most 5 are defined (component, repetition, escape, subcomponent, truncation)`, 'MSH-2')] };
  }
  const chars = [...msh2];
  let repetition = chars[1] ?? '';
  if (SMALL_TILDES.has(repetition)) {
    // The sender's tool turned `~` into a small tilde. Repeat with whichever tilde the body uses.
    const bodyUsesSmall = body.includes(repetition);
    const bodyUsesAscii = body.includes('~');
    if (!bodyUsesSmall && bodyUsesAscii) repetition = '~';
    issues.push(
      warning(
        'HL7_MSH2_SMALL_TILDE',
        `MSH-2 holds U+${chars[1]!.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} (small tilde) instead of "~"; ` +
          `repetitions are read on ${repetition === '~' ? '"~" as used in the body' : 'that character as used in the body'}`,
        'MSH-2',
      ),
    );
    chars[1] = repetition;
  }
  for (const [i, ch] of chars.entries()) {
    if (i === 1 && SMALL_TILDES.has(ch)) continue;
    if (!isDisplayableAscii(ch)) {
      issues.push(error('HL7_BAD_ENCODING_CHARS', `MSH-2 character ${i + 1} (${JSON.stringify(ch)}) is not a displayable ASCII character`, 'MSH-2'));
      return { issues };
    }
  }
  const all = [field, ...chars];
  if (new Set(all).size !== all.length) {
    issues.push(error('HL7_BAD_ENCODING_CHARS', `MSH-1/MSH-2 ${JSON.stringify(field + msh2)} use the same character twice`, 'MSH-2'));
    return { issues };
  }
  if (chars.length < 4) {
    issues.push(warning('HL7_SHORT_ENCODING_CHARS', `MSH-2 has only ${chars.length} of the 4 encoding characters; missing ones are not used`, 'MSH-2'));
  }
  return {
    delimiters: {
      field,
      component: chars[0] ?? '',
      repetition: chars[1] ?? '',
      escape: chars[2] ?? '',
      subcomponent: chars[3] ?? '',
      truncation: chars[4] ?? '',
    },
    issues,
  };
}

/**
 * Delimiters from MSH-1 followed by MSH-2, e.g. `|^~\&` or `|^~\&#`. Throws on an invalid string: meant for
 * code and tests that build messages, not for reading input (use {@link readEncodingCharacters}).
 */
export function delimitersFromString(s: string): Delimiters {
  const chars = [...s];
  if (chars.length < 2 || chars.length > 6 || new Set(chars).size !== chars.length || !chars.every(isDisplayableAscii)) {
    throw new Error(`invalid HL7 delimiters ${JSON.stringify(s)}`);
  }
  return {
    field: chars[0]!,
    component: chars[1]!,
    repetition: chars[2] ?? '',
    escape: chars[3] ?? '',
    subcomponent: chars[4] ?? '',
    truncation: chars[5] ?? '',
  };
}
