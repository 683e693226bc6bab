// What "Why no event?" asks the server over REST, each answer or failure in words: whose a token is and its roles,
// the object, the class-level permissions. A chunk of its own, loaded (like the explainer) when the view first opens.

import { RestError, type RestClient, type RestCredentials } from '../../src/parse-rest/rest-client.js';
import type { ClassPermissions, ObjectLookup } from './why.js';
import type { Identity } from './why-identity.js';
import { resolveRoles } from './why-roles.js';
import type { WhyTarget } from './why-target.js';

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

/** The class-level permissions of the target's class, read with the server entry's master key. */
export async function readClassPermissions(rest: Pick<RestClient, 'classPermissions'>, target: WhyTarget & { masterKey: string }): Promise<ClassPermissions> {
  try {
    return { state: 'loaded', permissions: await rest.classPermissions({ ...target.rest, masterKey: target.masterKey }, target.className) };
  } catch (error) {
    return { state: 'error', message: `class-level permissions could not be read: ${describeRestError(error)}` };
  }
}

/** The object `id` of the target's class, as the panel can read it (master key, else the subscriber's token). */
export async function readObject(rest: Pick<RestClient, 'getObject'>, t: WhyTarget, id: string): Promise<ObjectLookup> {
  const readWith = t.masterKey ? 'master' : t.token ? 'token' : 'public';
  try {
    const object = await rest.getObject(lookupCredsOf(t), t.className, id);
    return { state: 'found', objectId: id, object, with: readWith };
  } catch (error) {
    if (error instanceof RestError && error.code === 101) {
      if (readWith === 'master') {
        return { state: 'missing', objectId: id, message: `No ${t.className} has objectId ${id} (code 101), even read with the master key: check the id and the class` };
      }
      const who = readWith === 'token' ? 'This token cannot read' : 'Without a session token, this subscription cannot read';
      return {
        state: 'unreadable',
        objectId: id,
        message: `${who} ${t.className} ${id} (Parse answers "Object not found", code 101, for an object it may not read as for one that does not exist): either way Parse Server sends this subscription no event for it. Add the server's master key to its entry to see the object and which step fails.`,
      };
    }
    return { state: 'error', objectId: id, message: `Could not read ${t.className} ${id}: ${describeRestError(error)}` };
  }
}
