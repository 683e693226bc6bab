// Lints a `where`: what the LiveQuery matcher (parse-server QueryTools.js, our src/livequery-rules/matcher.ts) never
// matches, what its subscribe-time validation refuses, and values that can never equal what is stored.

import { FIELD_NAME, FIELD_NAME_RULE, fieldExists, fieldType, finding, isPlainObject, knownFrom, show } from './describe.js';
import type { KnownFields, LintFinding } from './types.js';

/** Operators the matcher evaluates; `$options` and `$maxDistance` only modify `$regex` and `$nearSphere`. */
const MATCHED = new Set([
  '$lt', '$lte', '$gt', '$gte', '$eq', '$ne', '$in', '$nin', '$all', '$exists', '$regex', '$options',
  '$nearSphere', '$maxDistance', '$within', '$containedBy', '$geoWithin', '$geoIntersects',
]);
/** Operators after which the matcher returns at once: later keys of the same condition are never looked at. */
const DECIDES_ALONE = new Set(['$nearSphere', '$within', '$containedBy', '$geoIntersects']);
const COMPARISONS = new Set(['$lt', '$lte', '$gt', '$gte']);
const EARTH_KM = 6371;
const EARTH_MILES = 3958.8;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T/;

/** How a branch's "never" affects the whole query: inside `$or` only that branch, inside `$nor` it is ignored. */
type Scope = 'all' | '$or' | '$nor';

interface Context {
  known: KnownFields | undefined;
  className: string;
  out: LintFinding[];
}

function add(ctx: Context, scope: Scope, found: LintFinding): void {
  if (found.severity === 'never' && scope !== 'all') {
    const what = scope === '$or' ? 'only this $or branch never matches' : 'this $nor branch never matches, so it excludes nothing';
    ctx.out.push({ ...found, severity: 'warning', message: `${found.message} (inside ${scope}: ${what})` });
    return;
  }
  ctx.out.push(found);
}

export function lintWhere(where: unknown, known: KnownFields | undefined, className: string): LintFinding[] {
  const ctx: Context = { known, className, out: [] };
  if (where === undefined) return ctx.out;
  if (!isPlainObject(where)) {
    ctx.out.push(
      finding('where-not-object', 'refused', `"where" is ${show(where)}, not a JSON object: Parse Server refuses the subscribe (code 1)`, 'Use an object, e.g. {} for every object of the class', 'where'),
    );
    return ctx.out;
  }
  walk(ctx, where, 'where', 'all');
  return ctx.out;
}

function walk(ctx: Context, where: Record<string, unknown>, path: string, scope: Scope): void {
  for (const key of Object.keys(where)) {
    const value = where[key];
    const at = `${path}.${key}`;
    if (key === '$or' || key === '$and' || key === '$nor') {
      if (!Array.isArray(value)) {
        add(ctx, scope, finding('logical-not-array', 'refused', `${key} is ${show(value)}, not an array: Parse Server 9.10 refuses the subscribe (code 102, "${key} must be an array")`, `Write ${key}: [ {…}, {…} ], one object per alternative`, at));
        continue;
      }
      const inner: Scope = key === '$and' ? scope : scope === 'all' ? (key as Scope) : scope;
      value.forEach((branch, i) => {
        if (isPlainObject(branch)) walk(ctx, branch, `${at}[${i}]`, inner);
      });
      continue;
    }
    if (key === '$relatedTo') {
      add(ctx, scope, finding('related-to', 'never', `$relatedTo ${show(value)}: the LiveQuery matcher cannot follow relations, so it never matches`, 'Subscribe to the related class with {"objectId": {"$in": [ids…]}} (read the relation over REST first), or keep a pointer or array field on the object', at));
      continue;
    }
    if (key.startsWith('$')) {
      add(ctx, scope, finding('unsupported-operator', 'never', `${key} at the top of a where is not an operator LiveQuery knows: it is read as a field named "${key}", which no object has`, 'Use $or, $and or $nor at the top; put other operators under a field, e.g. {"score": {"$gt": 1}}', at));
      continue;
    }
    lintField(ctx, key, value, at, scope);
  }
}

function fieldNameProblem(field: string): boolean {
  return !field.split('.').every((part) => FIELD_NAME.test(part));
}

