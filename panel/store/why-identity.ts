// Who a subscriber is for Parse Server: the master key, no user, or a token's user with every role it holds
// (asked over REST: /users/me, then the role tree), with a plain reason when that cannot be known.

import { RestError, type RestClient, type RestCredentials } from '../../src/parse-rest/rest-client.js';
import { resolveRoles, type RoleTree } from './why-roles.js';
import type { WhyTarget } from './why-target.js';

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

/** A REST failure in words: a revoked token and refused keys named as such. */
export function describeRestError(error: unknown): string {
  if (error instanceof RestError) {
    if (error.code === 209) return 'the session token is invalid or revoked (code 209)';
    if (error.status === 403) return `the server refused the keys (${error.message}): check the application id and keys of the server entry`;
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** How the panel reads objects and roles for a target: the server entry's master key when it has one, else its token. */
export function lookupCredsOf(target: WhyTarget): RestCredentials {
  if (target.masterKey) return { ...target.rest, masterKey: target.masterKey };
  return target.token ? { ...target.rest, sessionToken: target.token.value } : target.rest;
}

/** Reports the identity of `token` as it becomes known: the user first, then the user with its roles. */
export async function resolveIdentity(rest: RestClient, target: WhyTarget, token: string | undefined, report: (identity: Identity) => void): Promise<void> {
  if (target.connectionMaster) return report({ state: 'master' });
  if (!token) return report({ state: 'anonymous' });
  if (target.restProblem) return report({ state: 'error', message: target.restProblem });
  let owner;
  try {
    owner = await rest.me({ ...target.rest, sessionToken: token });
  } catch (error) {
    if (error instanceof RestError && error.code === 209) {
      return report({ state: 'invalid', message: 'this token is invalid or revoked (code 209): Parse Server treats the subscriber as having no user, so only public objects reach it' });
    }
    return report({ state: 'error', message: describeRestError(error) });
  }
  const user: Identity = { state: 'user', userId: owner.objectId, username: owner.username, rolesWith: target.masterKey ? 'master' : 'token' };
  report(user);
  try {
    report({ ...user, roles: await resolveRoles(rest, lookupCredsOf(target), owner.objectId) });
  } catch (error) {
    report({ ...user, rolesError: describeRestError(error) });
  }
}
