export { fieldsFromRecords, fieldsFromSchema } from './known-fields.js';
export { lintSubscription, worstSeverity } from './lint.js';
export type { FieldType, KnownFields, LintFinding, LintId, LintInput, LintSeverity } from './types.js';
