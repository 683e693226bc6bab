// REST reads: `where` validation and matching, ordering, paging, `keys`, `include`, `count`, and per-caller visibility.

import { canRead } from './acl.js';
import type { Identity } from './auth.js';
import { ErrorCode, ParseError } from './errors.js';
import { isPlainObject } from '../src/livequery/protocol.js';
import { matchesQuery } from '../src/livequery-rules/matcher.js';
import { restJSON } from './object-json.js';
import type { Store, StoredObject } from './store.js';

type Bag = Record<string, unknown>;

export interface ReadContext {
  store: Store;
  identity: Identity;
  groups: readonly string[];
}

/** Query parameters: URL values already JSON-decoded where they parse, or the JSON body of a `_method: GET` POST. */
export type FindParams = Record<string, unknown>;

const FIND_PARAMS = new Set([
  'skip', 'limit', 'order', 'count', 'keys', 'excludeKeys', 'include', 'includeAll', 'redirectClassNameForKey', 'where',
  'readPreference', 'includeReadPreference', 'subqueryReadPreference', 'hint', 'explain', 'comment',
]);
const GET_PARAMS = new Set(['keys', 'include', 'excludeKeys', 'readPreference', 'includeReadPreference', 'subqueryReadPreference']);

function checkParams(params: FindParams, allowed: ReadonlySet<string>, message: (key: string) => string): void {
  for (const key of Object.keys(params)) {
    if (!allowed.has(key)) throw new ParseError(ErrorCode.INVALID_QUERY, message(key));
  }
}

const QUERY_OPERATORS = new Set([
  '$lt', '$lte', '$gt', '$gte', '$ne', '$eq', '$in', '$nin', '$all', '$exists', '$regex', '$options',
  '$select', '$dontSelect', '$inQuery', '$notInQuery', '$containedBy', '$nearSphere', '$maxDistance',
  '$maxDistanceInRadians', '$maxDistanceInKilometers', '$maxDistanceInMiles', '$within', '$geoWithin',
  '$geoIntersects', '$text', '$relativeTime',
]);
const KEY_NAME = /^[a-zA-Z][a-zA-Z0-9_.]*$/;
const LOGICAL = ['$or', '$and', '$nor'] as const;

/** Checks a `where` like Parse Server's validateQuery (and the Postgres adapter's unsupported-operator error). */
function validateWhere(where: Bag): void {
  if (where.ACL !== undefined) throw new ParseError(ErrorCode.INVALID_QUERY, 'Cannot query on ACL.');
  for (const op of LOGICAL) {
    const branches = where[op];
    if (branches === undefined) continue;
    if (!Array.isArray(branches)) throw new ParseError(ErrorCode.INVALID_QUERY, 'Permission denied');
    for (const branch of branches) if (isPlainObject(branch)) validateWhere(branch);
  }
  for (const [key, constraint] of Object.entries(where)) {
    if ((LOGICAL as readonly string[]).includes(key) || key === '$relatedTo') continue;
    if (!KEY_NAME.test(key)) throw new ParseError(ErrorCode.INVALID_KEY_NAME, `Invalid key name: ${key}`);
    if (!isPlainObject(constraint) || constraint.__type !== undefined) continue;
    if (constraint.$regex !== undefined) {
      if (typeof constraint.$regex !== 'string') throw new ParseError(ErrorCode.INVALID_QUERY, '$regex value must be a string');
      const options = constraint.$options;
      if (options !== undefined && typeof options !== 'string') throw new ParseError(ErrorCode.INVALID_QUERY, '$options value must be a string');
      if (typeof options === 'string' && !/^[imxsu]+$/.test(options)) {
        throw new ParseError(ErrorCode.INVALID_QUERY, `Bad $options value for query: ${options}`);
      }
    }
    for (const op of Object.keys(constraint)) {
      if (op.startsWith('$') && !QUERY_OPERATORS.has(op)) {
        throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, `Postgres doesn't support this query type yet ${JSON.stringify(constraint)}`);
      }
    }
  }
}