function lintField(ctx: Context, field: string, constraint: unknown, path: string, scope: Scope): void {
  const root = field.split('.')[0]!;
  const existsFalse = isPlainObject(constraint) && constraint.$exists === false;
  if (fieldNameProblem(field) && !existsFalse) {
    add(ctx, scope, finding('invalid-field-name', 'never', `"${field}" is not a field name Parse accepts (${FIELD_NAME_RULE}): no object can have it, so this never matches`, 'Check the spelling against the class\'s fields', path));
    return;
  }
  if (ctx.known && fieldExists(ctx.known, root) === false && !existsFalse) {
    add(ctx, scope, finding('where-unknown-field', 'warning', `${ctx.className} has no field "${root}" (per ${knownFrom(ctx.known, ctx.className)}): this matches only once a write adds it`, 'Check the spelling against the class\'s fields', path));
  }
  const type = field.includes('.') ? undefined : fieldType(ctx.known, field);
  if (constraint === null) {
    add(ctx, scope, finding('null-equality', 'never', `${field}: null never matches in LiveQuery, not even objects without ${field} (a REST query would match them)`, `Use {"${field}": {"$exists": false}}`, path));
    return;
  }
  if (Array.isArray(constraint)) {
    add(ctx, scope, finding('array-equality', 'never', `${field}: ${show(constraint)} compares with an array, which the LiveQuery matcher never matches`, `Use {"${field}": {"$all": ${show(constraint)}}} (contains all) or {"$eq": ${show(constraint)}} (exactly this array)`, path));
    return;
  }
  if (!isPlainObject(constraint)) {
    lintEquality(ctx, field, type, constraint, path, scope);
    return;
  }
  if (constraint.__type !== undefined) {
    if (constraint.__type === 'Date' && (field === 'createdAt' || field === 'updatedAt')) {
      add(ctx, scope, finding('timestamp-as-date', 'never', `${field} equals ${show(constraint)}: the matcher sees ${field} as an ISO text, never equal to a Date`, `Compare with the text: {"${field}": ${show((constraint as { iso?: unknown }).iso ?? '2024-01-01T00:00:00.000Z')}}`, path));
    }
    return;
  }
  lintConditions(ctx, field, type, constraint, path, scope);
}

function lintEquality(ctx: Context, field: string, type: string | undefined, value: unknown, path: string, scope: Scope): void {
  if (typeof value !== 'string') return;
  if (type === 'Pointer') {
    add(ctx, scope, finding('pointer-without-type', 'never', `${field}: ${show(value)} compares a pointer field with text; a stored pointer is an object, so this never matches`, `Use {"${field}": {"__type": "Pointer", "className": "…", "objectId": ${show(value)}}}`, path));
  } else if (type === 'Date' && field !== 'createdAt' && field !== 'updatedAt') {
    add(ctx, scope, finding('date-without-type', 'never', `${field}: ${show(value)} compares a Date field with text; a stored Date never equals text`, `Use {"${field}": {"__type": "Date", "iso": ${show(value)}}}`, path));
  }
}

