// Checks the field names of a query's `keys` and `watch` before they are sent: a name that can never match is refused
// with the reason, in the composer's message style (`"watch": …`).

/** Parse Server's rule for a field name: a letter, then letters, digits or _. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const RULE = 'a field name starts with a letter and has only letters, digits and _';

function names(text: string): string[] {
  return text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/**
 * The first reason a comma-separated list of field names is invalid, or null. `keys` may name a nested field
 * (`author.name`); `watch` may not: LiveQuery compares top-level fields only, so a nested one never fires.
 */
export function fieldListProblem(field: 'keys' | 'watch', text: string): string | null {
  for (const name of names(text)) {
    const parts = name.split('.');
    if (parts.length > 1 && field === 'watch' && parts.every((part) => FIELD_NAME.test(part))) {
      return `"watch": "${name}" is a nested field; LiveQuery watches top-level fields only`;
    }
    if (!parts.every((part) => FIELD_NAME.test(part))) return `"${field}": "${name}" is not a field name (${RULE})`;
  }
  return null;
}
