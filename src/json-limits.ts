// Limits on JSON that comes from a page or a server: how deep it nests. Everything that walks such a value
// recursively (redaction, equality, structured clone, extension messaging) would throw or hang on a hostile one.

/** Deeper JSON than this is kept as text and shown as "too deep to display". Parse objects nest a few levels. */
export const MAX_JSON_DEPTH = 100;

/** Whether `value` nests objects/arrays deeper than `maxDepth` levels; iterative, stops at the first too-deep branch. */
export function exceedsDepth(value: unknown, maxDepth = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [item, depth] = stack.pop()!;
    if (depth > maxDepth) return true;
    const children = Array.isArray(item) ? item : Object.values(item as Record<string, unknown>);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}
