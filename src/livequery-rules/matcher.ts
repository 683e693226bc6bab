// Decides whether a Parse JSON object matches a `where` clause, with the exact semantics of Parse Server's LiveQuery matcher.
//
// The LiveQuery matcher is plain JavaScript over JSON, so its quirks are part of the protocol a client sees:
// property reads go up the prototype chain, comparisons coerce, `{field: null}` never matches, arrays compare
// by element only through `$eq`, dates are decoded on the object side only when stored as `{__type:'Date'}`,
// and some malformed inputs throw (Parse Server then skips the subscription for that event). Helpers below
// keep those JavaScript semantics on purpose instead of "fixing" them.

import { GeoPoint, Polygon } from './geo.js';

type Bag = Record<string, unknown>;

/** Reads a property with JavaScript semantics: primitives are boxed, null/undefined throw a TypeError. */
function get(value: unknown, key: string | number): unknown {
  return (value as Bag)[key];
}

/** JavaScript relational operators on arbitrary values (the casts only silence the type checker). */
const ge = (a: unknown, b: unknown): boolean => (a as number) >= (b as number);
const gt = (a: unknown, b: unknown): boolean => (a as number) > (b as number);
const lt = (a: unknown, b: unknown): boolean => (a as number) < (b as number);
const le = (a: unknown, b: unknown): boolean => (a as number) <= (b as number);

/** Keys a `for…in` loop visits: indices of strings and arrays, enumerable keys of objects, nothing otherwise. */
function forInKeys(value: unknown): string[] {
  if (typeof value === 'string') return Array.from(value, (_c, i) => String(i));
  if (typeof value !== 'object' || value === null) return [];
  const keys: string[] = [];
  for (const key in value) keys.push(key);
  return keys;
}

/** `haystack.indexOf(needle)` as JavaScript evaluates it for arrays and strings; anything else has no indexOf. */
function indexOf(haystack: unknown, needle: unknown): number {
  if (Array.isArray(haystack)) return haystack.indexOf(needle);
  if (typeof haystack === 'string') return haystack.indexOf(String(needle));
  throw new TypeError('indexOf is not a function');
}

/** A Parse SDK object decoded from a typed constraint (Pointer, Object, File, Relation, Polygon): equal to nothing. */
class DecodedParseObject {}

function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}

/** What the Parse SDK's `decode` turns a JSON constraint value into, reduced to what matching can observe. */
export function decodeConstraint(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(decodeConstraint);
  const bag = value as Bag;
  switch (bag.__type) {
    case 'Date':
      return new Date(bag.iso as string);
    case 'GeoPoint':
      return new GeoPoint(bag.latitude, bag.longitude);
    case 'Polygon':
      new Polygon(bag.coordinates);
      return new DecodedParseObject();
    case 'Pointer':
    case 'Object':
    case 'Relation':
    case 'File':
      return new DecodedParseObject();
    default: {
      const copy: Bag = {};
      for (const key of Object.keys(bag)) copy[key] = decodeConstraint(bag[key]);
      return copy;
    }
  }
}

/** Deep equality of primitives, Dates, arrays and plain objects (key counts must agree). */
export function equalObjects(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a !== 'object') return a === b;
  if (a === b) return true;
  if (isDate(a)) return isDate(b) && a.getTime() === b.getTime();
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => equalObjects(item, b[i]));
  }
  // Object.keys(null) throws, exactly like the reference implementation when one side is null.
  if (Object.keys(a as object).length !== Object.keys(b as object).length) return false;
  for (const key in a as object) {
    if (!equalObjects(get(a, key), get(b, key))) return false;
  }
  return true;
}

