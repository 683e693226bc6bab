// Users and sessions over REST: sign up, log in, current user, log out, current session.

import { findSession } from './auth.js';
import { ErrorCode, ParseError } from './errors.js';
import { eventJSON, restJSON } from './object-json.js';
import { verifyPassword } from './passwords.js';
import type { StoredObject } from './store.js';
import { createSession } from './sessions.js';
import { createObject, type WriteContext } from './writes.js';

type Bag = Record<string, unknown>;

/** The user as they see themselves, plus their session token. */
function selfJSON(ctx: WriteContext, user: StoredObject, sessionToken: string): Bag {
  return { ...restJSON(ctx.store, user), sessionToken };
}

export async function signUp(ctx: WriteContext, body: Bag): Promise<Bag> {
  const { object, response } = await createObject(ctx, '_User', body);
  const sessionToken = createSession(ctx.store, ctx.publish, object.objectId, ctx.identity.installationId, { action: 'signup', authProvider: 'password' });
  return { ...response, sessionToken };
}

export async function logIn(ctx: WriteContext, params: Bag): Promise<Bag> {
  const { username, email, password } = params;
  if (!username && !email) throw new ParseError(ErrorCode.USERNAME_MISSING, 'username/email is required.');
  if (!password) throw new ParseError(ErrorCode.PASSWORD_MISSING, 'password is required.');
  const invalid = new ParseError(ErrorCode.OBJECT_NOT_FOUND, 'Invalid username/password.');
  if (typeof password !== 'string') throw invalid;
  const user = ctx.store
    .list('_User')
    .find((u) => (username ? u.fields.username === username : u.fields.email === email));
  if (!user || !(await verifyPassword(password, user.fields._hashed_password))) throw invalid;
  const sessionToken = createSession(ctx.store, ctx.publish, user.objectId, ctx.identity.installationId, { action: 'login', authProvider: 'password' });
  return selfJSON(ctx, user, sessionToken);
}

export function currentUser(ctx: WriteContext): Bag {
  const { user, sessionToken } = ctx.identity;
  if (!user || !sessionToken) throw new ParseError(ErrorCode.INVALID_SESSION_TOKEN, 'Permission denied');
  return selfJSON(ctx, user, sessionToken);
}

export function logOut(ctx: WriteContext): Bag {
  const token = ctx.identity.sessionToken;
  const session = token ? findSession(ctx.store, token) : undefined;
  if (session) {
    ctx.store.remove('_Session', session.objectId);
    ctx.publish.remove(eventJSON(ctx.store, session));
  }
  return {};
}

export function currentSession(ctx: WriteContext): Bag {
  const token = ctx.identity.sessionToken;
  const session = token ? findSession(ctx.store, token) : undefined;
  if (!session) throw new ParseError(ErrorCode.INVALID_SESSION_TOKEN, 'Invalid session token');
  return restJSON(ctx.store, session);
}
