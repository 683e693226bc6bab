// The embedded LiveQuery server: a Parse REST API subset and Parse Server 9.10's LiveQuery protocol on one port.

import type { LiveQueryTarget } from '../test/harness/target.js';
import { AuthCache } from './lq-auth.js';
import { Faults } from './faults.js';
import { isValidClassName } from './field-types.js';
import { Listener } from './listener.js';
import { LiveQueryServer, type ClientSummary } from './livequery.js';
import { attachReplay, type ReplayOptions } from './replay.js';
import { createRestHandler } from './rest.js';
import { Store } from './store.js';
import type { Publisher } from './writes.js';

export type { ClientSummary } from './livequery.js';
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
}

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

  const store = new Store(classNames.filter(isValidClassName));
  const auth = new AuthCache(store, options.cacheTimeout ?? 5000);
  const keyPairs = new Map<string, string>(requireKeys ? [['javascriptKey', javascriptKey], ['masterKey', masterKey]] : []);
  const liveQuery = new LiveQueryServer({ keyPairs, websocketTimeout: options.websocketTimeout ?? 10_000, auth });
  if (options.replay) attachReplay(liveQuery, options.replay);
  // Parse Server's LiveQuery handles a save asynchronously, so clients get the REST response before the events.
  const publisher: Publisher = {
    save: (current, original) => {
      if (isLive(current.className)) setImmediate(() => liveQuery.publishSave(current, original));
    },
    remove: (object) => {
      if (isLive(object.className)) setImmediate(() => liveQuery.publishDelete(object));
    },
  };

  let port = options.port ?? 0;
  const urls = () => ({
    restURL: `http://${host}:${port}${mountPath}`,
    liveQueryURL: `ws://${host}:${port}${mountPath}`,
  });
  const rest = createRestHandler(
    { applicationId, javascriptKey, masterKey, requireKeys, mountPath, allowClientClassCreation: options.allowClientClassCreation ?? false, serverURL: () => urls().restURL },
    store,
    publisher,
  );
  const listener = new Listener(
    (req, res) => {
      rest(req, res).catch(() => res.destroy());
    },
    (ws) => liveQuery.accept(ws),
  );
  port = await listener.listen(port, host);

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
    clients: () => liveQuery.describe(),
    restart,
    async stop() {
      stopped = true;
      liveQuery.dropAll();
      await listener.close();
    },
  };
}
