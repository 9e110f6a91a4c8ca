/**
 * HL7 v2 / v3 timestamps (`YYYY[MM[DD[HH[MM[SS[.S…]]]]]][±ZZZZ]`) and ISO 8601 texts to FHIR `date` / `dateTime`.
 * A time without an offset is French local time (Europe/Paris, daylight saving included): FHIR requires an offset
 * as soon as there is a time.
 */

const TS = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d{1,4}))?)?)?)?)?)?([+-]\d{4})?$/;
const ISO = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

const parisOffsetFormat = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset' });

/** Offset of Europe/Paris at an instant, in minutes east of UTC. */
function parisOffsetAt(epochMs: number): number {
  const name = parisOffsetFormat.formatToParts(new Date(epochMs)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** Offset (`+01:00` / `+02:00`) of a wall-clock time in Europe/Paris. */
export function parisOffset(y: number, mo: number, d: number, h: number, mi: number): string {
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const first = parisOffsetAt(wall - parisOffsetAt(wall) * 60_000);
  const minutes = parisOffsetAt(wall - first * 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function valid(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): boolean {
  const t = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
}

function build(parts: (string | undefined)[], offset: string | undefined): string | undefined {
  const [y, mo, d, h, mi, s, frac] = parts;
  if (!y) return undefined;
  if (!mo) return y;
  if (!d) return Number(mo) >= 1 && Number(mo) <= 12 ? `${y}-${mo}` : undefined;
  if (!valid(Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0))) return undefined;
  if (!h) return `${y}-${mo}-${d}`;
  const time = `${h}:${mi ?? '00'}:${s ?? '00'}${frac ? `.${frac}` : ''}`;
  return `${y}-${mo}-${d}T${time}${offset ?? parisOffset(Number(y), Number(mo), Number(d), Number(h), Number(mi ?? 0))}`;
}

/** `20261120143005+0100` → `2026-11-20T14:30:05+01:00`; `20261120` → `2026-11-20`; undefined when malformed. */
export function fromHl7Timestamp(ts: string): string | undefined {
  const m = TS.exec(ts.trim());
  if (!m) return undefined;
  const z = m[8];
  return build(m.slice(1, 8), z ? `${z.slice(0, 3)}:${z.slice(3)}` : undefined);
}

/** An ISO 8601 date or dateTime (sidecars): checked, seconds added, Paris offset when none; undefined when malformed. */
export function fromIsoText(text: string): string | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const z = m[8];
  return build(m.slice(1, 8), z === 'Z' ? '+00:00' : z);
}

/** `YYYY-MM-DD` from a birth date in any of the forms above (time dropped). */
export function dateOnly(text: string | undefined): string | undefined {
  return text?.slice(0, 10);
}
