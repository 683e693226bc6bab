// Session-token resolution for LiveQuery, cached like Parse Server's (LRU of 500, `cacheTimeout` TTL, invalid tokens cached too).
//
// The cache is observable: after a logout, a subscription keeps receiving the user's private objects until its
// entry expires, and a token that was invalid stays invalid for the same time.

import { rolesOfUser, userForToken } from './auth.js';
import type { Store } from './store.js';

export interface CachedAuth {
  /** Undefined when the token is unknown or expired. */
  userId?: string;
  /** `role:<name>` entries, looked up once per cache entry and only when an ACL mentions a role. */
  roles(): string[];
}

/** How the LiveQuery server learns whose a session token is. */
export interface TokenAuth {
  /** While delivering an event (synchronous): a REST-backed cache answers from what it fetched beforehand. */
  get(token: string): CachedAuth;
  /** At subscribe time; may go to the network. */
  resolve(token: string): CachedAuth | Promise<CachedAuth>;
  /**
   * Parse Server resolves the subscriber's token while subscribing: a REST-backed cache fetches it then, so it has it
   * before the first event. Null when there is nothing to wait for (the embedded store answers on demand).
   */
  warm(token: string): Promise<unknown> | null;
}

interface Entry {
  auth: CachedAuth;
  expiresAt: number;
}

export class AuthCache implements TokenAuth {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: Store,
    private readonly ttlMs: number,
    private readonly max = 500,
  ) {}

  get(token: string): CachedAuth {
    const now = Date.now();
    const hit = this.entries.get(token);
    if (hit && hit.expiresAt > now) {
      this.entries.delete(token); // re-insert to mark as most recently used
      this.entries.set(token, hit);
      return hit.auth;
    }
    const userId = userForToken(this.store, token)?.objectId;
    let roles: string[] | undefined;
    const auth: CachedAuth = {
      userId,
      roles: () => (roles ??= userId ? rolesOfUser(this.store, userId) : []),
    };
    this.entries.delete(token);
    this.entries.set(token, { auth, expiresAt: now + this.ttlMs });
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    return auth;
  }

  resolve(token: string): CachedAuth {
    return this.get(token);
  }

  warm(): null {
    return null;
  }

  clear(): void {
    this.entries.clear();
  }
}
