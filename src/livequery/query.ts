// Normalises what callers pass to subscribe(): a plain {className, where, keys, watch} or a Parse.Query-like object.

import { InvalidQueryError } from './errors.js';
import { isPlainObject, type QueryJSON } from './protocol.js';

export interface PlainQuery {
  className: string;
  where?: Record<string, unknown>;
  keys?: string[] | string;
  watch?: string[] | string;
}

/** Anything with a className and a toJSON() returning {where, keys?, watch?}, e.g. a real Parse.Query. */
export interface QueryLike {
  className: string;
  toJSON(): { where?: unknown; keys?: unknown; watch?: unknown };
}

export type QueryInput = PlainQuery | QueryLike;

function toList(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  // Parse.Query#toJSON joins keys and watch with commas.
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) {
    throw new InvalidQueryError(`"${field}" must be a list of field names`);
  }
  const names = [...new Set(list.map((v) => v.trim()).filter((v) => v.length > 0))];
  return names.length ? names : undefined;
}

/** Turns a query input into the protocol's query object, throwing InvalidQueryError with the exact reason. */
export function normalizeQuery(input: QueryInput): QueryJSON {
  if (!isPlainObject(input)) throw new InvalidQueryError('a query must be an object with a className');
  const { className } = input;
  if (typeof className !== 'string' || className.length === 0) {
    throw new InvalidQueryError('"className" must be a non-empty string');
  }
  const source: Record<string, unknown> =
    typeof (input as QueryLike).toJSON === 'function' ? (input as QueryLike).toJSON() : input;
  const where = source.where ?? {};
  if (!isPlainObject(where)) throw new InvalidQueryError('"where" must be a JSON object');
  const query: QueryJSON = { className, where };
  const keys = toList(source.keys, 'keys');
  const watch = toList(source.watch, 'watch');
  if (keys) query.keys = keys;
  if (watch) query.watch = watch;
  return query;
}
