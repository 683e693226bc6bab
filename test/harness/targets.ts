// Starts a LiveQuery server under test by kind: the real Parse Server (the reference) or our embedded server.
import { startEmbeddedServer, type EmbeddedServer, type EmbeddedServerOptions } from '../../server/index.js';
import { startParseServer, type ParseServerHarnessOptions, type ParseServerTarget } from './parse-server.js';
import type { LiveQueryTarget, TargetKind } from './target.js';

export const TARGET_KINDS: readonly TargetKind[] = ['parse-server', 'embedded'];

/** Keys every target is started with, so that tests and manual runs look the same on both. */
export const DEFAULT_KEYS = { applicationId: 'lq-app', javascriptKey: 'lq-js', masterKey: 'lq-master' } as const;

export interface StartTargetOptions {
  parseServer?: ParseServerHarnessOptions;
  /** Merged over DEFAULT_KEYS and port 0. */
  embedded?: EmbeddedServerOptions;
}

export async function startTarget(kind: 'parse-server', options?: StartTargetOptions): Promise<ParseServerTarget>;
export async function startTarget(kind: 'embedded', options?: StartTargetOptions): Promise<EmbeddedServer>;
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
  return startEmbeddedServer({ port: 0, ...DEFAULT_KEYS, ...options.embedded });
}
