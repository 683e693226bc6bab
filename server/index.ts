// The embedded LiveQuery server: a Parse REST API subset and Parse Server 9.10's LiveQuery protocol on one port.

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LiveQueryTarget } from '../test/harness/target.js';
import { fetchRestClient } from '../src/parse-rest/rest-client.js';
import { FleetLink } from './fleet/fleet-link.js';
import { nodeHealth, sendHealth, type NodeHealth, type NodeMode } from './fleet/health.js';
import { probeParseServer } from './fleet/parse-server-probe.js';
import { RestAuthCache, restAuthSource } from './fleet/rest-auth.js';
import { AuthCache, type TokenAuth } from './lq-auth.js';
import { Faults } from './faults.js';
import { isValidClassName } from './field-types.js';
import { Listener } from './listener.js';
import { LiveQueryServer, type ClientSummary } from './livequery.js';
import { attachReplay, type ReplayOptions } from './replay.js';
import { createRestHandler } from './rest.js';
import { Store } from './store.js';
import type { Publisher } from './writes.js';

export type { ClientSummary } from './livequery.js';
export type { NodeHealth } from './fleet/health.js';
export type { ErrorFrameSpec } from './faults.js';
export { Faults } from './faults.js';

/** The classes whose writes publish LiveQuery events by default (the reference Parse Server's `liveQuery.classNames`). */
export const DEFAULT_LIVE_CLASSES = ['Game', 'Message', 'Note', 'Item'] as const;

export interface EmbeddedServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  applicationId?: string;
  javascriptKey?: string;
  masterKey?: string;
  /**
   * Default true: like Parse Server with `keyPairs: {javascriptKey, masterKey}` — a LiveQuery connect and a REST
   * request need a matching key. When false no key is checked, and (as on Parse Server) nobody gets master rights
   * over LiveQuery.
   */
  requireKeys?: boolean;
  mountPath?: string;
  /** Protocol ping interval in ms; a socket that misses one pong is terminated (default 10 000). */
  websocketTimeout?: number;
  /** How long LiveQuery caches a session token's resolution, valid or not (default 5 000 ms). */
  cacheTimeout?: number;
  /**
   * Classes whose writes publish LiveQuery events; each is a regular expression anchored at both ends
   * (so `['.*']` means every class). Default {@link DEFAULT_LIVE_CLASSES}. These classes also exist from the start.
   */
  classNames?: readonly string[];
  /** Default false (Parse Server 9's default): only the master key creates classes. */
  allowClientClassCreation?: boolean;
  /**
   * Join a Redis LiveQuery fleet (Parse Server's `liveQuery.redisURL`): events come from `<appId>afterSave`,
   * `afterDelete` and `clearCache`. Without `parseServerURL` the embedded stack also publishes its own writes there.
   */
  redisURL?: string;
  /**
   * With `redisURL`: run a LiveQuery-only node for this Parse Server (its REST root): no REST API or store here,
   * session tokens and roles are resolved through that server with the master key.
   */
  parseServerURL?: string;
  /** Where fleet log lines go (default: stderr, prefixed with the node id). */
  log?: (line: string) => void;
  /** How long a LiveQuery-only node waits for one REST lookup (a token, roles) before it gives up (default 5000 ms). */
  restTimeoutMs?: number;
  /** Plays a recording's events into every matching subscription (see replay.ts). */
  replay?: ReplayOptions;
}

export interface EmbeddedServer extends LiveQueryTarget {
  kind: 'embedded';
  port: number;
  host: string;
  faults: Faults;
  /** Open LiveQuery sockets with their clientId (null before `connect`) and subscriptions. */
  clients(): ClientSummary[];
  /** Random per start; also in /health. */
  nodeId: string;
  /** A fleet member's state (also served at GET <mount>/health); undefined without `redisURL`. */
  health(): NodeHealth | undefined;
}

