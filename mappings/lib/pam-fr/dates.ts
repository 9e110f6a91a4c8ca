/**
 * HL7 TS / DTM → FHIR date and dateTime. A time without an offset is French legal time (Europe/Paris, with its
 * summer time), as PAM FR senders write it; an explicit offset (`+0100`) is kept. Pure: the offset comes from the
 * time zone rules built into the runtime (Intl), not from the clock.
 */

const TS = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,4}))?)?)?)?)?)?([+-]\d{4})?$/;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

const parisParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Offset of Europe/Paris from UTC, in minutes, at the UTC instant `utcMs`. */
function parisOffsetMinutes(utcMs: number): number {
  const p = Object.fromEntries(parisParts.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return Math.round((asUtc - utcMs) / 60_000);
}

/** The offset that Paris wall-clock time `wallMs` (expressed as if UTC) had; the later one in the autumn overlap. */
function offsetOfParisWallTime(wallMs: number): number {
  const first = parisOffsetMinutes(wallMs - 60 * 60_000);
  const second = parisOffsetMinutes(wallMs - first * 60_000);
  return second;
}

const formatOffset = (minutes: number) => `${minutes < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;

interface Parsed {
  y: number;
  mo?: number;
  d?: number;
  h?: number;
  mi?: number;
  s?: number;
  frac?: string;
  offset?: string;
}

function parse(v: string): Parsed | undefined {
  const m = TS.exec(v.trim());
  if (!m) return undefined;
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const p: Parsed = { y: Number(m[1]), mo: num(m[2]), d: num(m[3]), h: num(m[4]), mi: num(m[5]), s: num(m[6]), frac: m[7], offset: m[8] };
  if (p.mo !== undefined && (p.mo < 1 || p.mo > 12)) return undefined;
  if (p.d !== undefined) {
    const date = new Date(Date.UTC(p.y, p.mo! - 1, p.d));
    if (date.getUTCMonth() !== p.mo! - 1 || date.getUTCDate() !== p.d) return undefined;
  }
  if ((p.h ?? 0) > 23 || (p.mi ?? 0) > 59 || (p.s ?? 0) > 59) return undefined;
  return p;
}

/** FHIR `date` (YYYY, YYYY-MM or YYYY-MM-DD) from an HL7 TS; a time part is dropped. Undefined when invalid. */
export function hl7Date(v: string): string | undefined {
  const p = parse(v);
  if (!p) return undefined;
  return [String(p.y).padStart(4, '0'), p.mo !== undefined ? pad(p.mo) : undefined, p.d !== undefined ? pad(p.d) : undefined].filter(Boolean).join('-');
}

/**
 * FHIR `dateTime` from an HL7 TS. Down to the day it stays a date; with an hour it gets minutes, seconds and an
 * offset (FHIR requires one), the message's own or Europe/Paris. Undefined when invalid.
 */
export function hl7DateTime(v: string): string | undefined {
  const p = parse(v);
  if (!p) return undefined;
  if (p.h === undefined) return hl7Date(v);
  const mi = p.mi ?? 0;
  const s = p.s ?? 0;
  const frac = p.frac ? `.${p.frac.padEnd(3, '0').slice(0, 3)}` : '';
  let offset: string;
  if (p.offset) offset = `${p.offset.slice(0, 3)}:${p.offset.slice(3)}`;
  else offset = formatOffset(offsetOfParisWallTime(Date.UTC(p.y, p.mo! - 1, p.d!, p.h, mi, s)));
  return `${p.y}-${pad(p.mo!)}-${pad(p.d!)}T${pad(p.h)}:${pad(mi)}:${pad(s)}${frac}${offset}`;
}
