// What an event frame carries once Parse Server decided to send it: protected `_User` fields dropped, then `keys`.

import type { ParseJSON } from '../livequery/protocol.js';

/** Fields `keys` can never trim away, in the order Parse Server writes them. */
export const ALWAYS_KEPT_FIELDS = ['className', 'objectId', 'updatedAt', 'createdAt', 'ACL'] as const;

/** Parse Server's `Client._toJSONWithFields`: with `keys`, only those fields (when present) plus the fixed ones. */
export function shapeToKeys(object: ParseJSON, keys: readonly string[] | undefined): ParseJSON {
  if (!keys) return object;
  const trimmed: ParseJSON = {};
  for (const field of ALWAYS_KEPT_FIELDS) trimmed[field] = object[field];
  for (const field of keys) if (field in object) trimmed[field] = object[field];
  return trimmed;
}

/** Fields of a `_User` that only the user itself and the master key receive. */
export const PROTECTED_USER_FIELDS = ['email', 'authData'] as const;

/**
 * Drops a `_User`'s email and authData unless the reader is the master key or that user. `userId` is the user of the
 * subscription's own token: Parse Server does not look at the connection's token here.
 */
export function hideProtectedFields(object: ParseJSON, reader: { master?: boolean; userId?: string | null }): ParseJSON {
  if (object.className !== '_User' || reader.master || (reader.userId && object.objectId === reader.userId)) return object;
  const rest: ParseJSON = { ...object };
  for (const field of PROTECTED_USER_FIELDS) delete rest[field];
  return rest;
}
