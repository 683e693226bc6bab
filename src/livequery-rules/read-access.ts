// Whether a LiveQuery subscriber may read an object, decided as Parse Server 9.x's `_matchesACL` / `_verifyACL` do.
//
// No ACL, public read or the master key read everything. Otherwise the user's own id, then (only when the ACL
// names a role at all) the user's roles. A reader without a user (no token, or a token that no longer resolves)
// sees public objects only. The server asks this once per token (the subscription's, then the connection's).

type Bag = Record<string, unknown>;

export interface Reader {
  master?: boolean;
  userId?: string | null;
  /** `role:<name>` ACL identities of the user; a function so a server can look roles up only when needed. */
  roles?: () => readonly string[];
}

export type ReadAccess =
  | { readable: true; reason: 'no-acl' | 'public' | 'master' | 'user' }
  | { readable: true; reason: 'role'; role: string }
  | { readable: false; reason: 'no-user' | 'not-granted' };

function grantsRead(acl: Bag, identity: string): boolean {
  const entry = acl[identity];
  return typeof entry === 'object' && entry !== null && (entry as Bag).read === true;
}

/** The ACL identities (`*`, user ids, `role:<name>`) this ACL grants read to, in the ACL's order. */
export function readersOf(acl: Bag): string[] {
  return Object.keys(acl).filter((identity) => grantsRead(acl, identity));
}

export function aclMentionsRoles(acl: Bag): boolean {
  return Object.keys(acl).some((identity) => identity.startsWith('role:'));
}

/** `acl` is the object's `ACL` field as stored (missing or null means no ACL). */
export function readAccess(acl: unknown, reader: Reader): ReadAccess {
  if (acl === undefined || acl === null) return { readable: true, reason: 'no-acl' };
  const map = acl as Bag;
  if (grantsRead(map, '*')) return { readable: true, reason: 'public' };
  if (reader.master) return { readable: true, reason: 'master' };
  if (!reader.userId) return { readable: false, reason: 'no-user' };
  if (grantsRead(map, reader.userId)) return { readable: true, reason: 'user' };
  if (!aclMentionsRoles(map)) return { readable: false, reason: 'not-granted' };
  const role = (reader.roles?.() ?? []).find((name) => grantsRead(map, name));
  return role === undefined ? { readable: false, reason: 'not-granted' } : { readable: true, reason: 'role', role };
}
