// A LiveQuery `where` as a tree of conditions and groups for the visual builder, with an exact round trip to JSON.

import { exceedsDepth, MAX_JSON_DEPTH } from '../json-limits.js';
import { isPlainObject } from '../livequery/protocol.js';

/** Every operator Parse Server's LiveQuery matcher (QueryTools.matchesKeyConstraints) evaluates. */
export const FIELD_OPERATORS = [
  '$eq',
  '$ne',
  '$lt',
  '$lte',
  '$gt',
  '$gte',
  '$in',
  '$nin',
  '$all',
  '$containedBy',
  '$exists',
  '$regex',
  '$nearSphere',
  '$within',
  '$geoWithin',
  '$geoIntersects',
] as const;
export type FieldOperator = (typeof FIELD_OPERATORS)[number];
/** `equals` is a plain `{field: value}` (also "array contains" for array fields). */
export type Operator = 'equals' | FieldOperator;
export const OPERATORS: readonly Operator[] = ['equals', ...FIELD_OPERATORS];
export const ARRAY_OPERATORS: ReadonlySet<Operator> = new Set<Operator>(['$in', '$nin', '$all', '$containedBy']);

export interface Condition {
  field: string;
  operator: Operator;
  value: unknown;
  /** `$options` beside a `$regex` (flags such as `i`); absent when the JSON has none. */
  options?: string;
  /** `$maxDistance` (radians) beside a `$nearSphere`; absent when the JSON has none. */
  maxDistance?: number;
}

export type GroupType = 'and' | 'or' | 'nor';

export interface Group {
  type: GroupType;
  children: WhereNode[];
  /**
   * An AND written as several keys of one object (`{"$or": [{"a": 1, "b": 2}]}`) rather than as `$and`.
   * Only meaningful inside a group's children; the root AND is always implicit.
   */
  implicit?: boolean;
}

export type WhereNode = Condition | Group;
export type TreeResult = { ok: true; tree: Group } | { ok: false; error: string };

export const isGroup = (node: WhereNode): node is Group => 'children' in node;

const GROUP_KEYS: Readonly<Record<string, GroupType>> = { $or: 'or', $and: 'and', $nor: 'nor' };
const MODIFIERS: Readonly<Record<string, FieldOperator>> = { $options: '$regex', $maxDistance: '$nearSphere' };
const NEVER_MATCHES = 'is not supported by LiveQuery (it never matches)';
const UNSUPPORTED: Readonly<Record<string, string>> = {
  $relatedTo: NEVER_MATCHES,
  $select: NEVER_MATCHES,
  $dontSelect: NEVER_MATCHES,
  $inQuery: NEVER_MATCHES,
  $notInQuery: NEVER_MATCHES,
  $text: NEVER_MATCHES,
  $maxDistanceInRadians: 'is not supported by LiveQuery (use $maxDistance, in radians)',
  $maxDistanceInMiles: 'is not supported by LiveQuery (use $maxDistance, in radians)',
  $maxDistanceInKilometers: 'is not supported by LiveQuery (use $maxDistance, in radians)',
};

const has = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);
const join = (prefix: string, key: string): string => (prefix ? `${prefix}.${key}` : key);
const at = (prefix: string, message: string): string => (prefix ? `${prefix}: ${message}` : message);
const isFieldOperator = (key: string): key is FieldOperator => (FIELD_OPERATORS as readonly string[]).includes(key);

/** Sets a key even when it is `__proto__`, so untrusted JSON cannot change an object's prototype. */
function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Why a `$` key at object level (not a group) cannot be used. */
function objectKeyProblem(key: string): string {
  return UNSUPPORTED[key] ? `${key} ${UNSUPPORTED[key]}` : `unknown operator ${key}`;
}

/** Why a key inside a field's condition object cannot be used, or undefined when it is an operator or modifier. */
function operatorKeyProblem(field: string, key: string): string | undefined {
  if (isFieldOperator(key) || has(MODIFIERS, key)) return undefined;
  if (UNSUPPORTED[key]) return `${key} ${UNSUPPORTED[key]}`;
  if (!key.startsWith('$')) return `unknown operator ${key} (to match a sub-field, use the dotted key ${field}.${key})`;
  return `unknown operator ${key}`;
}

/** Whether a field's value is a condition object (`{$gt: 1}`) rather than a value: the matcher's own rule. */
function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && !value.__type;
}

class Unrepresentable extends Error {}

/** Reading and checking a `where` recurse through its groups: one from a page may nest thousands of levels. */
const TOO_DEEP = `where nests deeper than ${MAX_JSON_DEPTH} levels`;

