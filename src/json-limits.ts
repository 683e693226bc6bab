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

/** A JSON text for a scalar, or undefined for what JSON leaves out (undefined, functions, symbols). */
function scalarJSON(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return String(value);
    case 'object':
      return 'null';
    default:
      return undefined;
  }
}

function withToJSON(key: string, value: unknown): unknown {
  const toJSON = typeof value === 'object' && value !== null ? (value as { toJSON?: unknown }).toJSON : undefined;
  return typeof toJSON === 'function' ? (toJSON as (key: string) => unknown).call(value, key) : value;
}

interface OpenContainer {
  container: object;
  /** An object's keys; null for an array. */
  keys: string[] | null;
  next: number;
  written: number;
}

/**
 * `JSON.stringify(value)` (no indentation) for a value of any depth: the same text, written without recursion, where
 * the native one throws "Maximum call stack size exceeded" past a few thousand levels. Throws on a cycle, as it does.
 */
export function stringifyJSON(value: unknown): string | undefined {
  const top = withToJSON('', value);
  if (typeof top !== 'object' || top === null) return scalarJSON(top);
  const parts: string[] = [];
  const open: OpenContainer[] = [];
  const ancestors = new Set<object>();
  const enter = (container: object) => {
    if (ancestors.has(container)) throw new TypeError('Converting circular structure to JSON');
    ancestors.add(container);
    const isArray = Array.isArray(container);
    parts.push(isArray ? '[' : '{');
    open.push({ container, keys: isArray ? null : Object.keys(container), next: 0, written: 0 });
  };
  enter(top);
  while (open.length) {
    const current = open[open.length - 1]!;
    const { container, keys } = current;
    const length = keys ? keys.length : (container as unknown[]).length;
    if (current.next >= length) {
      parts.push(keys ? '}' : ']');
      ancestors.delete(container);
      open.pop();
      continue;
    }
    const index = current.next++;
    const key = keys ? keys[index]! : String(index);
    const item = withToJSON(key, (container as Record<string, unknown>)[key]);
    const composite = typeof item === 'object' && item !== null;
    const text = composite ? undefined : scalarJSON(item);
    if (keys && !composite && text === undefined) continue;
    if (current.written++ > 0) parts.push(',');
    if (keys) parts.push(JSON.stringify(key), ':');
    if (composite) enter(item);
    else parts.push(text ?? 'null');
  }
  return parts.join('');
}
