// The `watch` filter: did any watched field change between the original and the saved object, as Parse Server sees it?
//
// Parse Server compares the decoded Parse SDK attribute values with a deep strict equality. Decoding turns
// pointers, nested objects and relations into fresh SDK objects that never compare equal, so a watched field
// holding (or containing) a pointer counts as changed on every save; dates compare by time. `objectId` is not an
// attribute of an SDK object, and inherited names (`constructor`…) are not attributes either: watching them never fires.
// Pure (no `node:` imports): it runs in the panel too; `sameValue` stands in for Node's `util.isDeepStrictEqual`.

type Bag = Record<string, unknown>;

let instances = 0;

/** A decoded SDK object: each instance is distinct under deep equality. */
class Distinct {
  readonly instance = ++instances;
}

function decode(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(decode);
  const bag = value as Bag;
  switch (bag.__type) {
    case 'Pointer':
    case 'Object':
    case 'Relation':
      return new Distinct();
    case 'Date':
      return new Date(bag.iso as string);
    default: {
      const out: Bag = {};
      for (const [key, item] of Object.entries(bag)) out[key] = decode(item);
      return out;
    }
  }
}

/** Node's `isDeepStrictEqual` restricted to what `decode` produces: primitives, arrays, plain objects, Dates, Distinct. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  if (a instanceof Distinct || b instanceof Distinct) return a === b;
  if (a instanceof Date || b instanceof Date) {
    // Like Node, two distinct invalid dates differ (NaN !== NaN).
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && sameValue((a as Bag)[key], (b as Bag)[key]));
}

function attribute(object: Bag | null, field: string): unknown {
  if (!object || field === 'objectId' || !Object.prototype.hasOwnProperty.call(object, field)) return undefined;
  const value = object[field];
  return field === 'createdAt' || field === 'updatedAt' ? new Date(value as string) : decode(value);
}

export function watchedFieldChanged(watch: readonly string[], current: Bag, original: Bag | null): boolean {
  return watch.some((field) => !sameValue(attribute(current, field), attribute(original, field)));
}