/** Reads a `where` into a tree; fails with the exact reason when the builder cannot represent it. */
export function whereToTree(where: unknown): TreeResult {
  if (!isPlainObject(where)) return { ok: false, error: 'where must be a JSON object' };
  if (exceedsDepth(where)) return { ok: false, error: TOO_DEEP };
  try {
    return { ok: true, tree: { type: 'and', children: objectToNodes(where, '') } };
  } catch (error) {
    if (error instanceof Unrepresentable) return { ok: false, error: error.message };
    throw error;
  }
}

function objectToNodes(object: Record<string, unknown>, prefix: string): WhereNode[] {
  const nodes: WhereNode[] = [];
  for (const [key, value] of Object.entries(object)) {
    const path = join(prefix, key);
    const groupType = has(GROUP_KEYS, key) ? GROUP_KEYS[key] : undefined;
    if (groupType) {
      if (!Array.isArray(value) || !value.every(isPlainObject)) {
        throw new Unrepresentable(`${path} needs an array of objects`);
      }
      nodes.push({ type: groupType, children: value.map((element, i) => elementToNode(element, `${path}[${i}]`)) });
    } else if (key.startsWith('$')) {
      throw new Unrepresentable(at(prefix, objectKeyProblem(key)));
    } else {
      nodes.push(...fieldToConditions(key, value, path));
    }
  }
  return nodes;
}

/** One object of a group's array: a lone condition or group stays itself, several keys become an implicit AND. */
function elementToNode(element: Record<string, unknown>, path: string): WhereNode {
  const nodes = objectToNodes(element, path);
  if (nodes.length === 1) return nodes[0]!;
  return { type: 'and', implicit: true, children: nodes };
}

function fieldToConditions(field: string, value: unknown, path: string): Condition[] {
  if (!isOperatorObject(value)) return [{ field, operator: 'equals', value }];
  const keys = Object.keys(value);
  if (keys.length === 0) throw new Unrepresentable(`${path}: empty condition {}`);
  const conditions: Condition[] = [];
  for (const key of keys) {
    const problem = operatorKeyProblem(field, key);
    if (problem) throw new Unrepresentable(`${path}: ${problem}`);
    const modified = MODIFIERS[key];
    if (modified) {
      if (!has(value, modified)) throw new Unrepresentable(`${path}: ${key} needs ${modified}`);
      const type = key === '$options' ? 'string' : 'number';
      if (typeof value[key] !== type) throw new Unrepresentable(`${path}: ${key} needs a ${type}`);
      continue;
    }
    const condition: Condition = { field, operator: key as FieldOperator, value: value[key] };
    if (key === '$regex' && has(value, '$options')) condition.options = value.$options as string;
    if (key === '$nearSphere' && has(value, '$maxDistance')) condition.maxDistance = value.$maxDistance as number;
    conditions.push(condition);
  }
  return conditions;
}

/** Writes a tree as a `where`: the root AND is implicit, and conditions on one field share one object. */
export function treeToWhere(tree: Group): Record<string, unknown> {
  return tree.type === 'and' ? buildObject(tree.children) : buildObject([tree]);
}

/**
 * One JSON object holding every node (an implicit AND). A node that cannot share the object (a second `equals`
 * on a field, the same operator twice, a second `$or`) goes into `$and`, which means the same.
 */
