// Where a subscription's query runs over REST: its server's REST root and keys, its session token and query.

import { subscriptionKey } from '../../src/timeline/keys.js';
import type { PageSocketView, ServerView } from '../../src/views.js';
import { restURLFor, restURLOf } from '../../src/parse-rest/rest-client.js';
import type { QuerySource } from './result-sets.js';

export const sameEndpoint = (a: string, b: string) => a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();

/** A page socket's URL without its query or fragment (some SDKs add parameters to the LiveQuery URL). */
export function socketRoot(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return url;
  }
}

/**
 * The query source of a panel subscription (`server:<id>/<subscriptionId>`) or a page one
 * (`pageSocket:<socketId>/<requestId>`). A page socket uses the REST URL of a server entry with the same LiveQuery URL
 * and application id when there is one, else the one derived from its URL. No master key: the check must see what
 * the subscription's token may read.
 */
export function querySourceOf(key: string, servers: readonly ServerView[], sockets: readonly PageSocketView[]): QuerySource | undefined {
  for (const server of servers) {
    const sub = server.subscriptions.find((s) => subscriptionKey({ type: 'server', serverId: server.id, subscriptionId: s.id }) === key);
    if (!sub) continue;
    const { spec } = server;
    return {
      creds: { restURL: restURLOf(spec), applicationId: spec.applicationId, javascriptKey: spec.javascriptKey, sessionToken: sub.sessionToken },
      query: sub.query,
      source: { type: 'server', serverId: server.id },
    };
  }
  let socket: PageSocketView | undefined;
  let sub: PageSocketView['subscriptions'][number] | undefined;
  for (const candidate of sockets) {
    sub = candidate.subscriptions.find((s) => subscriptionKey({ type: 'pageSocket', socketId: candidate.id, requestId: s.requestId }) === key);
    if (sub) {
      socket = candidate;
      break;
    }
  }
  const rest = socket && pageSocketRest(socket, servers);
  if (!socket || !sub || sub.queryOmitted || !rest) return undefined;
  return {
    creds: {
      restURL: rest.restURL,
      applicationId: rest.applicationId,
      javascriptKey: socket.javascriptKey,
      sessionToken: sub.sessionToken ?? socket.sessionToken,
    },
    query: sub.query,
    source: { type: 'pageSocket', socketId: socket.id, frameId: socket.frameId },
  };
}

/**
 * Where a page socket's server answers REST: the REST URL of a server entry with the same LiveQuery URL and
 * application id when there is one, else the one derived from the socket's URL. Undefined until the socket said
 * which application it serves.
 */
export function pageSocketRest(
  socket: PageSocketView,
  servers: readonly ServerView[],
): { restURL: string; applicationId: string; serverKey: string } | undefined {
  const applicationId = socket.applicationId;
  if (!applicationId) return undefined;
  const root = socketRoot(socket.url);
  const server = servers.find((s) => sameEndpoint(s.spec.serverURL, root) && s.spec.applicationId === applicationId);
  return server
    ? { restURL: restURLOf(server.spec), applicationId, serverKey: `${server.spec.serverURL}|${applicationId}` }
    : { restURL: restURLFor(root), applicationId, serverKey: `${root}|${applicationId}` };
}
