// Checks an `explainEvent` input: anything malformed becomes one plain-language problem instead of a crash.

import { isPlainObject, type ParseJSON } from '../livequery/protocol.js';

/** The input once checked: objects are plain JSON objects, role names carry their `role:` prefix. */
export interface CheckedInput {
  className: string;
  where: ParseJSON;
  keys?: string[];
  watch?: string[];
  original: ParseJSON | null;
  object: ParseJSON | null;
  master: boolean;
  userId: string | null;
  roles: string[];
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** The checked input, or a sentence saying what is wrong with it. */
export function checkInput(input: unknown): CheckedInput | string {
  if (!isPlainObject(input)) return 'the input is not an object with query, original, object and auth';
  const { query, original, object } = input;
  const auth = input.auth ?? {};
  if (!isPlainObject(query)) return 'query is missing or not an object';
  if (typeof query.className !== 'string' || query.className === '') return 'query.className must be a non-empty string';
  const where = query.where ?? {};
  if (!isPlainObject(where)) return `query.where must be a JSON object (Parse Server refuses this subscription with code 1)`;
  if (query.keys !== undefined && !isStringList(query.keys)) return 'query.keys must be a list of field names';
  if (query.watch !== undefined && !isStringList(query.watch)) return 'query.watch must be a list of field names';
  if (original !== null && original !== undefined && !isPlainObject(original)) return 'original must be an object or null';
  if (object !== null && object !== undefined && !isPlainObject(object)) return 'object must be an object or null';
  if (!original && !object) return 'both original and object are null: give the object before the write, after it, or both';
  if (!isPlainObject(auth)) return 'auth must be an object ({master?, userId?, roles?})';
  if (auth.userId !== undefined && auth.userId !== null && typeof auth.userId !== 'string') return 'auth.userId must be a string or null';
  if (auth.roles !== undefined && !isStringList(auth.roles)) return 'auth.roles must be a list of role names';
  const checked: CheckedInput = {
    className: query.className,
    where,
    original: (original as ParseJSON | null | undefined) ?? null,
    object: (object as ParseJSON | null | undefined) ?? null,
    master: auth.master === true,
    userId: (auth.userId as string | null | undefined) || null,
    roles: ((auth.roles as string[] | undefined) ?? []).map((name) => (name.startsWith('role:') ? name : `role:${name}`)),
  };
  if (query.keys) checked.keys = query.keys as string[];
  if (query.watch) checked.watch = query.watch as string[];
  return checked;
}
