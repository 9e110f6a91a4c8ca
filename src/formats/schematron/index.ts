/** Public API of the Schematron validator (see docs/validation.md). */
export { compileSchematron, SCH_SCHEMA_CODE } from './schematron-validator.js';
export type { CompileSchematronOptions, RunOptions, SchematronValidator } from './schematron-validator.js';
export { parseSchematronSource } from './schematron-source.js';
export type { ParsedSource, SchematronSource } from './schematron-source.js';
export { SCH_ASSERT, SCH_ERROR, SCH_REPORT, severityOf } from './schematron-results.js';
export type { FiredRule, SchematronIssue, SchematronReport } from './schematron-results.js';
export { clearSefMemoryCache } from './sef-cache.js';
export type { SefSource } from './sef-cache.js';
