// Starts a LiveQuery server under test by kind: the real Parse Server (the reference), our embedded server, or our
// embedded server as a node of a Redis fleet beside Parse Server's own LiveQuery node.
import { startEmbeddedServer, type EmbeddedServer, type EmbeddedServerOptions } from '../../server/index.js';
import { startParseServer, type ParseServerHarnessOptions, type ParseServerTarget } from './parse-server.js';
import { startRedis, type RedisServer } from './redis.js';
import type { LiveQueryTarget, TargetKind } from './target.js';

export const TARGET_KINDS: readonly TargetKind[] = ['parse-server', 'embedded'];
/** The conformance suite also runs against the fleet node. */
export const CONFORMANCE_KINDS: readonly TargetKind[] = [...TARGET_KINDS, 'fleet'];

/** Keys every target is started with, so that tests and manual runs look the same on both. */
export const DEFAULT_KEYS = { applicationId: 'lq-app', javascriptKey: 'lq-js', masterKey: 'lq-master' } as const;

export interface StartTargetOptions {
  parseServer?: ParseServerHarnessOptions;
  /** Merged over DEFAULT_KEYS and port 0. */
  embedded?: EmbeddedServerOptions;
}

/**
 * A fleet on one throwaway Redis: Parse Server 9.10 with `liveQuery.redisURL` (REST, and its own LiveQuery node)
 * and the embedded server as a LiveQuery-only node (`parseServerURL`). As a target it is the embedded node:
 * `liveQueryURL` is the node's, `restURL` Parse Server's (writes go there), `restart()` restarts the node.
 */
export interface FleetTarget extends LiveQueryTarget {
  kind: 'fleet';
  redis: RedisServer;
  parseServer: ParseServerTarget;
  node: EmbeddedServer;
}

export async function startFleet(options: StartTargetOptions = {}): Promise<FleetTarget> {
  const redis = await startRedis();
  let parseServer: ParseServerTarget | undefined;
  try {
    parseServer = await startTarget('parse-server', { parseServer: { ...options.parseServer, redisURL: redis.url } });
    const node = await startEmbeddedServer({
      port: 0,
      ...DEFAULT_KEYS,
      redisURL: redis.url,
      parseServerURL: parseServer.restURL,
      log: process.env.LQ_FLEET_LOGS === '1' ? (line) => console.error(`[fleet node] ${line}`) : () => undefined,
      ...options.embedded,
    });
    const ps = parseServer;
    return {
      kind: 'fleet',
      liveQueryURL: node.liveQueryURL,
      restURL: ps.restURL,
      applicationId: node.applicationId,
      javascriptKey: node.javascriptKey,
      masterKey: node.masterKey,
      redis,
      parseServer: ps,
      node,
      restart: (restartOptions) => node.restart(restartOptions),
      async stop() {
        await node.stop();
        await ps.stop();
        await redis.stop();
      },
    };
  } catch (error) {
    await parseServer?.stop().catch(() => undefined);
    await redis.stop();
    throw error;
  }
}

export async function startTarget(kind: 'parse-server', options?: StartTargetOptions): Promise<ParseServerTarget>;
export async function startTarget(kind: 'embedded', options?: StartTargetOptions): Promise<EmbeddedServer>;
export async function startTarget(kind: 'fleet', options?: StartTargetOptions): Promise<FleetTarget>;
export async function startTarget(kind: TargetKind, options?: StartTargetOptions): Promise<LiveQueryTarget>;
export async function startTarget(kind: TargetKind, options: StartTargetOptions = {}): Promise<LiveQueryTarget> {
  if (kind === 'parse-server') {
    return startParseServer({
      appId: DEFAULT_KEYS.applicationId,
      javascriptKey: DEFAULT_KEYS.javascriptKey,
      masterKey: DEFAULT_KEYS.masterKey,
      ...options.parseServer,
    });
  }
  if (kind === 'fleet') return startFleet(options);
  return startEmbeddedServer({ port: 0, ...DEFAULT_KEYS, ...options.embedded });
}