/** REST treats `field: null` as "unset"; the LiveQuery matcher never matches null, so rewrite it first. */
function restSemantics(where: Bag): Bag {
  const out: Bag = {};
  for (const [key, constraint] of Object.entries(where)) {
    if ((LOGICAL as readonly string[]).includes(key) && Array.isArray(constraint)) {
      out[key] = constraint.map((branch: unknown) => (isPlainObject(branch) ? restSemantics(branch) : branch));
    } else if (constraint === null) {
      out[key] = { $exists: false };
    } else if (isPlainObject(constraint) && constraint.__type === undefined && ('$eq' in constraint || '$ne' in constraint)) {
      const copy: Bag = { ...constraint };
      if (copy.$eq === null) {
        delete copy.$eq;
        copy.$exists = false;
      }
      if (copy.$ne === null) {
        delete copy.$ne;
        copy.$exists = true;
      }
      out[key] = copy;
    } else {
      out[key] = constraint;
    }
  }
  return out;
}

/** What a row looks like to the REST matcher: system dates are comparable Date values. */
function matchView(store: Store, object: StoredObject): Bag {
  const json = restJSON(store, object);
  json.createdAt = { __type: 'Date', iso: object.createdAt };
  json.updatedAt = { __type: 'Date', iso: object.updatedAt };
  return json;
}

function parseWhere(value: unknown): Bag {
  if (value === undefined || value === null || value === '') return {};
  let where = value;
  if (typeof value === 'string') {
    try {
      where = JSON.parse(value);
    } catch {
      throw new ParseError(ErrorCode.INVALID_JSON, 'where parameter is not valid JSON');
    }
  }
  if (!isPlainObject(where)) throw new ParseError(ErrorCode.INVALID_JSON, 'where parameter is not valid JSON');
  return where;
}

function listParam(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function numberParam(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new ParseError(ErrorCode.INTERNAL_SERVER_ERROR, 'An internal server error occurred');
  return Math.trunc(n);
}

function sortKey(value: unknown): unknown {
  if (isPlainObject(value)) {
    if (value.__type === 'Date') return value.iso;
    if (value.__type === 'Pointer') return value.objectId;
  }
  return value;
}

/** Ascending comparison with missing values last (Postgres' default NULLS LAST / NULLS FIRST when descending). */
function compareValues(a: unknown, b: unknown): number {
  const x = sortKey(a);
  const y = sortKey(b);
  const xMissing = x === undefined || x === null;
  const yMissing = y === undefined || y === null;
  if (xMissing || yMissing) return xMissing === yMissing ? 0 : xMissing ? 1 : -1;
  if (typeof x !== typeof y) return typeof x < typeof y ? -1 : 1;
  if ((x as number) < (y as number)) return -1;
  if ((x as number) > (y as number)) return 1;
  return 0;
}

/** Sorts rows by `order` keys (`-key` descending) as they read over REST; without keys, insertion order. */
function sortRows(store: Store, rows: StoredObject[], order: string[]): StoredObject[] {
  if (order.length === 0) return rows;
  const views = new Map(rows.map((row) => [row, restJSON(store, row)]));
  return [...rows].sort((a, b) => {
    for (const spec of order) {
      const desc = spec.startsWith('-');
      const key = desc ? spec.slice(1) : spec;
      const result = compareValues(views.get(a)?.[key], views.get(b)?.[key]);
      if (result !== 0) return desc ? -result : result;
    }
    return 0;
  });
}

/** Whether the caller may see this row at all (ACL, and `_Session` rows only for their owner). */
function isVisible(ctx: ReadContext, object: StoredObject): boolean {
  if (ctx.identity.master) return true;
  if (object.className === '_Session') {
    return (object.fields.user as Bag | undefined)?.objectId === ctx.identity.user?.objectId;
  }
  return canRead(object.acl, ctx.groups);
}

/** The row as this caller may see it: `_User` email and authData only for the user itself or the master key. */
export function readableJSON(ctx: ReadContext, object: StoredObject): Bag {
  const json = restJSON(ctx.store, object);
  const isSelf = object.className === '_User' && ctx.identity.user?.objectId === object.objectId;
  if (object.className === '_User' && !ctx.identity.master && !isSelf) {
    delete json.email;
    delete json.authData;
  }
  return json;
}

function includePath(ctx: ReadContext, value: unknown, path: string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => includePath(ctx, item, path)).filter((item) => item !== undefined);
  if (!isPlainObject(value)) return value;
  if (value.__type === 'Pointer') {
    const target = ctx.store.get(String(value.className), String(value.objectId));
    if (!target || !isVisible(ctx, target)) return undefined;
    const expanded: Bag = { __type: 'Object', className: target.className, ...readableJSON(ctx, target) };
    return path.length ? applyInclude(ctx, expanded, path) : expanded;
  }
  return path.length ? applyInclude(ctx, value, path) : value;
}

