// ACLs: validating the `ACL` a client writes, normalising it as Parse stores it, and checking read/write access.

import { ErrorCode, InternalError, ParseError } from './errors.js';
import type { ACLMap } from './store.js';

/** Checks an `ACL` value from a request; malformed ones fail as on Parse Server (a -1 error or a 500). */
export function validateACL(value: unknown): ACLMap {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ParseError(ErrorCode.OTHER_CAUSE, 'ACL must be a Parse ACL.');
  }
  for (const entry of Object.values(value)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new InternalError();
    for (const [permission, allowed] of Object.entries(entry)) {
      if ((permission !== 'read' && permission !== 'write') || typeof allowed !== 'boolean') throw new InternalError();
    }
  }
  return value as ACLMap;
}

/** The ACL as it reads back from the database: only granted permissions, entries without any dropped. */
export function normalizeACL(acl: ACLMap): ACLMap {
  const out: ACLMap = {};
  for (const [id, entry] of Object.entries(acl)) {
    if (entry.read && entry.write) out[id] = { read: true, write: true };
    else if (entry.read) out[id] = { read: true };
    else if (entry.write) out[id] = { write: true };
  }
  return out;
}

/** `groups` are the caller's ACL identities: `*`, the user id and `role:<name>` entries. No ACL means public. */
export function canRead(acl: ACLMap | undefined, groups: readonly string[]): boolean {
  return !acl || groups.some((group) => acl[group]?.read === true);
}

export function canWrite(acl: ACLMap | undefined, groups: readonly string[]): boolean {
  return !acl || groups.some((group) => acl[group]?.write === true);
}
