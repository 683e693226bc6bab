// Field-by-field difference between an event's `original` and its `object`, for the update detail view.

export type FieldChangeKind = 'added' | 'changed' | 'removed';

export interface FieldChange {
  field: string;
  change: FieldChangeKind;
  /** The original value (absent for `added`). */
  before?: unknown;
  /** The new value (absent for `removed`). */
  after?: unknown;
}

export interface DiffOptions {
  /** Top-level fields to leave out, e.g. `['updatedAt']`. */
  ignore?: Iterable<string>;
}

type Fields = Readonly<Record<string, unknown>>;

/**
 * Deep equality of JSON values; key order does not matter (pointers, dates and ACLs are plain JSON objects). Walks
 * with a stack of its own, so a value from a page or server may nest any number of levels deep.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  const pending: [unknown, unknown][] = [[a, b]];
  while (pending.length) {
    const [left, right] = pending.pop()!;
    if (Object.is(left, right)) continue;
    if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) {
      if (typeof left === 'number' && typeof right === 'number' && left === right) continue;
      return false;
    }
    if (Array.isArray(left) || Array.isArray(right)) {
      if (!Array.isArray(left) || !Array.isArray(right) || left.length !== right.length) return false;
      for (let i = left.length - 1; i >= 0; i--) pending.push([left[i], right[i]]);
      continue;
    }
    const l = left as Fields;
    const r = right as Fields;
    const keys = Object.keys(l).filter((k) => l[k] !== undefined);
    if (keys.length !== Object.keys(r).filter((k) => r[k] !== undefined).length) return false;
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i]!;
      if (!Object.prototype.hasOwnProperty.call(r, k)) return false;
      pending.push([l[k], r[k]]);
    }
  }
  return true;
}

const present = (fields: Fields | undefined, key: string): boolean =>
  fields !== undefined && Object.prototype.hasOwnProperty.call(fields, key) && fields[key] !== undefined;

/**
 * What changed from `original` to `object`, one entry per top-level field, sorted by field name.
 * A missing `original` (a `create`) makes every field `added`; a key whose value is undefined counts as absent.
 */
export function diffObjects(original: Fields | undefined, object: Fields | undefined, options: DiffOptions = {}): FieldChange[] {
  const ignored = new Set(options.ignore ?? []);
  const fields = new Set([...Object.keys(original ?? {}), ...Object.keys(object ?? {})]);
  const changes: FieldChange[] = [];
  for (const field of fields) {
    if (ignored.has(field)) continue;
    const inBefore = present(original, field);
    const inAfter = present(object, field);
    if (inBefore && inAfter) {
      if (!deepEqual(original![field], object![field])) {
        changes.push({ field, change: 'changed', before: original![field], after: object![field] });
      }
    } else if (inAfter) {
      changes.push({ field, change: 'added', after: object![field] });
    } else if (inBefore) {
      changes.push({ field, change: 'removed', before: original![field] });
    }
  }
  return changes.sort((x, y) => (x.field < y.field ? -1 : x.field > y.field ? 1 : 0));
}