function buildObject(nodes: readonly WhereNode[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const operatorFields = new Set<string>();
  const overflow: WhereNode[] = [];

  const place = (node: WhereNode): void => {
    if (isGroup(node)) {
      if (node.implicit) return node.children.forEach(place);
      const key = `$${node.type}`;
      if (has(out, key)) overflow.push(node);
      else setKey(out, key, node.children.map(toElement));
      return;
    }
    if (node.operator === 'equals') {
      if (has(out, node.field)) overflow.push(node);
      else setKey(out, node.field, node.value);
      return;
    }
    const entries: [string, unknown][] = [[node.operator, node.value]];
    if (node.operator === '$regex' && node.options !== undefined) entries.push(['$options', node.options]);
    if (node.operator === '$nearSphere' && node.maxDistance !== undefined) entries.push(['$maxDistance', node.maxDistance]);
    if (!has(out, node.field)) {
      setKey(out, node.field, {});
      operatorFields.add(node.field);
    } else if (!operatorFields.has(node.field)) {
      overflow.push(node);
      return;
    }
    const operators = out[node.field] as Record<string, unknown>;
    if (entries.some(([key]) => has(operators, key))) {
      overflow.push(node);
      return;
    }
    for (const [key, value] of entries) setKey(operators, key, value);
  };

  nodes.forEach(place);
  if (overflow.length) {
    const extra = overflow.map(toElement);
    const existing = out.$and;
    setKey(out, '$and', Array.isArray(existing) ? [...existing, ...extra] : extra);
  }
  return out;
}

function toElement(node: WhereNode): Record<string, unknown> {
  return isGroup(node) && node.implicit ? buildObject(node.children) : buildObject([node]);
}

/** The first reason this `where` is invalid or can never match in LiveQuery, or null when it is fine. */
export function validateWhere(where: unknown): string | null {
  if (!isPlainObject(where)) return 'where must be a JSON object';
  if (exceedsDepth(where)) return TOO_DEEP;
  return checkObject(where, '');
}

function checkObject(object: Record<string, unknown>, prefix: string): string | null {
  for (const [key, value] of Object.entries(object)) {
    const path = join(prefix, key);
    if (has(GROUP_KEYS, key)) {
      if (!Array.isArray(value) || !value.every(isPlainObject)) return `${path} needs an array of objects`;
      if (key === '$or' && value.length === 0) return `${path} is empty: an empty $or never matches`;
      for (let i = 0; i < value.length; i++) {
        const problem = checkObject(value[i] as Record<string, unknown>, `${path}[${i}]`);
        if (problem) return problem;
      }
    } else if (key.startsWith('$')) {
      return at(prefix, objectKeyProblem(key));
    } else {
      const problem = checkField(key, value, path);
      if (problem) return problem;
    }
  }
  return null;
}

function checkField(field: string, value: unknown, path: string): string | null {
  if (field === '') return at(path, 'a field name cannot be empty');
  if (value === null) return `${path}: null never matches in LiveQuery (use {"$exists": false} for a missing field)`;
  if (Array.isArray(value)) return `${path}: LiveQuery cannot compare with an array (use $all or $in)`;
  if (!isPlainObject(value)) return null;
  if (!isOperatorObject(value)) return checkTyped(value, path);
  const keys = Object.keys(value);
  if (keys.length === 0) return `${path}: empty condition {}`;
  for (const key of keys) {
    const problem = operatorKeyProblem(field, key);
    if (problem) return `${path}: ${problem}`;
    const operand = value[key];
    const modified = MODIFIERS[key];
    if (modified) {
      if (!has(value, modified)) return `${path}: ${key} needs ${modified}`;
      if (key === '$options' && typeof operand !== 'string') return `${path}: $options needs a string`;
      if (key === '$maxDistance' && !(typeof operand === 'number' && operand >= 0)) {
        return `${path}: $maxDistance needs a number of radians`;
      }
      continue;
    }
    const operandProblem = checkOperand(key as FieldOperator, operand, value, path);
    if (operandProblem) return operandProblem;
  }
  return null;
}

const GEO_POINT_TEXT = '{"__type": "GeoPoint", "latitude": …, "longitude": …}';

function checkOperand(
  operator: FieldOperator,
  operand: unknown,
  condition: Record<string, unknown>,
  path: string,
): string | null {
  switch (operator) {
    case '$eq':
    case '$ne':
      return isPlainObject(operand) && operand.__type ? checkTyped(operand, path) : null;
    case '$lt':
    case '$lte':
    case '$gt':
    case '$gte':
      if (typeof operand === 'number' || typeof operand === 'string') return null;
      if (isPlainObject(operand) && operand.__type === 'Date') return checkTyped(operand, path);
      return `${path}: ${operator} needs a number, string or date`;
    case '$in':
    case '$nin':
    case '$all':
    case '$containedBy': {
      if (!Array.isArray(operand)) return `${path}: ${operator} needs an array`;
      for (let i = 0; i < operand.length; i++) {
        const item: unknown = operand[i];
        if (isPlainObject(item) && item.__type) {
          const problem = checkTyped(item, `${path}.${operator}[${i}]`);
          if (problem) return problem;
        }
      }
      return null;
    }
    case '$exists':
      return typeof operand === 'boolean' ? null : `${path}: $exists needs true or false`;
    case '$regex': {
      // The server also accepts a RegExp-like {source, flags}; JSON can carry one.
      if (isPlainObject(operand) && typeof operand.source === 'string' && typeof operand.flags === 'string') {
        return compileProblem(operand.source, operand.flags, path);
      }
      if (typeof operand !== 'string') return `${path}: $regex needs a string`;
      const flags = typeof condition.$options === 'string' ? condition.$options : '';
      return compileProblem(operand, flags, path);
    }
    case '$nearSphere':
      return isGeoPoint(operand) ? null : `${path}: $nearSphere needs a GeoPoint ${GEO_POINT_TEXT}`;
    case '$within': {
      const box = isPlainObject(operand) ? operand.$box : undefined;
      return Array.isArray(box) && box.length === 2 && box.every(isGeoPoint)
        ? null
        : `${path}: $within needs {"$box": [southwest GeoPoint, northeast GeoPoint]}`;
    }
    case '$geoWithin':
      return isPolygon(operand) || isCenterSphere(operand)
        ? null
        : `${path}: $geoWithin needs {"$polygon": [GeoPoint, …]} or {"$centerSphere": [[longitude, latitude], radians]}`;
    case '$geoIntersects':
      return isPlainObject(operand) && isGeoPoint(operand.$point)
        ? null
        : `${path}: $geoIntersects needs {"$point": GeoPoint}`;
  }
}

/** The server compiles `$regex` with `new RegExp(pattern, $options)` at subscribe time and refuses what throws. */
function compileProblem(pattern: string, flags: string, path: string): string | null {
  try {
    new RegExp(pattern, flags);
    return null;
  } catch (error) {
    return `${path}: ${(error as Error).message}`;
  }
}

const KNOWN_TYPES = new Set(['Pointer', 'Date', 'GeoPoint', 'File', 'Bytes', 'Polygon', 'Object']);

/** Checks a `{__type: …}` value (an equality operand). */
function checkTyped(value: Record<string, unknown>, path: string): string | null {
  const type = value.__type;
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) return `${path}: unknown __type ${JSON.stringify(type)}`;
  switch (type) {
    case 'Pointer':
      return typeof value.className === 'string' && value.className !== '' && typeof value.objectId === 'string'
        ? null
        : `${path}: a Pointer needs a string className and objectId`;
    case 'Date':
      return typeof value.iso === 'string' && !Number.isNaN(Date.parse(value.iso))
        ? null
        : `${path}: a Date needs an ISO 8601 "iso" string`;
    case 'GeoPoint':
      return isGeoPoint(value) ? null : `${path}: a GeoPoint needs a latitude (-90 to 90) and a longitude (-180 to 180)`;
    default:
      return null;
  }
}