function applyInclude(ctx: ReadContext, row: Bag, path: string[]): Bag {
  const [head, ...rest] = path;
  if (!(head in row) || !Object.prototype.hasOwnProperty.call(row, head)) return row;
  const included = includePath(ctx, row[head], rest);
  if (included === undefined) delete row[head];
  else row[head] = included;
  return row;
}

/** `keys` selects fields: the requested ones first (in request order), then objectId, createdAt, updatedAt. */
function project(row: Bag, keys: string[], excludeKeys: string[]): Bag {
  let out = row;
  if (keys.length) {
    out = {};
    for (const key of ['__type', 'className', ...keys.map((k) => k.split('.')[0]), 'objectId', 'createdAt', 'updatedAt']) {
      if (Object.prototype.hasOwnProperty.call(row, key)) out[key] = row[key];
    }
  }
  for (const key of excludeKeys) delete out[key];
  return out;
}

function shape(ctx: ReadContext, object: StoredObject, params: FindParams): Bag {
  let row = readableJSON(ctx, object);
  for (const path of listParam(params.include)) row = applyInclude(ctx, row, path.split('.'));
  return project(row, listParam(params.keys), listParam(params.excludeKeys));
}

function requireClass(ctx: ReadContext, className: string): boolean {
  if (ctx.store.hasClass(className)) return true;
  if (ctx.identity.master) return false;
  throw new ParseError(ErrorCode.OPERATION_FORBIDDEN, 'Permission denied');
}

export function findObjects(ctx: ReadContext, className: string, params: FindParams): Bag {
  checkParams(params, FIND_PARAMS, (key) => `Invalid parameter for query: ${key}`);
  if (!requireClass(ctx, className)) return { results: [] };
  if (className === '_Session' && !ctx.identity.master && !ctx.identity.user) {
    throw new ParseError(ErrorCode.INVALID_SESSION_TOKEN, 'Invalid session token');
  }
  const where = parseWhere(params.where);
  validateWhere(where);
  const limit = numberParam(params.limit, 100);
  const skip = numberParam(params.skip, 0);
  const { $relatedTo: relatedTo, ...rest } = where;
  const matcherWhere = restSemantics(rest);
  let candidates = ctx.store.list(className);
  if (isPlainObject(relatedTo) && isPlainObject(relatedTo.object) && typeof relatedTo.key === 'string') {
    const owner = relatedTo.object;
    const ids = ctx.store.relation(String(owner.className), String(owner.objectId), relatedTo.key);
    candidates = candidates.filter((object) => ids.has(object.objectId));
  }
  const matching = candidates.filter((object) => {
    if (!isVisible(ctx, object)) return false;
    try {
      return matchesQuery(matchView(ctx.store, object), matcherWhere);
    } catch {
      return false;
    }
  });
  const start = Math.max(skip, 0);
  const page = sortRows(ctx.store, matching, listParam(params.order)).slice(start, start + Math.max(limit, 0));
  const result: Bag = { results: page.map((object) => shape(ctx, object, params)) };
  if (params.count) result.count = matching.length;
  return result;
}

export function getObject(ctx: ReadContext, className: string, objectId: string, params: FindParams): Bag {
  checkParams(params, GET_PARAMS, () => 'Improper encode of parameter');
  const object = requireClass(ctx, className) ? ctx.store.get(className, objectId) : undefined;
  if (!object || !isVisible(ctx, object)) throw new ParseError(ErrorCode.OBJECT_NOT_FOUND, 'Object not found.');
  const json = shape(ctx, object, params);
  // Reading yourself by id returns your session token, as Parse Server's ClassesRouter forces it.
  if (className === '_User' && ctx.identity.user?.objectId === objectId && ctx.identity.sessionToken) {
    json.sessionToken = ctx.identity.sessionToken;
  }
  return json;
}
