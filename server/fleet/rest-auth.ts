// Session tokens and roles for a fleet node, resolved through Parse Server's REST API and cached as Parse's own
// LiveQuery node caches them: an LRU of 500 tokens, each kept `cacheTimeout` ms (valid or invalid alike), a token
// whose resolution failed for another reason (server unreachable) not cached at all, roles looked up once per cache
// entry, and a `clearCache` message dropping the cached tokens of that user's sessions.
//
// Events are delivered synchronously from the cache: before an event, `prepare()` fetches what is missing.

import { RestError, type RestClient, type RestCredentials } from '../../src/parse-rest/rest-client.js';
import type { CachedAuth, TokenAuth } from '../lq-auth.js';

/** Where tokens, roles and sessions come from (the REST API; a fake in unit tests). */
export interface AuthSource {
  /** The user id of a valid token; null for a token the server calls invalid or expired (209). Throws when it cannot tell. */
  userOf(token: string): Promise<string | null>;
  /** `role:<name>` for every role the user holds, directly or through parent roles. */
  rolesOf(userId: string): Promise<string[]>;
  /** The session tokens of the user's sessions. */
  sessionTokensOf(userId: string): Promise<string[]>;
}

const INVALID_SESSION_TOKEN = 209;
/** More than any app has per user; the REST client pages up to it. */
const MAX_ROWS = 10_000;

/**
 * `creds` carries the master key (roles and sessions are read with it) and the JavaScript key: `/users/me` is asked
 * as a client with the token, as an app would.
 */
export function restAuthSource(rest: RestClient, creds: Required<Pick<RestCredentials, 'restURL' | 'applicationId' | 'javascriptKey' | 'masterKey'>>): AuthSource {
  const pointer = (className: string, objectId: string) => ({ __type: 'Pointer', className, objectId });
  const master: RestCredentials = { restURL: creds.restURL, applicationId: creds.applicationId, masterKey: creds.masterKey };
  return {
    async userOf(token) {
      try {
        return (await rest.me({ restURL: creds.restURL, applicationId: creds.applicationId, javascriptKey: creds.javascriptKey, sessionToken: token })).objectId;
      } catch (error) {
        if (error instanceof RestError && error.code === INVALID_SESSION_TOKEN) return null;
        throw error;
      }
    },
    async rolesOf(userId) {
      const direct = await rest.find(master, '_Role', { users: pointer('_User', userId) }, { max: MAX_ROWS, keys: ['name'] });
      const names = new Set<string>();
      const seen = new Set<string>();
      let frontier = direct.results;
      // Parent roles: a role whose `roles` relation holds one of ours; cycles end because each role is asked once.
      while (frontier.length) {
        const ids: string[] = [];
        for (const role of frontier) {
          const id = String(role.objectId);
          if (seen.has(id)) continue;
          seen.add(id);
          ids.push(id);
          if (typeof role.name === 'string') names.add(role.name);
        }
        if (!ids.length) break;
        const parents = await rest.find(master, '_Role', { roles: { $in: ids.map((id) => pointer('_Role', id)) } }, { max: MAX_ROWS, keys: ['name'] });
        frontier = parents.results;
      }
      return [...names].map((name) => `role:${name}`);
    },
    async sessionTokensOf(userId) {
      const sessions = await rest.find(master, '_Session', { user: pointer('_User', userId) }, { max: MAX_ROWS, keys: ['sessionToken'] });
      return sessions.results.map((s) => s.sessionToken).filter((t): t is string => typeof t === 'string');
    },
  };
}

interface Entry {
  userId?: string;
  roles?: string[];
  rolesLoading?: Promise<void>;
  expiresAt: number;
}

const NO_USER: CachedAuth = { roles: () => [] };

export type RestHealthState = 'unknown' | 'ok' | 'unreachable';

export interface RestAuthHealth {
  state: RestHealthState;
  since: string;
  lastError?: string;
}

export class RestAuthCache implements TokenAuth {
  private readonly entries = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Entry | null>>();
  readonly health: RestAuthHealth = { state: 'unknown', since: new Date().toISOString() };

  constructor(
    private readonly source: AuthSource,
    private readonly ttlMs: number,
    private readonly log: (line: string) => void,
    private readonly max = 500,
  ) {}

