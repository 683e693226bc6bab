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

/** Deep equality of JSON values; key order does not matter (pointers, dates and ACLs are plain JSON objects). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return typeof a === 'number' && typeof b === 'number' && a === b;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => deepEqual(item, b[i]));
  }
  const left = a as Fields;
  const right = b as Fields;
  const keys = Object.keys(left).filter((k) => left[k] !== undefined);
  if (keys.length !== Object.keys(right).filter((k) => right[k] !== undefined).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(right, k) && deepEqual(left[k], right[k]));
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
