// Shared pieces of lint messages: values shown as short JSON, field-name rules, and the finding builder.

import type { KnownFields, LintFinding, LintId, LintSeverity } from './types.js';

const MAX_VALUE_CHARS = 80;

/** A value as compact JSON, cut at 80 characters. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

/** Parse Server's rule for a field name: a letter, then letters, digits or _. */
export const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
export const FIELD_NAME_RULE = 'a field name starts with a letter and has only letters, digits and _';

/** Fields every class has, whatever its schema says. */
export const DEFAULT_FIELDS: ReadonlySet<string> = new Set(['objectId', 'createdAt', 'updatedAt', 'ACL']);

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function finding(id: LintId, severity: LintSeverity, message: string, fix: string, path?: string): LintFinding {
  return path === undefined ? { id, severity, message, fix } : { id, severity, message, fix, path };
}

/** Where the field knowledge came from, for messages ("the schema of Message", "42 recorded Message objects"). */
export function knownFrom(known: KnownFields, className: string): string {
  if (known.source === 'schema') return `the schema of ${className}`;
  if (known.source === 'records') return `${known.objects} recorded ${className} object${known.objects === 1 ? '' : 's'}`;
  return `the server (no class ${className})`;
}

/** Whether a top-level field is known to exist; undefined when nothing is known. */
export function fieldExists(known: KnownFields | undefined, field: string): boolean | undefined {
  if (!known || known.source === 'no-class') return undefined;
  if (DEFAULT_FIELDS.has(field)) return true;
  return Object.prototype.hasOwnProperty.call(known.types, field);
}

export function fieldType(known: KnownFields | undefined, field: string): string | undefined {
  if (!known || known.source === 'no-class') return undefined;
  if (field === 'createdAt' || field === 'updatedAt') return 'Date';
  return Object.prototype.hasOwnProperty.call(known.types, field) ? known.types[field] : undefined;
}
