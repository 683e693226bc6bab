// Runs a real parse-server 9.10.0 with LiveQuery in-process on 127.0.0.1 (port 0), backed by a throwaway Postgres: the reference target.
import { createServer, type RequestListener, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { WebSocket as WsSocket, WebSocketServer as WsServer } from 'ws';
import { startPostgres, type PostgresCluster } from './postgres.js';
import { LIVE_CLASSES, type LiveQueryTarget } from './target.js';

// parse-server creates ./logs at import time unless told not to; it must be set before the (dynamic) import below.
process.env.PARSE_SERVER_LOGS_FOLDER = 'null';

export interface ParseServerHarnessOptions {
  appId?: string;
  javascriptKey?: string;
  masterKey?: string;
  /** Use an existing database instead of starting a throwaway Postgres (which stop() then removes). */
  databaseURI?: string;
  /** Port to listen on; default 0 (a free one, kept across restarts). */
  port?: number;
  /** Classes served over LiveQuery and created up front (public CLP); default LIVE_CLASSES. */
  liveClasses?: readonly string[];
  /** LiveQuery ping interval in ms (parse-server default 10 000). */
  websocketTimeout?: number;
  /** LiveQuery session-token cache TTL in ms (parse-server default 5 000). */
  cacheTimeout?: number;
  /** LiveQuery `regexTimeout` in ms: a `$regex` test that runs longer counts as not matching (parse-server default 100). */
  regexTimeout?: number;
  /** Cloud code, run by parse-server at start (e.g. Parse.Cloud.beforeConnect). */
  cloud?: (parse: unknown) => void | Promise<void>;
  /** Extra ParseServer options, merged over the harness defaults. */
  parseServerOptions?: Record<string, unknown>;
  /** Let parse-server log to the console (default: only when PARSE_SERVER_HARNESS_LOGS=1). */
  logs?: boolean;
  /**
   * Scale LiveQuery out through this Redis (`liveQuery.redisURL`): writes are published there and the in-process
   * LiveQuery node reads them back from there, like every other node of the fleet.
   */
  redisURL?: string;
}

export interface ParseServerTimings {
  /** Throwaway Postgres: initdb + start + CREATE DATABASE (0 when a databaseURI was given). */
  postgresMs: number;
  /** The rest of the start (import parse-server, start(), listen, LiveQuery server, schemas); the import overlaps Postgres. */
  parseServerMs: number;
  totalMs: number;
  /** Duration of each restart() so far, downMs included. */
  restartsMs: number[];
}

export interface ParseServerTarget extends LiveQueryTarget {
  kind: 'parse-server';
  port: number;
  databaseURI: string;
  timings: ParseServerTimings;
  /** Open LiveQuery WebSockets right now (server side). */
  openSockets(): number;
}

// --- the small part of parse-server's untyped API that the harness touches ---
interface ParseServerInstance {
  start(): Promise<unknown>;
  readonly app: RequestListener;
  config: unknown;
  server: unknown;
  handleShutdown(): Promise<void>;
}
interface LiveQueryServerInstance {
  shutdown(): Promise<void>;
}
interface ParseServerModule {
  default: new (options: Record<string, unknown>) => ParseServerInstance;
  ParseServer: {
    createLiveQueryServer(httpServer: Server, config: Record<string, unknown>, options: unknown): Promise<LiveQueryServerInstance>;
  };
}
type WsModule = typeof import('ws');
type ExpressApp = RequestListener & { use(path: string, handler: RequestListener): void };

const requireHere = createRequire(import.meta.url);
let parseServerModule: Promise<ParseServerModule> | null = null;
function loadParseServer(): Promise<ParseServerModule> {
  parseServerModule ??= import('parse-server').then((m) => m as unknown as ParseServerModule);
  return parseServerModule;
}
/** express (untyped here: no @types/express) mounts parse-server under /parse, as in every real deployment. */
function mountAtParse(api: RequestListener): RequestListener {
  const express = requireHere('express') as () => ExpressApp;
  const app = express();
  app.use('/parse', api);
  return app;
}
/**
 * parse-server's `app` getter installs a process-wide uncaughtException handler that prints and calls process.exit()
 * (unless process.env.TESTING is set, which changes other behaviour too). In a test process that would hijack the test
 * runner's own handling, so the handler added by the getter is removed again.
 */
function buildApp(ps: ParseServerInstance): RequestListener {
  const before = new Set(process.listeners('uncaughtException'));
  const api = ps.app;
  for (const listener of process.listeners('uncaughtException')) {
    if (!before.has(listener)) process.off('uncaughtException', listener);
  }
  return mountAtParse(api);
}
/**
 * parse-server keeps its schema cache in a process-wide module (SchemaCache), not per instance or per database. A second
 * server started in the same process (after a stop) would trust the first one's cached schema and skip creating tables
 * in its own fresh database ("relation _User does not exist"), so the cache is cleared at every start and stop.
 */
function clearSchemaCache(): void {
  const cache = requireHere('parse-server/lib/Adapters/Cache/SchemaCache.js') as { default: { clear(): void } };
  cache.default.clear();
}
/**
 * With `liveQuery.redisURL`, parse-server's publisher is a Redis client that handleShutdown() leaves open (it would keep
 * the test process alive): closed here.
 */
async function closeLiveQueryPublisher(ps: ParseServerInstance): Promise<void> {
  type RedisLike = { isOpen?: boolean; isReady?: boolean; close?(): Promise<void>; destroy?(): void };
  const config = ps.config as { liveQueryController?: { liveQueryPublisher?: { parsePublisher?: RedisLike } } } | undefined;
  const publisher = config?.liveQueryController?.liveQueryPublisher?.parsePublisher;
  if (!publisher?.isOpen) return;
  if (publisher.isReady && publisher.close) await publisher.close().catch(() => publisher.destroy?.());
  else publisher.destroy?.();
}
/** parse-server also keeps the Parse SDK and AppCache process-wide: one running instance per process. */
let runningInstance = false;
/** The `ws` that parse-server itself depends on, so the wire behaviour is exactly the stock server's. */
function parseServersWs(): WsModule {
  const requireFromParseServer = createRequire(requireHere.resolve('parse-server'));
  return requireFromParseServer('ws') as WsModule;
}

/** Options whose defaults change in a future parse-server: pinned to the future value so that no DeprecationWarning is printed. */
const FUTURE_DEFAULTS: Record<string, unknown> = {
  fileUpload: { allowedFileUrlDomains: [] },
  pages: { encodePageParamHeaders: true },
  readOnlyMasterKeyIps: ['127.0.0.1', '::1'],
  requestComplexity: {
    includeDepth: 10,
    includeCount: 100,
    subqueryDepth: 10,
    queryDepth: 10,
    graphQLDepth: 20,
    graphQLFields: 200,
    batchRequestLimit: 100,
  },
  protectedFieldsOwnerExempt: false,
  protectedFieldsTriggerExempt: true,
  protectedFieldsSaveResponseExempt: false,
  installation: { duplicateDeviceTokenActionEnforceAuth: true },
  allowAggregationForReadOnlyMasterKey: false,
};

const PUBLIC_CLP = {
  find: { '*': true },
  count: { '*': true },
  get: { '*': true },
  create: { '*': true },
  update: { '*': true },
  delete: { '*': true },
  addField: { '*': true },
  protectedFields: { '*': [] },
};

type Tracked = { ws: WsSocket; timers: NodeJS.Timeout[] };

/**
 * A `wssAdapter` for the LiveQuery server: the stock WSAdapter (ws's WebSocketServer on the HTTP server, any path)
 * plus bookkeeping, so the harness can drop every socket abruptly and stop the per-socket ping intervals that
 * parse-server never clears (they would keep the test process alive for up to two intervals after stop).
 */
function makeTrackingAdapter(ws: WsModule, sockets: Set<Tracked>) {
  return class TrackingWSAdapter {
    onListen: () => void = () => {};
    onConnection: (socket: WsSocket) => void = () => {};
    onError: (error: Error) => void = () => {};
    private wss: WsServer | null = null;
    constructor(private readonly options: { server: Server }) {}
    start(): void {
      const wss = new ws.WebSocketServer({ server: this.options.server });
      this.wss = wss;
      wss.on('listening', () => this.onListen());
      wss.on('error', (error: Error) => this.onError(error));
      wss.on('connection', (socket: WsSocket) => {
        const entry: Tracked = { ws: socket, timers: [] };
        sockets.add(entry);
        socket.once('close', () => {
          sockets.delete(entry);
          for (const t of entry.timers) clearInterval(t);
        });
        // parse-server starts its ping interval synchronously inside onConnection: capture it.
        const original = globalThis.setInterval;
        const capture = (handler: (...args: unknown[]) => void, ms?: number, ...rest: unknown[]): NodeJS.Timeout => {
          const timer = original(handler, ms, ...rest);
          timer.unref();
          entry.timers.push(timer);
          return timer;
        };
        globalThis.setInterval = capture as unknown as typeof setInterval;
        try {
          this.onConnection(socket);
        } finally {
          globalThis.setInterval = original;
        }
      });
    }
    close(): void {
      this.wss?.close();
      this.wss = null;
    }
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

async function rest(url: string, init: { method: string; headers: Record<string, string>; body?: unknown }): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: init.method,
    headers: { 'Content-Type': 'application/json', ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { text };
  }
  return { status: response.status, json };
}

/** Creates each class with a public CLP (or sets that CLP if the class already exists, e.g. on a reused database). */
async function ensureClasses(restURL: string, appId: string, masterKey: string, classes: readonly string[]): Promise<void> {
  const headers = { 'X-Parse-Application-Id': appId, 'X-Parse-Master-Key': masterKey };
  for (const className of classes) {
    const created = await rest(`${restURL}/schemas/${className}`, {
      method: 'POST',
      headers,
      body: { className, fields: {}, classLevelPermissions: PUBLIC_CLP },
    });
    if (created.status === 200 || created.status === 201) continue;
    if (created.json.code === 103) {
      const updated = await rest(`${restURL}/schemas/${className}`, { method: 'PUT', headers, body: { classLevelPermissions: PUBLIC_CLP } });
      if (updated.status === 200) continue;
      throw new Error(`PUT /schemas/${className} failed: ${updated.status} ${JSON.stringify(updated.json)}`);
    }
    throw new Error(`POST /schemas/${className} failed: ${created.status} ${JSON.stringify(created.json)}`);
  }
}

export async function startParseServer(options: ParseServerHarnessOptions = {}): Promise<ParseServerTarget> {
  if (runningInstance) {
    throw new Error('startParseServer: a Parse Server is already running in this process; stop() it first (parse-server keeps process-wide state)');
  }
  runningInstance = true;
  try {
    return await startParseServerNow(options);
  } catch (error) {
    clearSchemaCache();
    runningInstance = false;
    throw error;
  }
}

async function startParseServerNow(options: ParseServerHarnessOptions): Promise<ParseServerTarget> {
  const t0 = performance.now();
  const appId = options.appId ?? 'lq-app';
  const javascriptKey = options.javascriptKey ?? 'lq-js';
  const masterKey = options.masterKey ?? 'lq-master';
  const liveClasses = options.liveClasses ?? LIVE_CLASSES;
  const logs = options.logs ?? process.env.PARSE_SERVER_HARNESS_LOGS === '1';

  // Importing parse-server (~0.7 s) and starting Postgres (~0.6 s) overlap.
  const modulesLoaded = Promise.all([loadParseServer(), Promise.resolve().then(parseServersWs)]);
  modulesLoaded.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"
  let pg: PostgresCluster | null = null;
  let postgresMs = 0;
  let databaseURI = options.databaseURI;
  if (!databaseURI) {
    pg = await startPostgres();
    postgresMs = pg.startupMs;
    databaseURI = pg.databaseURI;
  }
  let modules: [ParseServerModule, WsModule];
  try {
    modules = await modulesLoaded;
  } catch (error) {
    await pg?.stop();
    throw error;
  }
  const [{ default: ParseServer, ParseServer: ParseServerStatics }, ws] = modules;

  const sockets = new Set<Tracked>();
  const tcp = new Set<Socket>();
  let httpServer: Server | null = null;
  let liveQuery: LiveQueryServerInstance | null = null;
  let parseServer: ParseServerInstance | null = null;
  let port = options.port ?? 0;
  let handler: RequestListener | null = null;

  const TrackingAdapter = makeTrackingAdapter(ws, sockets);

  const newHttpServer = (): Server => {
    const server = createServer();
    server.on('connection', (socket: Socket) => {
      tcp.add(socket);
      socket.once('close', () => tcp.delete(socket));
    });
    return server;
  };
  /** Listens on `port` (the same one again after a restart: the kernel may take a moment to let go of it). */
  const listenOnPort = async (server: Server): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        port = await listen(server, port);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EADDRINUSE' || attempt >= 50) throw error;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  /** Serves the REST API and a fresh LiveQuery server on `server` (listening already, or now on `port`). */
  const startHttp = async (server: Server = newHttpServer()): Promise<void> => {
    if (!parseServer) throw new Error('parse-server is not running');
    if (!server.listening) await listenOnPort(server);
    handler ??= buildApp(parseServer);
    server.on('request', handler);
    httpServer = server;
    const serverURL = `http://127.0.0.1:${port}/parse`;
    liveQuery = await ParseServerStatics.createLiveQueryServer(
      server,
      {
        appId,
        masterKey,
        serverURL,
        keyPairs: { javascriptKey, masterKey },
        websocketTimeout: options.websocketTimeout ?? 10_000,
        cacheTimeout: options.cacheTimeout ?? 5_000,
        wssAdapter: TrackingAdapter,
        ...(options.redisURL ? { redisURL: options.redisURL } : {}),
      },
      parseServer.config,
    );
  };

  /** Drops every WebSocket abruptly (no close frame: clients see 1006) and stops the LiveQuery server. */
  const dropLiveQuery = async (): Promise<void> => {
    for (const { ws: socket, timers } of sockets) {
      for (const t of timers) clearInterval(t);
      socket.terminate();
    }
    sockets.clear();
    const lq = liveQuery;
    liveQuery = null;
    if (lq) await lq.shutdown();
  };
  /** Closes the HTTP server, destroying every connection (keep-alive ones and upgraded ones alike). */
  const closeHttp = (server: Server): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    destroyConnections(server);
    return closed;
  };
  const destroyConnections = (server: Server): void => {
    server.closeAllConnections();
    for (const socket of tcp) socket.destroy(); // upgraded sockets are not "connections" to closeAllConnections()
    tcp.clear();
  };
  const stopHttp = async (): Promise<void> => {
    await dropLiveQuery();
    const server = httpServer;
    httpServer = null;
    if (server) await closeHttp(server);
  };
  /** parse-server's own shutdown: closes `server` (it throws without one) and the Postgres pool. */
  const shutdownParseServer = async (ps: ParseServerInstance): Promise<void> => {
    await dropLiveQuery();
    const server = httpServer;
    httpServer = null;
    if (server) destroyConnections(server);
    ps.server = server ?? { close: (done: () => void) => done() };
    await ps.handleShutdown();
    await closeLiveQueryPublisher(ps);
  };

  let app: ParseServerInstance | null = null;
  try {
    const psOptions: Record<string, unknown> = {
      ...FUTURE_DEFAULTS,
      appId,
      masterKey,
      javascriptKey,
      databaseURI,
      serverURL: 'http://127.0.0.1:0/parse', // replaced once the port is known
      liveQuery: {
        classNames: [...liveClasses],
        ...(options.redisURL ? { redisURL: options.redisURL } : {}),
        ...(options.regexTimeout !== undefined ? { regexTimeout: options.regexTimeout } : {}),
      },
      allowClientClassCreation: false,
      silent: !logs,
      ...(options.cloud ? { cloud: options.cloud } : {}),
      ...options.parseServerOptions,
    };
    // serverURL must carry the real port (LiveQuery and Cloud Code call back into it): listen first, then construct.
    const server = newHttpServer();
    httpServer = server;
    await listenOnPort(server);
    psOptions.serverURL = `http://127.0.0.1:${port}/parse`;
    clearSchemaCache();
    app = new ParseServer(psOptions);
    parseServer = app;
    await app.start();
    await startHttp(server);
    await ensureClasses(`http://127.0.0.1:${port}/parse`, appId, masterKey, liveClasses);
  } catch (error) {
    try {
      if (app) await shutdownParseServer(app).catch(() => {});
      else await stopHttp();
    } finally {
      await pg?.stop();
    }
    throw error;
  }

  const restURL = `http://127.0.0.1:${port}/parse`;
  const totalMs = performance.now() - t0;
  const timings: ParseServerTimings = {
    postgresMs,
    parseServerMs: totalMs - postgresMs,
    totalMs,
    restartsMs: [],
  };

  let stopping: Promise<void> | null = null;
  let restarting: Promise<void> = Promise.resolve();
  return {
    kind: 'parse-server',
    port,
    liveQueryURL: `ws://127.0.0.1:${port}/parse`,
    restURL,
    applicationId: appId,
    javascriptKey,
    masterKey,
    databaseURI,
    timings,
    openSockets: () => sockets.size,
    restart({ downMs = 0 }: { downMs?: number } = {}): Promise<void> {
      restarting = restarting.then(async () => {
        if (stopping) throw new Error('restart() after stop()');
        const t = performance.now();
        await stopHttp();
        if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
        await startHttp();
        timings.restartsMs.push(performance.now() - t);
      });
      return restarting;
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        await restarting.catch(() => {});
        try {
          if (parseServer) await shutdownParseServer(parseServer);
          parseServer = null;
          clearSchemaCache();
        } finally {
          runningInstance = false;
          await pg?.stop();
        }
      })();
      return stopping;
    },
  };
}