const REST_TIMEOUT_MS = 5000;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startEmbeddedServer(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const host = options.host ?? '127.0.0.1';
  const applicationId = options.applicationId ?? 'lq-app';
  const javascriptKey = options.javascriptKey ?? 'lq-js';
  const masterKey = options.masterKey ?? 'lq-master';
  const requireKeys = options.requireKeys ?? true;
  const mountPath = (options.mountPath ?? '/parse').replace(/\/+$/, '');
  const classNames = options.classNames ?? DEFAULT_LIVE_CLASSES;
  const livePatterns = classNames.map((name) => new RegExp(`^${name}$`));
  const isLive = (className: unknown): boolean => livePatterns.some((pattern) => pattern.test(String(className)));
  const nodeId = `node-${randomBytes(4).toString('hex')}`;
  const startedAt = new Date().toISOString();
  const log = options.log ?? ((line: string) => console.error(`[${nodeId}] ${line}`));
  const { redisURL } = options;
  const parseServerURL = options.parseServerURL?.replace(/\/+$/, '');
  if (parseServerURL && !redisURL) throw new Error('parseServerURL needs redisURL: a LiveQuery-only node gets its events from Redis');
  const mode: NodeMode | undefined = redisURL ? (parseServerURL ? 'fleet-node' : 'embedded-fleet') : undefined;
  const cacheTimeout = options.cacheTimeout ?? 5000;

  const store = parseServerURL ? null : new Store(classNames.filter(isValidClassName));
  const creds = { restURL: parseServerURL ?? '', applicationId, javascriptKey, masterKey };
  // Events wait for the lookups they need, so a Parse Server that stops answering must not hold them forever.
  const restTimeoutMs = options.restTimeoutMs ?? REST_TIMEOUT_MS;
  const restClient = fetchRestClient((url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(restTimeoutMs) }));
  const restAuth = parseServerURL ? new RestAuthCache(restAuthSource(restClient, creds), cacheTimeout, log) : null;
  const auth: TokenAuth & { clear(): void } = restAuth ?? new AuthCache(store!, cacheTimeout);
  const keyPairs = new Map<string, string>(requireKeys ? [['javascriptKey', javascriptKey], ['masterKey', masterKey]] : []);
  const liveQuery = new LiveQueryServer({ keyPairs, websocketTimeout: options.websocketTimeout ?? 10_000, auth });
  const fleet = redisURL
    ? new FleetLink({
        redisURL,
        appId: applicationId,
        liveQuery,
        log,
        publish: !parseServerURL,
        prepareAuth: restAuth ? (tokens, roles) => restAuth.prepare(tokens, roles) : undefined,
        clearUser: restAuth ? (userId) => restAuth.clearUser(userId) : undefined,
      })
    : null;
  if (options.replay) attachReplay(liveQuery, options.replay);
  // Parse Server's LiveQuery handles a save asynchronously, so clients get the REST response before the events.
  // In a fleet the write goes out through Redis and comes back to every node, this one included.
  const publisher: Publisher = {
    save: (current, original) => {
      if (!isLive(current.className)) return;
      if (fleet) fleet.publishSave(current, original);
      else setImmediate(() => liveQuery.publishSave(current, original));
    },
    remove: (object) => {
      if (!isLive(object.className)) return;
      if (fleet) fleet.publishDelete(object);
      else setImmediate(() => liveQuery.publishDelete(object));
    },
  };

  let port = options.port ?? 0;
  const urls = () => ({
    restURL: parseServerURL ?? `http://${host}:${port}${mountPath}`,
    liveQueryURL: `ws://${host}:${port}${mountPath}`,
  });
  let parseServerVersion: string | undefined;
  const health = (): NodeHealth | undefined =>
    fleet && mode
      ? nodeHealth({
          node: { id: nodeId, mode, applicationId, startedAt, clients: liveQuery.clientCount },
          ...fleet.health(),
          ...(restAuth && parseServerURL ? { parseServer: { restURL: parseServerURL, ...restAuth.health, ...(parseServerVersion ? { version: parseServerVersion } : {}) } } : {}),
        })
      : undefined;
  const rest = store
    ? createRestHandler(
        { applicationId, javascriptKey, masterKey, requireKeys, mountPath, allowClientClassCreation: options.allowClientClassCreation ?? false, serverURL: () => urls().restURL },
        store,
        publisher,
      )
    : null;
  const handleRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    const nodeHealthNow = health();
    if (nodeHealthNow && req.method === 'GET' && path === `${mountPath}/health`) {
      sendHealth(res, nodeHealthNow);
      return;
    }
    if (rest) {
      rest(req, res).catch(() => res.destroy());
      return;
    }
    const text = JSON.stringify({ error: `This is a LiveQuery-only node; the REST API is at ${parseServerURL}`, health: `${mountPath}/health` });
    res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };
  const listener = new Listener(handleRequest, (ws) => liveQuery.accept(ws));
  port = await listener.listen(port, host);
  fleet?.start();
  if (parseServerURL) {
    void probeParseServer(parseServerURL, applicationId, masterKey).then((probe) => {
      if (probe.ok) {
        parseServerVersion = probe.version;
        log(`parse-server REST ${parseServerURL}: ok${probe.version ? ` (Parse Server ${probe.version})` : ''}`);
        restAuth!.probed(null);
      } else {
        restAuth!.probed(`${probe.problem}; session tokens cannot be resolved until it answers (clients see public objects only)`);
      }
    });
  }

  let stopped = false;
  const restart = async ({ downMs = 0 }: { downMs?: number } = {}): Promise<void> => {
    liveQuery.dropAll();
    auth.clear();
    await listener.close();
    await delay(downMs);
    if (!stopped) await listener.listen(port, host);
  };
  const faults = new Faults(liveQuery, restart);

  return {
    kind: 'embedded',
    port,
    host,
    ...urls(),
    applicationId,
    javascriptKey,
    masterKey,
    faults,
    nodeId,
    health,
    clients: () => liveQuery.describe(),
    restart,
    async stop() {
      stopped = true;
      liveQuery.dropAll();
      await Promise.all([listener.close(), fleet?.close()]);
    },
  };
}
