// Short plain-text renderings of values for step details (bounded: details stay readable with huge objects).

const MAX_VALUE_CHARS = 80;

/** A value as compact JSON, cut at 80 characters; `missing` for undefined. */
export function show(value: unknown): string {
  if (value === undefined) return 'missing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

const MAX_LIST_ITEMS = 10;

/** The first items of a long list, the rest counted. */
function bounded(items: readonly string[]): string[] {
  if (items.length <= MAX_LIST_ITEMS) return [...items];
  return [...items.slice(0, MAX_LIST_ITEMS), `${items.length - MAX_LIST_ITEMS} more`];
}

/** `[a, b]` for a list of names, `[]` when empty. */
export function list(names: readonly string[]): string {
  return `[${bounded(names).join(', ')}]`;
}

/** "a", "a and b", "a, b and c". */
export function sentenceList(items: readonly string[]): string {
  const shown = bounded(items);
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}
