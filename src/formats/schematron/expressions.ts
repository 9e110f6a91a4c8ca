/**
 * Every XPath expression taken from a schema goes through {@link prepareExpression} before it is written into the
 * stylesheet: resource functions are guarded (`resource-functions.ts`), `.//name[@a = 'v']` tests use an index
 * (`indexed-descendants.ts`), then other `//name` steps use the descendant axis where that is equivalent
 * (`descendant-steps.ts`).
 */
import { useDescendantAxis } from './descendant-steps.js';
import { useKeysForDescendantTests } from './indexed-descendants.js';
import type { KeyRegistry } from './pattern-to-select.js';
import { guardResourceCalls } from './resource-functions.js';

/** Rewrites a schema expression for the generated stylesheet; `keys` collects the indexes it uses. */
export function prepareExpression(expr: string, keys: KeyRegistry): string {
  return useDescendantAxis(useKeysForDescendantTests(guardResourceCalls(expr), keys));
}
