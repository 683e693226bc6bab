// Which session token decides a subscription's events (its own, else its connection's, else none) and the REST
// credentials that ask the server whose it is: Parse Server tries the subscribe frame's token, then the connect's.

import type { TokenSource } from '../../src/timeline/record.js';
import type { PageSocketView, PageSubscriptionView, ServerView, SubscriptionView } from '../../src/views.js';
import { restURLOf, type RestCredentials } from '../../src/parse-rest/rest-client.js';
import { pageSocketRest } from './query-sources.js';

export type { TokenSource };

export interface TokenProvenance {
  source: TokenSource | 'none';
  /** The token that applies; shown masked only. */
  token?: string;
  /** How to check it (`/users/me` on the subscription's server); absent when it cannot be checked. */
  creds?: RestCredentials;
  /** The server entry's key (`serverKeyOf`) its keyring tokens are filed under, when it has one. */
  serverKey?: string;
  /** Why the token cannot be checked, when it cannot. */
  uncheckable?: string;
}

function applied(ownToken: string | undefined, connectionToken: string | undefined): Pick<TokenProvenance, 'source' | 'token'> {
  if (ownToken) return { source: 'subscription', token: ownToken };
  if (connectionToken) return { source: 'connection', token: connectionToken };
  return { source: 'none' };
}

/** A subscription the panel owns: its token, else the server entry's connect token. */
export function serverSubscriptionProvenance(server: ServerView, sub: SubscriptionView): TokenProvenance {
  const { spec } = server;
  const provenance: TokenProvenance = { ...applied(sub.sessionToken, spec.sessionToken), serverKey: `${spec.serverURL}|${spec.applicationId}` };
  if (provenance.token) {
    provenance.creds = { restURL: restURLOf(spec), applicationId: spec.applicationId, javascriptKey: spec.javascriptKey, sessionToken: provenance.token };
  }
  return provenance;
}

/** A page subscription: its subscribe frame's token, else the page socket's connect token. */
export function pageSubscriptionProvenance(socket: PageSocketView, sub: PageSubscriptionView, servers: readonly ServerView[]): TokenProvenance {
  const provenance: TokenProvenance = applied(sub.sessionToken, socket.sessionToken);
  if (!provenance.token) return provenance;
  const rest = pageSocketRest(socket, servers);
  if (!rest) return { ...provenance, uncheckable: 'the page socket has not said which application it serves' };
  return {
    ...provenance,
    serverKey: rest.serverKey,
    creds: { restURL: rest.restURL, applicationId: rest.applicationId, javascriptKey: socket.javascriptKey, sessionToken: provenance.token },
  };
}

/** What the radar caches a check under: the server (REST root and application) and the token. */
export function tokenCheckKey(creds: Pick<RestCredentials, 'restURL' | 'applicationId' | 'sessionToken'>): string {
  return JSON.stringify([creds.restURL.replace(/\/+$/, '').toLowerCase(), creds.applicationId, creds.sessionToken ?? '']);
}
