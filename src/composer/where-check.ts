// Checks a LiveQuery `where` as the server will read it: the first reason it is invalid or can never match.

import { isPlainObject } from '../livequery/protocol.js';
import { whereShapeProblem } from './where-shape.js';

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

export type GroupType = 'and' | 'or' | 'nor';

export const GROUP_KEYS: Readonly<Record<string, GroupType>> = { $or: 'or', $and: 'and', $nor: 'nor' };
export const MODIFIERS: Readonly<Record<string, FieldOperator>> = { $options: '$regex', $maxDistance: '$nearSphere' };
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

export const has = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);
export const join = (prefix: string, key: string): string => (prefix ? `${prefix}.${key}` : key);
export const at = (prefix: string, message: string): string => (prefix ? `${prefix}: ${message}` : message);
const isFieldOperator = (key: string): key is FieldOperator => (FIELD_OPERATORS as readonly string[]).includes(key);

/** Why a `$` key at object level (not a group) cannot be used. */
export function objectKeyProblem(key: string): string {
  return UNSUPPORTED[key] ? `${key} ${UNSUPPORTED[key]}` : `unknown operator ${key}`;
}

/** Why a key inside a field's condition object cannot be used, or undefined when it is an operator or modifier. */
export function operatorKeyProblem(field: string, key: string): string | undefined {
  if (isFieldOperator(key) || has(MODIFIERS, key)) return undefined;
  if (UNSUPPORTED[key]) return `${key} ${UNSUPPORTED[key]}`;
  if (!key.startsWith('$')) return `unknown operator ${key} (to match a sub-field, use the dotted key ${field}.${key})`;
  return `unknown operator ${key}`;
}

/** Whether a field's value is a condition object (`{$gt: 1}`) rather than a value: the matcher's own rule. */
export function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && !value.__type;
}

/** The first reason this `where` is invalid or can never match in LiveQuery, or null when it is fine. */
export function validateWhere(where: unknown): string | null {
  return whereShapeProblem(where) ?? checkObject(where as Record<string, unknown>, '');
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
