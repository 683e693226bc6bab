// The connections the extension owns (servers and their subscriptions, as the service worker reports them) and the
// commands that change them.

import { computed, signal } from '@preact/signals';
import { exceedsDepth, MAX_JSON_DEPTH } from '../../src/json-limits.js';
import type { QueryJSON } from '../../src/livequery/protocol.js';
import type { FleetChoice, FormerServer, PageSocketView, PageSubscriptionView, ServerSpec, ServerView } from '../../src/views.js';
import { isRestURL } from '../../src/messages.js';
import type { PanelPort } from '../adapters/port.js';

const OPTIONAL_SPEC_FIELDS = ['javascriptKey', 'masterKey', 'sessionToken', 'label', 'restURL'] as const;

/** A spec as typed in a form: trimmed, with empty optional fields left out; throws when the REST URL is no URL. */
export function cleanSpec(spec: ServerSpec): ServerSpec {
  const out: ServerSpec = { serverURL: spec.serverURL.trim(), applicationId: spec.applicationId.trim() };
  for (const key of OPTIONAL_SPEC_FIELDS) {
    const value = spec[key]?.trim();
    if (value) out[key] = value;
  }
  if (out.restURL !== undefined) {
    out.restURL = out.restURL.replace(/\/+$/, '');
    if (!isRestURL(out.restURL)) throw new Error(`The REST URL must be an http(s) URL such as https://example.com/parse, not "${out.restURL}"`);
  }
  return out;
}

export function createConnectionsStore(port: PanelPort) {
  /** Whether the port to the service worker is up (it drops whenever the worker is stopped). */
  const connected = signal(false);
  const servers = signal<ServerView[]>([]);
  /** Servers removed (in any tab): named and with their URL for the records they left. */
  const formerServers = signal<FormerServer[]>([]);
  /** Changes only when the first server is added or the last removed, not with every counter. */
  const hasServers = computed(() => servers.value.length > 0);
  port.onStatus((up) => (connected.value = up));
  const run = port.run.bind(port);

  return {
    connected,
    servers,
    hasServers,
    formerServers,
    setServers(list: ServerView[]): void {
      servers.value = list;
    },
    setFormerServers(list: FormerServer[]): void {
      formerServers.value = list;
    },
    addServer(spec: ServerSpec): Promise<void> {
      return run({ type: 'addServer', spec: cleanSpec(spec) });
    },
    editServer(serverId: string, spec: ServerSpec): Promise<void> {
      return run({ type: 'editServer', serverId, spec: cleanSpec(spec) });
    },
    removeServer(serverId: string): Promise<void> {
      return run({ type: 'removeServer', serverId });
    },
    setServerEnabled(serverId: string, enabled: boolean): Promise<void> {
      return run({ type: 'setServerEnabled', serverId, enabled });
    },
    /** `subscriptionId`: for a subscription the panel removes again itself (the fan-out check's). */
    subscribe(serverId: string, query: QueryJSON, sessionToken?: string, subscriptionId?: string): Promise<void> {
      return run(subscriptionId ? { type: 'subscribe', serverId, query, sessionToken, subscriptionId } : { type: 'subscribe', serverId, query, sessionToken });
    },
    /** Groups an entry with others by hand, keeps it alone, or lets its app id and REST URL decide (`auto`). */
    setServerFleet(serverId: string, fleet: FleetChoice): Promise<void> {
      return run({ type: 'setServerFleet', serverId, fleet });
    },
    /** How many connections the entry opens to its URL (for a fleet behind one load-balanced URL). */
    setServerSockets(serverId: string, sockets: number): Promise<void> {
      return run({ type: 'setServerSockets', serverId, sockets });
    },
    unsubscribe(serverId: string, subscriptionId: string): Promise<void> {
      return run({ type: 'unsubscribe', serverId, subscriptionId });
    },
    /** Applies another query to a live subscription in place (the protocol's `update` op). */
    updateSubscription(serverId: string, subscriptionId: string, query: QueryJSON): Promise<void> {
      return run({ type: 'updateSubscription', serverId, subscriptionId, query });
    },
    /** Resubscribes with another token; `tokenLabel` (its keyring name) is what the timeline shows. */
    setSubscriptionToken(serverId: string, subscriptionId: string, sessionToken: string | undefined, tokenLabel: string): Promise<void> {
      return run({ type: 'setSubscriptionToken', serverId, subscriptionId, sessionToken, tokenLabel });
    },
    /** Subscribes from the panel to what the page subscribed to, on the same server (added if needed). */
    adoptPageSubscription(socket: PageSocketView, sub: PageSubscriptionView): Promise<void> {
      if (!socket.applicationId) return Promise.reject(new Error('The page socket has not said which app it serves'));
      // Only its class was kept: subscribing to it with an empty where would watch the whole class.
      if (sub.queryOmitted) return Promise.reject(new Error(`The page's query was not kept (${sub.queryOmitted === 'tooDeep' ? 'nested too deep' : 'too large'}): it cannot be subscribed from the panel`));
      if (exceedsDepth(sub.query)) return Promise.reject(new Error(`The page's query nests deeper than ${MAX_JSON_DEPTH} levels: it cannot be subscribed from the panel`));
      const spec: ServerSpec = { serverURL: socket.url, applicationId: socket.applicationId };
      if (socket.javascriptKey) spec.javascriptKey = socket.javascriptKey;
      if (socket.masterKey) spec.masterKey = socket.masterKey;
      return run({ type: 'adoptPageSubscription', spec, query: sub.query, sessionToken: sub.sessionToken ?? socket.sessionToken });
    },
    /** Tells the service worker to forget the records it keeps for a panel that reopens. */
    clearBacklog(through?: { epoch: string; seq: number }): void {
      port.send(through ? { type: 'clearBacklog', through } : { type: 'clearBacklog' });
    },
    /** Tells the service worker whether to go on recording the page once this panel closes. */
    setPreserveLog(on: boolean): void {
      port.send({ type: 'setPreserveLog', on });
    },
  };
}

export type ConnectionsStore = ReturnType<typeof createConnectionsStore>;
