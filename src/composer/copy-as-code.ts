// Writes a subscription as Parse JS SDK code that builds the same query and subscribes to it.

import { exceedsDepth, stringifyJSON } from '../json-limits.js';
import type { QueryJSON } from '../livequery/protocol.js';
import { isPlainObject } from '../livequery/protocol.js';
import { isGroup, whereToTree, type Condition, type Group, type WhereNode } from './where-builder.js';
import { isGeoPoint } from './where-check.js';

export interface SdkCodeOptions {
  /** Pass a `sessionToken` variable to subscribe() (the token itself is never written). */
  sessionToken?: boolean;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
// Quotes, backslashes, control and line-separator characters, and lone surrogates.
const ESCAPED = /[\\'\u0000-\u001f\u007f\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A single-quoted JavaScript string literal. */
export function jsString(text: string): string {
  return `'${text.replace(ESCAPED, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}

function hasExactKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((k) => own.includes(k));
}

const isCanonicalDate = (value: Record<string, unknown>): value is { __type: 'Date'; iso: string } =>
  value.__type === 'Date' &&
  hasExactKeys(value, ['__type', 'iso']) &&
  typeof value.iso === 'string' &&
  // The SDK encodes a Date with toJSON(), so only an ISO text in exactly that form comes back unchanged.
  !Number.isNaN(Date.parse(value.iso)) &&
  new Date(value.iso).toJSON() === value.iso;

const isPointer = (value: Record<string, unknown>): value is { className: string; objectId: string } =>
  value.__type === 'Pointer' &&
  hasExactKeys(value, ['__type', 'className', 'objectId']) &&
  typeof value.className === 'string' &&
  value.className !== '' &&
  typeof value.objectId === 'string' &&
  value.objectId !== '';

const isPlainGeoPoint = (value: unknown): value is { latitude: number; longitude: number } =>
  isGeoPoint(value) && hasExactKeys(value, ['__type', 'latitude', 'longitude']);

const geoPoint = (point: { latitude: number; longitude: number }): string =>
  `new Parse.GeoPoint(${number(point.latitude)}, ${number(point.longitude)})`;

const number = (n: number): string => (Object.is(n, -0) ? '-0' : String(n));

/**
 * A JavaScript literal for a JSON value. With `sdk`, Parse types become SDK objects (dates, pointers, GeoPoints)
 * that the SDK encodes back to the same JSON; without, the JSON is written as is (for withJSON, which does not encode).
 */
export function literal(value: unknown, sdk: boolean): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return number(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return jsString(value);
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, sdk)).join(', ')}]`;
  if (!isPlainObject(value)) return 'undefined';
  if (sdk && isCanonicalDate(value)) return `new Date(${jsString(value.iso)})`;
  if (sdk && isPointer(value)) {
    const id = jsString(value.objectId);
    return value.className === '_User'
      ? `Parse.User.createWithoutData(${id})`
      : `Parse.Object.extend(${jsString(value.className)}).createWithoutData(${id})`;
  }
  if (sdk && isPlainGeoPoint(value)) return geoPoint(value);
  const entries = Object.entries(value).map(([k, v]) => {
    // A literal `__proto__:` would set the prototype; a computed key does not.
    const key = k === '__proto__' ? `['__proto__']` : IDENTIFIER.test(k) ? k : jsString(k);
    return `${key}: ${literal(v, sdk)}`;
  });
  return entries.length ? `{ ${entries.join(', ')} }` : '{}';
}

const SIMPLE_METHODS: Readonly<Partial<Record<Condition['operator'], string>>> = {
  equals: 'equalTo',
  $ne: 'notEqualTo',
  $lt: 'lessThan',
  $lte: 'lessThanOrEqualTo',
  $gt: 'greaterThan',
  $gte: 'greaterThanOrEqualTo',
  $in: 'containedIn',
  $nin: 'notContainedIn',
  $all: 'containsAll',
  $containedBy: 'containedBy',
};

/** The SDK calls (without the receiver) that add one condition. */
function conditionCalls(c: Condition): string[] {
  const key = jsString(c.field);
  const v = c.value;
  const add = (operator: string, operand: unknown): string => `_addCondition(${key}, ${jsString(operator)}, ${literal(operand, true)})`;
  const simple = SIMPLE_METHODS[c.operator];
  if (simple) return [`${simple}(${key}, ${literal(v, true)})`];
  switch (c.operator) {
    case '$exists':
      if (v === true) return [`exists(${key})`];
      if (v === false) return [`doesNotExist(${key})`];
      return [add('$exists', v)];
    case '$regex':
      if (typeof v !== 'string') return [add('$regex', v), ...(c.options !== undefined ? [add('$options', c.options)] : [])];
      // matches() only writes $options when the modifiers are not empty.
      if (c.options === undefined) return [`matches(${key}, ${jsString(v)})`];
      if (c.options === '') return [`matches(${key}, ${jsString(v)})`, add('$options', '')];
      return [`matches(${key}, ${jsString(v)}, ${jsString(c.options)})`];
    case '$nearSphere':
      if (isPlainGeoPoint(v)) {
        if (c.maxDistance === undefined) return [`near(${key}, ${geoPoint(v)})`];
        return [`withinRadians(${key}, ${geoPoint(v)}, ${number(c.maxDistance)})`];
      }
      return [add('$nearSphere', v), ...(c.maxDistance !== undefined ? [add('$maxDistance', c.maxDistance)] : [])];
    case '$within': {
      const box = isPlainObject(v) && hasExactKeys(v, ['$box']) ? v.$box : undefined;
      if (Array.isArray(box) && box.length === 2 && box.every(isPlainGeoPoint)) {
        return [`withinGeoBox(${key}, ${geoPoint(box[0]!)}, ${geoPoint(box[1]!)})`];
      }
      return [add('$within', v)];
    }
    case '$geoWithin': {
      if (isPlainObject(v) && hasExactKeys(v, ['$polygon']) && Array.isArray(v.$polygon)) {
        return [`withinPolygon(${key}, ${literal(v.$polygon, true)})`];
      }
      const sphere = isPlainObject(v) && hasExactKeys(v, ['$centerSphere']) ? v.$centerSphere : undefined;
      if (Array.isArray(sphere) && sphere.length === 2) {
        const [center, radius] = sphere as unknown[];
        const point = Array.isArray(center) && center.length === 2 ? { __type: 'GeoPoint', latitude: center[1], longitude: center[0] } : undefined;
        if (isPlainGeoPoint(point) && typeof radius === 'number') {
          return [`withinRadians(${key}, ${geoPoint(point)}, ${number(radius)}, false)`];
        }
      }
      return [add('$geoWithin', v)];
    }
    case '$geoIntersects':
      if (isPlainObject(v) && hasExactKeys(v, ['$point'])) return [`polygonContains(${key}, ${literal(v.$point, true)})`];
      return [add('$geoIntersects', v)];
    default:
      return [add(c.operator, v)];
  }
}

function hasEmptyGroup(node: WhereNode): boolean {
  return isGroup(node) && ((!node.implicit && node.children.length === 0) || node.children.some(hasEmptyGroup));
}

class Writer {
  readonly lines: string[] = [];
  private next = 1;

  constructor(private readonly className: string) {}

  /** Emits a query holding all nodes (an implicit AND) and returns its variable name. */
  query(nodes: readonly WhereNode[], name?: string): string {
    const flat = nodes.flatMap((n) => (isGroup(n) && n.implicit ? n.children : [n]));
    if (flat.some((n) => isGroup(n) && n.implicit)) return this.query(flat, name);
    const groups = flat.filter(isGroup);
    const conditions = flat.filter((n): n is Condition => !isGroup(n));
    let variable: string;
    const [first, ...others] = groups;
    if (first) {
      const parts = first.children.map((child) => this.element(child));
      variable = name ?? this.allocate();
      this.lines.push(`const ${variable} = Parse.Query.${first.type}(${parts.join(', ')});`);
    } else {
      variable = name ?? this.allocate();
      this.lines.push(`const ${variable} = new Parse.Query(${jsString(this.className)});`);
    }
    for (const group of others) {
      // The SDK has no public method to add a second group to a query; these are what Parse.Query.or/and/nor use.
      const parts = group.children.map((child) => this.element(child));
      this.lines.push(`${variable}._${group.type}Query([${parts.join(', ')}]);`);
    }
    for (const condition of conditions) {
      for (const call of conditionCalls(condition)) this.lines.push(`${variable}.${call};`);
    }
    return variable;
  }

  private element(node: WhereNode): string {
    return this.query([node]);
  }

  private allocate(): string {
    return `query${this.next++}`;
  }
}

/** The subscription as Parse JS SDK code, ending with `const subscription = await query.subscribe(…);`. */
export function toParseSdkCode(query: QueryJSON, options: SdkCodeOptions = {}): string {
  const writer = new Writer(query.className);
  const result = whereToTree(query.where);
  const tree: Group | undefined = result.ok && !result.tree.children.some(hasEmptyGroup) ? result.tree : undefined;
  if (tree) {
    writer.query(tree.children, 'query');
  } else {
    writer.lines.push(`const query = new Parse.Query(${jsString(query.className)});`);
    // literal() recurses: a where too deep for it is written as JSON text.
    const where = exceedsDepth(query.where) ? `JSON.parse(${jsString(stringifyJSON(query.where) ?? '{}')})` : literal(query.where, false);
    writer.lines.push(`query.withJSON({ where: ${where} });`);
  }
  if (query.keys?.length) writer.lines.push(`query.select(${query.keys.map(jsString).join(', ')});`);
  if (query.watch?.length) writer.lines.push(`query.watch(${query.watch.map(jsString).join(', ')});`);
  writer.lines.push(`const subscription = await query.subscribe(${options.sessionToken ? 'sessionToken' : ''});`);
  return writer.lines.join('\n');
}