  private authOf(entry: Entry | null | undefined): CachedAuth {
    if (!entry?.userId) return NO_USER;
    return { userId: entry.userId, roles: () => entry.roles ?? [] };
  }

  private fresh(token: string): Entry | undefined {
    const entry = this.entries.get(token);
    return entry && entry.expiresAt > Date.now() ? entry : undefined;
  }

  get(token: string): CachedAuth {
    return this.authOf(this.entries.get(token));
  }

  resolve(token: string): CachedAuth | Promise<CachedAuth> {
    const entry = this.fresh(token);
    if (entry) return this.authOf(entry);
    return this.fetch(token).then((fetched) => this.authOf(fetched));
  }

  warm(token: string): Promise<unknown> | null {
    return this.fresh(token) ? null : this.fetch(token);
  }

  /**
   * Makes every token fresh in the cache (and, with `roles`, its user's roles loaded) so that an event can be
   * decided synchronously. Null when nothing was missing: the caller delivers at once.
   */
  prepare(tokens: Iterable<string>, roles: boolean): Promise<void> | null {
    const waits: Promise<unknown>[] = [];
    for (const token of tokens) {
      const entry = this.fresh(token);
      if (!entry) waits.push(this.fetch(token).then((fetched) => (roles && fetched ? this.loadRoles(fetched) : undefined)));
      else if (roles && entry.userId && !entry.roles) waits.push(this.loadRoles(entry));
    }
    return waits.length ? Promise.all(waits).then(() => undefined) : null;
  }

  /** `clearCache {userId}`: forget the cached tokens of the user's sessions (so roles are looked up again). */
  async clearUser(userId: string): Promise<void> {
    try {
      const tokens = await this.source.sessionTokensOf(userId);
      for (const token of tokens) this.entries.delete(token);
      this.markReachable();
    } catch (error) {
      this.markUnreachable(`could not clear the cached roles of user ${userId}`, error);
    }
  }

  private fetch(token: string): Promise<Entry | null> {
    const running = this.pending.get(token);
    if (running) return running;
    const promise = this.source
      .userOf(token)
      .then((userId) => {
        this.markReachable();
        const entry: Entry = { ...(userId ? { userId } : {}), expiresAt: Date.now() + this.ttlMs };
        this.store(token, entry);
        return entry;
      })
      .catch((error: unknown) => {
        // Like Parse: an answer other than "invalid session token" is not cached (an expired entry goes too), and
        // this event sees no user.
        this.entries.delete(token);
        this.markUnreachable('could not resolve a session token', error);
        return null;
      })
      .finally(() => this.pending.delete(token));
    this.pending.set(token, promise);
    return promise;
  }

  private loadRoles(entry: Entry): Promise<void> {
    if (!entry.userId || entry.roles) return Promise.resolve();
    entry.rolesLoading ??= this.source
      .rolesOf(entry.userId)
      .then((roles) => {
        entry.roles = roles;
        this.markReachable();
      })
      .catch((error: unknown) => this.markUnreachable(`could not look up the roles of user ${entry.userId}`, error))
      .finally(() => {
        entry.rolesLoading = undefined;
      });
    return entry.rolesLoading;
  }

  private store(token: string, entry: Entry): void {
    this.entries.delete(token);
    this.entries.set(token, entry);
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** What the start-up probe of the Parse Server found (see parse-server-probe.ts). */
  probed(problem: string | null): void {
    if (problem === null) this.markReachable();
    else this.markUnreachable('start-up check', problem);
  }

  private markReachable(): void {
    if (this.health.state === 'ok') return;
    if (this.health.state === 'unreachable') this.log('parse-server REST: answering again');
    this.health.state = 'ok';
    this.health.since = new Date().toISOString();
    this.health.lastError = undefined;
  }

  private markUnreachable(what: string, error: unknown): void {
    const message = what === 'start-up check' ? String(error) : `${what}: ${error instanceof Error ? error.message : String(error)}`;
    if (this.health.state !== 'unreachable' || this.health.lastError !== message) this.log(`parse-server REST: ${message}`);
    if (this.health.state !== 'unreachable') this.health.since = new Date().toISOString();
    this.health.state = 'unreachable';
    this.health.lastError = message;
  }

  clear(): void {
    this.entries.clear();
  }
}