/** `$in`/`$nin`/`$containedBy` membership, with pointers compared by className + objectId (or a bare objectId string). */
function contains(haystack: unknown, needle: unknown): boolean {
  if (needle && get(needle, '__type') === 'Pointer') {
    for (const i of forInKeys(haystack)) {
      const ptr = get(haystack, i);
      if (typeof ptr === 'string' && ptr === get(needle, 'objectId')) return true;
      if (get(ptr, 'className') === get(needle, 'className') && get(ptr, 'objectId') === get(needle, 'objectId')) {
        return true;
      }
    }
    return false;
  }
  if (Array.isArray(needle)) {
    for (const need of needle) if (contains(haystack, need)) return true;
  }
  return indexOf(haystack, needle) > -1;
}

/** Applies `test` to the value, or to each element when the value is an array ("array contains" equality). */
function equalGeneric(value: unknown, compareTo: unknown, test: (value: unknown, compareTo: unknown) => boolean): boolean {
  if (Array.isArray(value)) return value.some((item) => test(item, compareTo));
  return test(value, compareTo);
}

/** Translates Perl-style `\Q…\E` quoting (not supported by JavaScript) into escaped text. */
function translateQuoting(pattern: string): string {
  let out = '';
  let end = -2;
  let start = pattern.indexOf('\\Q');
  while (start > -1) {
    out += pattern.substring(end + 2, start);
    end = pattern.indexOf('\\E', start);
    if (end === -1) {
      // Parse Server loops forever here; we quote to the end of the pattern instead.
      return out + pattern.substring(start + 2).replace(/\W/g, '\\$&');
    }
    out += pattern.substring(start + 2, end).replace(/\W/g, '\\$&');
    start = pattern.indexOf('\\Q', end);
  }
  return out + pattern.substring(Math.max(start, end + 2));
}

/** Runs a regular expression; an invalid pattern or flags simply does not match. The input is coerced to a string. */
function regexTest(pattern: unknown, flags: unknown, input: unknown): boolean {
  try {
    return new RegExp(pattern as string, flags as string).test(String(input));
  } catch {
    return false;
  }
}

/** True when `object` satisfies every constraint of `where`. May throw on malformed data, like the reference. */
export function matchesQuery(object: unknown, where: unknown): boolean {
  for (const field of forInKeys(where)) {
    if (!matchesKeyConstraints(object, field, get(where, field))) return false;
  }
  return true;
}

