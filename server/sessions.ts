// Session rows: created on signup, login and a user's own password change; revoked on logout, password change,
// user deletion, and when the same installation opens a newer session.

import { newObjectId, newSessionToken } from './ids.js';
import type { Store } from './store.js';
import type { Publisher } from './writes.js';

type Bag = Record<string, unknown>;

const SESSION_LENGTH_MS = 365 * 24 * 3600 * 1000;

export type CreatedWith = { action: 'signup' | 'login'; authProvider: 'password' };

/**
 * Stores a new session and publishes it like any create. The event carries Parse Server's session data in
 * the order it builds it; the row keeps the order a `_Session` row reads back in. A password change creates
 * its session without `createdWith`.
 */
export function createSession(store: Store, publish: Publisher, userId: string, installationId: string | undefined, createdWith?: CreatedWith): string {
  const sessionToken = newSessionToken();
  const user = { __type: 'Pointer', className: '_User', objectId: userId };
  const expiresAt = { __type: 'Date', iso: new Date(Date.now() + SESSION_LENGTH_MS).toISOString() };
  const data: Bag = { sessionToken, user, createdWith, expiresAt, installationId };
  const fields: Bag = { user, installationId, sessionToken, expiresAt, createdWith };
  for (const bag of [data, fields]) {
    for (const key of Object.keys(bag)) if (bag[key] === undefined) delete bag[key];
  }
  // Parse Server keeps one session per user and installation: older ones go, straight from the database.
  if (installationId) {
    for (const session of store.list('_Session')) {
      const owner = (session.fields.user as Bag | undefined)?.objectId;
      if (owner === userId && session.fields.installationId === installationId) store.remove('_Session', session.objectId);
    }
  }
  const now = new Date().toISOString();
  const objectId = newObjectId();
  store.put({ className: '_Session', objectId, createdAt: now, updatedAt: now, fields });
  publish.save({ ...data, createdAt: now, updatedAt: now, className: '_Session', objectId }, null);
  return sessionToken;
}

/** Deletes every session of a user straight from the database (Parse publishes nothing for these). */
export function revokeSessions(store: Store, userId: string): void {
  for (const session of store.list('_Session')) {
    if ((session.fields.user as Bag | undefined)?.objectId === userId) store.remove('_Session', session.objectId);
  }
}
