// A small Parse REST client behind an interface: what the panel asks (log in, seed or check a result set, a class's
// schema, a token's owner, roles, objects) and what a LiveQuery-only fleet node asks (tokens, roles). Uses fetch.

import { fieldsFromSchema } from '../lint/known-fields.js';
import type { KnownFields } from '../lint/index.js';

export class RestError extends Error {
  override name = 'RestError';
  constructor(
    message: string,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
    /** Parse's error code (e.g. 209 invalid session token), when the answer carried one. */
    readonly code?: number,
  ) {
    super(message);
  }
}

/** The default REST root for a LiveQuery URL: same host and path, http(s) instead of ws(s). */
export function restURLFor(liveQueryURL: string): string {
  return liveQueryURL.replace(/^ws(s?):/i, 'http$1:').replace(/\/+$/, '');
}

/** The REST root a server entry uses: the one it names, else the one derived from its LiveQuery URL. */
export function restURLOf(spec: { serverURL: string; restURL?: string }): string {
  const named = spec.restURL?.trim();
  return named ? named.replace(/\/+$/, '') : restURLFor(spec.serverURL);
}

/** Objects per REST request while paging (servers may cap `limit`; 1,000 is below every common cap). */
export const REST_PAGE_SIZE = 1000;

export interface FindOptions {
  max: number;
  /** Only these fields (and objectId, createdAt, updatedAt), as a subscription's `keys` does. */
  keys?: readonly string[];
}

export interface FoundObjects {
  /** At most `max` objects, in objectId order. */
  results: Record<string, unknown>[];
  /** Whether more objects match than `max`. */
  more: boolean;
}

export interface RestCredentials {
  restURL: string;
  applicationId: string;
  javascriptKey?: string;
  masterKey?: string;
  sessionToken?: string;
}

export interface LoggedInUser {
  sessionToken: string;
  objectId: string;
  username: string;
}

/** Whose a session token is, as the server answers `/users/me` and `/sessions/me`. */
export interface TokenOwner {
  objectId: string;
  username: string;
  /** ISO time the session expires, when the server says (`/sessions/me`). */
  expiresAt?: string;
}

/** A `_Role` as the role lookups return it: enough to name it and to follow its `roles` relation. */
export interface RoleRecord {
  objectId: string;
  name: string;
}

/** Roles per lookup: more than this many roles in one step of a role tree is cut (and said). */
export const MAX_ROLES_PER_LOOKUP = 1000;

export interface RestClient {
  logIn(creds: RestCredentials, username: string, password: string): Promise<LoggedInUser>;
  /** The user and session of `creds.sessionToken`; rejects with the server's code 209 for an invalid or revoked token. */
  me(creds: RestCredentials): Promise<TokenOwner>;
  /** One object by id (GET /classes/<class>/<id>); Parse answers 404 with code 101 for a missing or unreadable one. */
  getObject(creds: RestCredentials, className: string, objectId: string): Promise<Record<string, unknown>>;
  /** The roles whose `users` relation holds the user (the user's direct roles), as far as `creds` may read `_Role`. */
  rolesWithUser(creds: RestCredentials, userId: string): Promise<RoleRecord[]>;
  /** The roles whose `roles` relation holds one of `roleIds`: the users of those roles inherit them. */
  rolesContaining(creds: RestCredentials, roleIds: readonly string[]): Promise<RoleRecord[]>;
  /** A class's class-level permissions (GET /schemas/<class>: needs the master key); undefined when it has none. */
  classPermissions(creds: RestCredentials, className: string): Promise<Record<string, unknown> | undefined>;
  /** Every object the query matches, up to `max`, paged by objectId (a `skip` grows slow and is capped by servers). */
  find(creds: RestCredentials, className: string, where: Record<string, unknown>, options: FindOptions): Promise<FoundObjects>;
  /**
   * The class's fields from `/schemas/<class>` (needs `creds.masterKey`); `{source: 'no-class'}` when the server says
   * the class does not exist (code 103).
   */
  schema(creds: RestCredentials, className: string): Promise<KnownFields>;
  /** Creates an object (the fan-out check's throwaway one, with the master key); answers its objectId. */
  createObject(creds: RestCredentials, className: string, fields: Record<string, unknown>): Promise<{ objectId: string }>;
  updateObject(creds: RestCredentials, className: string, objectId: string, fields: Record<string, unknown>): Promise<void>;
  deleteObject(creds: RestCredentials, className: string, objectId: string): Promise<void>;
}

/** Parse's code for "Class X does not exist" / invalid class name. */
const INVALID_CLASS_NAME = 103;

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