function lintConditions(ctx: Context, field: string, type: string | undefined, conditions: Record<string, unknown>, path: string, scope: Scope): void {
  const keys = Object.keys(conditions);
  let decidedBy: string | null = null;
  let missingNoted = false;
  for (const op of keys) {
    const operand = conditions[op];
    const at = `${path}.${op}`;
    if (decidedBy) {
      if (op === '$maxDistance' || op === '$options') continue;
      if (/^\$maxDistanceIn/.test(op)) {
        add(ctx, scope, finding('max-distance-unit', 'warning', `${op}: ${show(operand)} is ignored by the LiveQuery matcher: after ${decidedBy} with no $maxDistance, every object with a ${field} matches, however far`, maxDistanceFix(op, operand), at));
      } else {
        add(ctx, scope, finding('operator-ignored', 'warning', `${op} is never looked at: the LiveQuery matcher decides ${field} by ${decidedBy} alone and ignores the conditions after it`, `Put ${op} in its own condition: {"$and": [{"${field}": {"${decidedBy}": …}}, {"${field}": {"${op}": …}}]}`, at));
      }
      continue;
    }
    if (!op.startsWith('$')) {
      const pointerLike = keys.includes('objectId') && keys.includes('className');
      if (pointerLike) {
        add(ctx, scope, finding('pointer-without-type', 'never', `${field}: ${show(conditions)} has no "__type": "Pointer", so LiveQuery reads "className" and "objectId" as unknown operators and never matches`, `Add "__type": "Pointer": {"${field}": {"__type": "Pointer", "className": ${show(conditions.className)}, "objectId": ${show(conditions.objectId)}}}`, path));
      } else {
        add(ctx, scope, finding('object-equality', 'never', `${field}: ${show(conditions)} compares with an object; the LiveQuery matcher reads "${op}" as an unknown operator and never matches`, `Match the sub-field with a dotted key ({"${field}.${op}": ${show(operand)}}) or the whole object with {"${field}": {"$eq": ${show(conditions)}}}`, path));
      }
      return;
    }
    if (!MATCHED.has(op)) {
      if (/^\$maxDistanceIn/.test(op)) {
        add(ctx, scope, finding('max-distance-unit', 'never', `${op}: ${show(operand)} is not something the LiveQuery matcher knows; met before any $nearSphere, it makes ${field} never match`, maxDistanceFix(op, operand), at));
      } else {
        add(ctx, scope, finding('unsupported-operator', 'never', `${field} uses ${op} (${show(operand)}), which the LiveQuery matcher does not support: it never matches`, unsupportedFix(field, op, operand), at));
      }
      return;
    }
    if (DECIDES_ALONE.has(op) || (op === '$geoWithin' && isPlainObject(operand) && (operand.$polygon || operand.$centerSphere))) {
      decidedBy = op;
      continue;
    }
    if (COMPARISONS.has(op)) {
      lintComparison(ctx, field, type, op, operand, at, scope);
      if (!missingNoted && conditions.$exists !== true && field !== 'createdAt' && field !== 'updatedAt' && field !== 'objectId') {
        missingNoted = true;
        add(ctx, scope, finding('comparison-matches-missing', 'warning', `${field} ${op} ${show(operand)} also matches objects that have no ${field} (in LiveQuery a missing value passes every comparison)`, `Add "$exists": true: {"${field}": {"${op}": ${show(operand)}, "$exists": true}}`, path));
      }
      continue;
    }
    switch (op) {
      case '$in':
      case '$nin':
      case '$all':
      case '$containedBy':
        if (!Array.isArray(operand)) lintListOperand(ctx, field, op, operand, at, scope);
        break;
      case '$exists':
        if (typeof operand !== 'boolean') {
          add(ctx, scope, finding('exists-not-boolean', 'warning', `$exists: ${show(operand)} is not true or false, so LiveQuery ignores it: objects match whether ${field} exists or not`, `Use {"$exists": ${operand === 'false' || operand === 0 ? 'false' : 'true'}}`, at));
        }
        break;
      case '$regex':
        lintRegex(ctx, field, operand, conditions.$options, at, scope);
        break;
      case '$eq':
        if (typeof operand === 'string') lintEquality(ctx, field, type, operand, at, scope);
        break;
    }
  }
}

function lintComparison(ctx: Context, field: string, type: string | undefined, op: string, operand: unknown, path: string, scope: Scope): void {
  const isTimestamp = field === 'createdAt' || field === 'updatedAt';
  if (isTimestamp && isPlainObject(operand) && operand.__type === 'Date') {
    add(ctx, scope, finding('timestamp-as-date', 'warning', `${field} ${op} ${show(operand)}: LiveQuery sees ${field} as ISO text and a text never compares with a Date, so this bound is ignored and every object matches`, `Compare with the ISO text: {"${field}": {"${op}": ${show(operand.iso ?? '2024-01-01T00:00:00.000Z')}}}`, path));
  } else if (!isTimestamp && typeof operand === 'string' && (type === 'Date' || (type === undefined && ISO_DATE.test(operand)))) {
    const known = type === 'Date' ? `${field} is a Date field` : `if ${field} is a Date field`;
    add(ctx, scope, finding('date-without-type', 'warning', `${field} ${op} ${show(operand)}: ${known}, a stored Date never compares with text, so this bound is ignored and every object matches`, `Use {"${op}": {"__type": "Date", "iso": ${show(operand)}}}`, path));
  }
}

