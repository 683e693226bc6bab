// Who a subscriber is for Parse Server: the master key, no user, or a token's user with every role it holds, with a
// plain reason when that cannot be known (why-lookups.ts asks the server).

import type { RoleTree } from './why-roles.js';

export type Identity =
  | { state: 'loading' }
  | { state: 'master' }
  | { state: 'anonymous' }
  /** The token does not resolve (code 209): Parse Server treats the subscriber as having no user. */
  | { state: 'invalid'; message: string }
  /** `roles` is absent while they are being read; `rolesWith`: read with the master key or with the token itself. */
  | { state: 'user'; userId: string; username: string; roles?: RoleTree; rolesError?: string; rolesWith: 'master' | 'token' }
  /** Whose the token is could not be asked (unreachable, wrong keys…). */
  | { state: 'error'; message: string };

/** The user and roles are known, or known to be unknowable: a verdict before that would be a guess. */
export const isIdentityReady = (who: Identity): boolean => who.state !== 'loading' && !(who.state === 'user' && !who.roles && !who.rolesError);
