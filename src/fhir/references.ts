/**
 * Replaces `reference` strings anywhere in a FHIR value: `replace` returns the new reference, or undefined to keep
 * it. Copy on write: branches without a replaced reference are returned as they are (large payloads such as Binary
 * data are never copied), and the value itself when nothing changes.
 */
export function mapReferences<T>(value: T, replace: (reference: string) => string | undefined): T {
  if (Array.isArray(value)) {
    const out = value.map((v) => mapReferences(v, replace));
    return (out.some((v, i) => v !== value[i]) ? out : value) as T;
  }
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  let changed: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(obj)) {
    const next = k === 'reference' && typeof v === 'string' ? (replace(v) ?? v) : mapReferences(v, replace);
    if (next !== v) (changed ??= { ...obj })[k] = next;
  }
  return (changed ?? value) as T;
}