function lintListOperand(ctx: Context, field: string, op: string, operand: unknown, path: string, scope: Scope): void {
  const fix = `Use an array: {"${field}": {"${op}": [${show(operand)}]}}`;
  if (typeof operand === 'string' && (op === '$in' || op === '$nin')) {
    const effect = op === '$in' ? 'matches any value that is part of that text' : 'excludes any value that is part of that text';
    add(ctx, scope, finding('list-operand-not-array', 'warning', `${op}: ${show(operand)} is text, not an array: LiveQuery then ${effect} (e.g. "${operand.slice(0, 1)}")`, fix, path));
  } else if (op === '$all') {
    add(ctx, scope, finding('list-operand-not-array', 'warning', `$all: ${show(operand)} is not an array: LiveQuery then checks ${typeof operand === 'string' ? 'each character of it' : 'nothing'} instead of a list of values`, fix, path));
  } else {
    add(ctx, scope, finding('list-operand-not-array', 'never', `${op}: ${show(operand)} is not an array: the LiveQuery matcher fails on it and skips this subscription for every event`, fix, path));
  }
}

function lintRegex(ctx: Context, field: string, operand: unknown, options: unknown, path: string, scope: Scope): void {
  const regexLike = isPlainObject(operand) && typeof operand.source === 'string' && typeof operand.flags === 'string';
  if (typeof operand !== 'string' && !regexLike) {
    add(ctx, scope, finding('invalid-regex', 'refused', `$regex: ${show(operand)} is not text: Parse Server 9.10 refuses the subscribe (code 102, "$regex must be a string or RegExp")`, `Write the pattern as text: {"${field}": {"$regex": "${String(operand)}"}}`, path));
    return;
  }
  const pattern = regexLike ? String((operand as { source: string }).source) : (operand as string);
  const flags = regexLike ? String((operand as { flags: string }).flags) : typeof options === 'string' ? options : '';
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    const badFlags = [...flags].filter((flag) => !'dgimsuyv'.includes(flag));
    const why = badFlags.length
      ? `$options ${show(flags)} has ${badFlags.map((f) => `"${f}"`).join(', ')}, which JavaScript regular expressions do not have`
      : `the pattern ${show(pattern)} is not a JavaScript regular expression (${(error as Error).message})`;
    const fix = badFlags.includes('x')
      ? 'Drop "x": remove the spaces and comments from the pattern and use only the options i, m and s'
      : /\(\?[a-z]+\)/.test(pattern)
        ? 'Move inline flags such as (?i) to $options: {"$regex": "…", "$options": "i"}'
        : 'Fix the pattern so that JavaScript accepts it (Parse Server tests it with new RegExp)';
    add(ctx, scope, finding('invalid-regex', 'refused', `${field}: ${why}: Parse Server 9.10 refuses the subscribe (code 102, "Invalid regular expression")`, fix, path));
  }
}

function maxDistanceFix(op: string, operand: unknown): string {
  const value = typeof operand === 'number' ? operand : NaN;
  const radians = op === '$maxDistanceInKilometers' ? value / EARTH_KM : op === '$maxDistanceInMiles' ? value / EARTH_MILES : value;
  const given = op === '$maxDistanceInRadians' ? '' : ` (${operand} ${op === '$maxDistanceInKilometers' ? 'km' : 'miles'} ÷ ${op === '$maxDistanceInKilometers' ? EARTH_KM : EARTH_MILES})`;
  return Number.isFinite(radians)
    ? `Use "$maxDistance" in radians right after "$nearSphere": "$maxDistance": ${Number(radians.toPrecision(4))}${given}`
    : 'Use "$maxDistance" in radians right after "$nearSphere"';
}

function unsupportedFix(field: string, op: string, operand: unknown): string {
  switch (op) {
    case '$text': {
      const term = isPlainObject(operand) && isPlainObject(operand.$search) ? operand.$search.$term : undefined;
      return `Use $regex instead of $text: {"${field}": {"$regex": ${show(typeof term === 'string' ? term : 'word')}, "$options": "i"}}`;
    }
    case '$select':
    case '$dontSelect':
      return 'LiveQuery cannot look into another query: read the other class over REST and subscribe with {"$in": [values…]} (or {"$nin"}), or keep the value on this class';
    case '$inQuery':
    case '$notInQuery':
      return `LiveQuery cannot run a subquery: read the matching objects over REST and subscribe with {"${field}": {"${op === '$inQuery' ? '$in' : '$nin'}": [pointers…]}}`;
    case '$near':
      return `Use $nearSphere (with "$maxDistance" in radians): {"${field}": {"$nearSphere": {"__type": "GeoPoint", …}, "$maxDistance": 0.01}}`;
    default:
      return `LiveQuery knows only ${[...MATCHED].filter((o) => o !== '$options' && o !== '$maxDistance').join(', ')}: subscribe without ${op} and check it in your event handler`;
  }
}
