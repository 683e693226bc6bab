// Who a session token belongs to, which roles a user holds, and the ACL identities that follow from them.

import type { Store, StoredObject } from './store.js';

/** The caller of a REST request or the owner of a LiveQuery session token. */
export interface Identity {
  master: boolean;
  user?: StoredObject;
  sessionToken?: string;
  installationId?: string;
}

/** The session for a token, if it exists and has not expired. */
export function findSession(store: Store, token: string): StoredObject | undefined {
  const session = store.list('_Session').find((s) => s.fields.sessionToken === token);
  if (!session) return undefined;
  const expiresAt = session.fields.expiresAt as { iso?: string } | undefined;
  if (expiresAt?.iso && Date.parse(expiresAt.iso) < Date.now()) return undefined;
  return session;
}

/** The user a valid session token belongs to. */
export function userForToken(store: Store, token: string): StoredObject | undefined {
  const session = findSession(store, token);
  const pointer = session?.fields.user as { objectId?: string } | undefined;
  return pointer?.objectId ? store.get('_User', pointer.objectId) : undefined;
}

/** `role:<name>` for every role the user is in, directly or through roles that contain its roles. */
export function rolesOfUser(store: Store, userId: string): string[] {
  const roles = store.list('_Role');
  const held = new Set(roles.filter((role) => store.relation('_Role', role.objectId, 'users').has(userId)).map((r) => r.objectId));
  let grew = true;
  while (grew) {
    grew = false;
    for (const role of roles) {
      if (held.has(role.objectId)) continue;
      const children = store.relation('_Role', role.objectId, 'roles');
      if ([...children].some((id) => held.has(id))) {
        held.add(role.objectId);
        grew = true;
      }
    }
  }
  return roles.filter((role) => held.has(role.objectId) && typeof role.fields.name === 'string').map((role) => `role:${role.fields.name as string}`);
}

/** The identities an ACL is checked against: `*`, then the user id and its roles when there is a user. */
export function aclGroups(store: Store, identity: Identity): string[] {
  if (!identity.user) return ['*'];
  return ['*', identity.user.objectId, ...rolesOfUser(store, identity.user.objectId)];
}
