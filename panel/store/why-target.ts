// Who a subscription's events are decided for, and how the panel reads on its behalf: the query, the tokens Parse
// Server tries (the subscription's, then the connection's), whether the connection uses the master key, and the REST
// credentials for the object and role lookups (the server entry's master key when it has one, else the token).

import type { QueryJSON } from '../../src/livequery/protocol.js';
import { subscriptionKey } from '../../src/timeline/keys.js';
import type { PageSocketView, ServerView, ServerSpec } from '../../src/views.js';
import { restURLFor, restURLOf, type RestCredentials } from '../../src/parse-rest/rest-client.js';
import { sameEndpoint, socketRoot } from './query-sources.js';

export type TokenOrigin = 'subscription' | 'connection';

export interface WhyTarget {
  subscriptionKey: string;
  /** The subscription in a few words ("Message {"room":"a"}", "page #2 Message"). */
  title: string;
  className: string;
  /** The query as subscribed; undefined when the page's query was not kept (`queryProblem` says why). */
  query?: QueryJSON;
  queryProblem?: string;
  /** Why the server cannot be asked over REST at all (no application id known). */
  restProblem?: string;
  /** The token Parse Server tries first: the subscription's own, else the connection's. */
  token?: { value: string; origin: TokenOrigin };
  /** The connection's token when the subscription has its own, different one: Parse Server tries it second. */
  connectionToken?: string;
  /** The connection authenticated with the master key: Parse Server lets it read every object. */
  connectionMaster: boolean;
  /** REST root, application id and JavaScript key, without a token or master key. */
  rest: RestCredentials;
  /** The master key of the server entry, for lookups that must see everything. */
  masterKey?: string;
}

function tokens(own: string | undefined, connection: string | undefined): Pick<WhyTarget, 'token' | 'connectionToken'> {
  if (own) return { token: { value: own, origin: 'subscription' }, ...(connection && connection !== own ? { connectionToken: connection } : {}) };
  return connection ? { token: { value: connection, origin: 'connection' } } : {};
}

const restOf = (spec: Pick<ServerSpec, 'serverURL' | 'restURL' | 'applicationId' | 'javascriptKey'>): RestCredentials => ({
  restURL: restURLOf(spec),
  applicationId: spec.applicationId,
  ...(spec.javascriptKey ? { javascriptKey: spec.javascriptKey } : {}),
});

const whereText = (where: unknown) => {
  const text = JSON.stringify(where ?? {}) ?? '';
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
};

/** The target of a panel subscription (`server:…`) or a page one (`pageSocket:…`); undefined when it is gone. */
export function whyTargetOf(key: string, servers: readonly ServerView[], sockets: readonly PageSocketView[]): WhyTarget | undefined {
  for (const server of servers) {
    const sub = server.subscriptions.find((s) => subscriptionKey({ type: 'server', serverId: server.id, subscriptionId: s.id }) === key);
    if (!sub) continue;
    const { spec } = server;
    return {
      subscriptionKey: key,
      title: `${sub.query.className} ${whereText(sub.query.where)}`,
      className: sub.query.className,
      query: sub.query,
      ...tokens(sub.sessionToken, spec.sessionToken),
      connectionMaster: !!spec.masterKey,
      rest: restOf(spec),
      ...(spec.masterKey ? { masterKey: spec.masterKey } : {}),
    };
  }
  for (const socket of sockets) {
    const sub = socket.subscriptions.find((s) => subscriptionKey({ type: 'pageSocket', socketId: socket.id, requestId: s.requestId }) === key);
    if (!sub) continue;
    const root = socketRoot(socket.url);
    const server = servers.find((s) => sameEndpoint(s.spec.serverURL, root) && s.spec.applicationId === socket.applicationId);
    const rest: RestCredentials = server
      ? restOf(server.spec)
      : { restURL: restURLFor(root), applicationId: socket.applicationId ?? '', ...(socket.javascriptKey ? { javascriptKey: socket.javascriptKey } : {}) };
    const target: WhyTarget = {
      subscriptionKey: key,
      title: `page #${sub.requestId} ${sub.query.className}`,
      className: sub.query.className,
      ...tokens(sub.sessionToken, socket.sessionToken),
      connectionMaster: !!socket.masterKey,
      rest,
      ...(server?.spec.masterKey ? { masterKey: server.spec.masterKey } : {}),
    };
    if (sub.queryOmitted) {
      target.queryProblem = `the page's query was ${sub.queryOmitted === 'tooDeep' ? 'nested too deep' : 'too large'} to keep (only its class is known), so its where cannot be checked`;
    } else target.query = sub.query;
    if (!socket.applicationId) target.restProblem = 'the page socket has not said its application id (no connect frame seen), so its server cannot be asked';
    return target;
  }
  return undefined;
}