function matchesKeyConstraints(object: unknown, key: string, constraints: unknown): boolean {
  if (constraints === null) return false;
  const dot = key.indexOf('.');
  if (dot >= 0) {
    const sub = get(object, key.slice(0, dot)) || {};
    return matchesKeyConstraints(sub, key.slice(dot + 1), constraints);
  }
  if (key === '$or' || key === '$and' || key === '$nor') {
    if (!Array.isArray(constraints)) return false;
    if (key === '$or') return constraints.some((q) => matchesQuery(object, q));
    if (key === '$and') return constraints.every((q) => matchesQuery(object, q));
    return !constraints.some((q) => matchesQuery(object, q));
  }
  if (key === '$relatedTo') return false;

  const raw = get(object, key);
  if (raw && get(raw, '__type') === 'Date') (object as Bag)[key] = new Date(get(raw, 'iso') as string);
  const value = get(object, key);

  if (typeof constraints !== 'object') {
    if (Array.isArray(value)) return value.indexOf(constraints) > -1;
    return value === constraints;
  }
  if (get(constraints, '__type')) {
    if (get(constraints, '__type') === 'Pointer') {
      return equalGeneric(
        value,
        constraints,
        (item, ptr) =>
          typeof item !== 'undefined' &&
          get(ptr, 'className') === get(item, 'className') &&
          get(ptr, 'objectId') === get(item, 'objectId'),
      );
    }
    return equalGeneric(value, decodeConstraint(constraints), equalObjects);
  }

  for (const condition of forInKeys(constraints)) {
    let compareTo = get(constraints, condition);
    if (compareTo !== null && compareTo !== undefined && get(compareTo, '__type')) compareTo = decodeConstraint(compareTo);
    switch (condition) {
      case '$lt':
        if (ge(value, compareTo)) return false;
        break;
      case '$lte':
        if (gt(value, compareTo)) return false;
        break;
      case '$gt':
        if (le(value, compareTo)) return false;
        break;
      case '$gte':
        if (lt(value, compareTo)) return false;
        break;
      case '$eq':
        if (!equalObjects(value, compareTo)) return false;
        break;
      case '$ne':
        if (equalObjects(value, compareTo)) return false;
        break;
      case '$in':
        if (!contains(compareTo, value)) return false;
        break;
      case '$nin':
        if (contains(compareTo, value)) return false;
        break;
      case '$all': {
        if (!value) return false;
        const length = get(compareTo, 'length') as number;
        for (let i = 0; i < length; i++) {
          if (indexOf(value, get(compareTo, i)) < 0) return false;
        }
        break;
      }
      case '$exists': {
        const wanted = get(constraints, '$exists');
        if (typeof wanted !== 'boolean') break; // non-boolean $exists is ignored
        if ((typeof value !== 'undefined') !== wanted) return false;
        break;
      }
      case '$regex': {
        if (typeof compareTo === 'object') {
          if (!regexTest(get(compareTo, 'source'), get(compareTo, 'flags'), value)) return false;
          break;
        }
        if (typeof compareTo !== 'string') throw new TypeError('$regex must be a string');
        if (!regexTest(translateQuoting(compareTo), get(constraints, '$options') || '', value)) return false;
        break;
      }
      case '$nearSphere': {
        if (!compareTo || !value) return false;
        if (!(compareTo instanceof GeoPoint)) throw new TypeError('radiansTo is not a function');
        const max = (get(constraints, '$maxDistance') as number) || Infinity;
        return compareTo.radiansTo(value) <= max;
      }
      case '$within': {
        if (!compareTo || !value) return false;
        const box = get(compareTo, '$box');
        const sw = get(box, 0);
        const ne = get(box, 1);
        const [swLat, swLng, neLat, neLng] = [get(sw, 'latitude'), get(sw, 'longitude'), get(ne, 'latitude'), get(ne, 'longitude')];
        if (gt(swLat, neLat) || gt(swLng, neLng)) return false; // box crosses the date line
        const lat = get(value, 'latitude');
        const lng = get(value, 'longitude');
        return gt(lat, swLat) && lt(lat, neLat) && gt(lng, swLng) && lt(lng, neLng);
      }
      case '$containedBy': {
        if (value === null || value === undefined || typeof (value as Iterable<unknown>)[Symbol.iterator] !== 'function') {
          throw new TypeError('value is not iterable');
        }
        for (const item of value as Iterable<unknown>) if (!contains(compareTo, item)) return false;
        return true;
      }
      case '$geoWithin': {
        const polygon = get(compareTo, '$polygon');
        if (polygon) {
          if (!Array.isArray(polygon)) throw new TypeError('$polygon.map is not a function');
          const points = polygon.map((p: unknown) => [get(p, 'latitude'), get(p, 'longitude')]);
          return new Polygon(points).containsPoint(value);
        }
        const sphere = get(compareTo, '$centerSphere');
        if (sphere) {
          if (typeof (sphere as Iterable<unknown>)[Symbol.iterator] !== 'function') throw new TypeError('not iterable');
          const [center, maxDistance] = sphere as unknown[];
          const centerPoint = new GeoPoint(get(center, 1), get(center, 0));
          return GeoPoint.from(value).radiansTo(centerPoint) <= (maxDistance as number);
        }
        break;
      }
      case '$geoIntersects': {
        const polygon = new Polygon(get(value, 'coordinates'));
        return polygon.containsPoint(GeoPoint.from(get(compareTo, '$point')));
      }
      case '$options':
      case '$maxDistance':
        break; // modifiers of $regex / $nearSphere, not constraints
      default:
        return false; // $select, $dontSelect, $inQuery and any unknown operator never match
    }
  }
  return true;
}