export function isGeoPoint(value: unknown): value is { __type: 'GeoPoint'; latitude: number; longitude: number } {
  return (
    isPlainObject(value) &&
    value.__type === 'GeoPoint' &&
    typeof value.latitude === 'number' &&
    typeof value.longitude === 'number' &&
    Math.abs(value.latitude) <= 90 &&
    Math.abs(value.longitude) <= 180
  );
}

function isPolygon(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const points = value.$polygon;
  return Array.isArray(points) && points.length >= 3 && points.every(isGeoPoint);
}

function isCenterSphere(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const sphere = value.$centerSphere;
  if (!Array.isArray(sphere) || sphere.length !== 2) return false;
  const [center, radius] = sphere as unknown[];
  return (
    Array.isArray(center) &&
    center.length === 2 &&
    center.every((n) => typeof n === 'number') &&
    typeof radius === 'number' &&
    radius >= 0
  );
}

type Parsed = { ok: true; value: unknown } | { ok: false };

function parseJSON(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * The value typed in a row's input: JSON when it parses (numbers, booleans, null, arrays, objects, "quoted"),
 * else the text itself. `$regex` takes the text as is; list operators always give an array, also from `a, b, 3`.
 */
export function parseValue(text: string, operator: Operator): unknown {
  if (operator === '$regex') return text;
  const parsed = parseJSON(text);
  if (!ARRAY_OPERATORS.has(operator)) return parsed.ok ? parsed.value : text;
  if (parsed.ok && Array.isArray(parsed.value)) return parsed.value;
  if (text.trim() === '') return [];
  const bracketed = parseJSON(`[${text}]`);
  if (bracketed.ok && Array.isArray(bracketed.value)) return bracketed.value;
  return text.split(',').map((item) => {
    const trimmed = item.trim();
    const one = parseJSON(trimmed);
    return one.ok ? one.value : trimmed;
  });
}

/** The text for a value's input, such that `parseValue(formatValue(v, op), op)` gives `v` back. */
export function formatValue(value: unknown, operator?: Operator): string {
  if (typeof value === 'string') {
    if (operator === '$regex') return value;
    if (operator && ARRAY_OPERATORS.has(operator)) return JSON.stringify(value);
    // A string that reads as JSON (`12`, `true`, `"x"`) must be quoted to stay a string.
    return parseJSON(value).ok ? JSON.stringify(value) : value;
  }
  return JSON.stringify(value) ?? '';
}