export function fetchRestClient(fetchFn: Fetch = (url, init) => fetch(url, init)): RestClient {
  async function call(creds: RestCredentials, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = { 'X-Parse-Application-Id': creds.applicationId, 'X-Parse-Revocable-Session': '1' };
    if (creds.javascriptKey) headers['X-Parse-JavaScript-Key'] = creds.javascriptKey;
    if (creds.masterKey) headers['X-Parse-Master-Key'] = creds.masterKey;
    if (creds.sessionToken) headers['X-Parse-Session-Token'] = creds.sessionToken;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetchFn(`${creds.restURL}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new RestError(`Cannot reach ${creds.restURL}: ${(error as Error).message}`);
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      throw new RestError(`${creds.restURL}${path} answered ${response.status} without JSON: is this the Parse REST URL?`);
    }
    const data = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
    if (!response.ok) {
      const code = typeof data.code === 'number' ? data.code : undefined;
      throw new RestError(`${String(data.error ?? response.statusText)} (code ${String(code ?? response.status)})`, response.status, code);
    }
    return data;
  }

  async function findRoles(creds: RestCredentials, where: Record<string, unknown>): Promise<RoleRecord[]> {
    const params = new URLSearchParams({ where: JSON.stringify(where), keys: 'name', limit: String(MAX_ROLES_PER_LOOKUP), order: 'objectId' });
    const data = await call(creds, 'GET', `/classes/_Role?${params}`);
    if (!Array.isArray(data.results)) throw new RestError(`${creds.restURL} answered a role query without a results list: is this the Parse REST URL?`);
    return (data.results as unknown[]).flatMap((role) => {
      const { objectId, name } = (typeof role === 'object' && role !== null ? role : {}) as Record<string, unknown>;
      return typeof objectId === 'string' && typeof name === 'string' ? [{ objectId, name }] : [];
    });
  }

  return {
    async logIn(creds, username, password) {
      const data = await call(creds, 'POST', '/login', { username, password });
      if (typeof data.sessionToken !== 'string') throw new RestError('The server answered without a session token');
      return { sessionToken: data.sessionToken, objectId: String(data.objectId ?? ''), username };
    },
    async me(creds) {
      const user = await call(creds, 'GET', '/users/me');
      if (typeof user.objectId !== 'string') throw new RestError(`${creds.restURL}/users/me answered without a user: is this the Parse REST URL?`);
      const owner: TokenOwner = { objectId: user.objectId, username: String(user.username ?? '') };
      // The expiry is the session's; a server without /sessions/me still told us whose the token is.
      const session = await call(creds, 'GET', '/sessions/me').catch(() => undefined);
      const expiresAt = (session?.expiresAt as { iso?: unknown } | undefined)?.iso;
      if (typeof expiresAt === 'string') owner.expiresAt = expiresAt;
      return owner;
    },
    async getObject(creds, className, objectId) {
      const object = await call(creds, 'GET', `/classes/${encodeURIComponent(className)}/${encodeURIComponent(objectId)}`);
      if (typeof object.objectId !== 'string') throw new RestError(`${creds.restURL} answered without an object: is this the Parse REST URL?`);
      return object;
    },
    async classPermissions(creds, className) {
      const schema = await call(creds, 'GET', `/schemas/${encodeURIComponent(className)}`);
      const permissions = schema.classLevelPermissions;
      return typeof permissions === 'object' && permissions !== null && !Array.isArray(permissions) ? (permissions as Record<string, unknown>) : undefined;
    },
    rolesWithUser(creds, userId) {
      return findRoles(creds, { users: { __type: 'Pointer', className: '_User', objectId: userId } });
    },
    rolesContaining(creds, roleIds) {
      if (!roleIds.length) return Promise.resolve([]);
      return findRoles(creds, { roles: { $in: roleIds.map((objectId) => ({ __type: 'Pointer', className: '_Role', objectId })) } });
    },
    async find(creds, className, where, { max, keys }) {
      const results: Record<string, unknown>[] = [];
      let after: string | undefined;
      // One more than `max` tells whether there are more.
      while (results.length <= max) {
        const limit = Math.min(REST_PAGE_SIZE, max + 1 - results.length);
        const params = new URLSearchParams({ where: JSON.stringify(pageWhere(where, after)), limit: String(limit), order: 'objectId' });
        if (keys?.length) params.set('keys', keys.join(','));
        const data = await call(creds, 'GET', `/classes/${encodeURIComponent(className)}?${params}`);
        if (!Array.isArray(data.results)) throw new RestError(`${creds.restURL} answered a query without a results list: is this the Parse REST URL?`);
        const page = data.results as unknown[];
        for (const [i, object] of page.entries()) {
          if (typeof object !== 'object' || object === null || Array.isArray(object) || typeof (object as { objectId?: unknown }).objectId !== 'string') {
            throw new RestError(`The server answered a malformed object (result ${results.length + i + 1}: ${JSON.stringify(object)?.slice(0, 80)}): nothing was changed`);
          }
        }
        // A server may answer fewer than `limit` (its own maxLimit): only an empty page says there are no more.
        if (page.length === 0) break;
        results.push(...(page as Record<string, unknown>[]));
        after = String(results[results.length - 1]!.objectId);
      }
      return results.length > max ? { results: results.slice(0, max), more: true } : { results, more: false };
    },
    async schema(creds, className) {
      if (!creds.masterKey) throw new RestError('Reading a schema needs the master key');
      let answer: Record<string, unknown>;
      try {
        answer = await call(creds, 'GET', `/schemas/${encodeURIComponent(className)}`);
      } catch (error) {
        if (error instanceof RestError && error.code === INVALID_CLASS_NAME) return { source: 'no-class' };
        throw error;
      }
      const fields = fieldsFromSchema(answer);
      if (!fields) throw new RestError(`${creds.restURL}/schemas/${className} answered without fields: is this the Parse REST URL?`);
      return fields;
    },
    async createObject(creds, className, fields) {
      const data = await call(creds, 'POST', `/classes/${encodeURIComponent(className)}`, fields);
      if (typeof data.objectId !== 'string') throw new RestError(`${creds.restURL} answered a create without an objectId: is this the Parse REST URL?`);
      return { objectId: data.objectId };
    },
    async updateObject(creds, className, objectId, fields) {
      await call(creds, 'PUT', `/classes/${encodeURIComponent(className)}/${encodeURIComponent(objectId)}`, fields);
    },
    async deleteObject(creds, className, objectId) {
      await call(creds, 'DELETE', `/classes/${encodeURIComponent(className)}/${encodeURIComponent(objectId)}`);
    },
  };
}

/** The query's `where` restricted to objectIds after `after` (the next page in objectId order). */
function pageWhere(where: Record<string, unknown>, after: string | undefined): Record<string, unknown> {
  if (after === undefined) return where;
  const next = { objectId: { $gt: after } };
  return 'objectId' in where ? { $and: [where, next] } : { ...where, ...next };
}
