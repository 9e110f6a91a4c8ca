/**
 * Every XPath expression taken from a schema goes through {@link prepareExpression} before it is written into the
 * stylesheet: resource functions are guarded (`resource-functions.ts`), then `//name` steps use the descendant axis
 * where that is equivalent (`descendant-steps.ts`).
 */
import { useDescendantAxis } from './descendant-steps.js';
import { guardResourceCalls } from './resource-functions.js';

export function prepareExpression(expr: string): string {
  return useDescendantAxis(guardResourceCalls(expr));
}
