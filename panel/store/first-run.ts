// The first run of `npm start`: the demo server it started is added, with a first subscription, so that the first
// screen shows live events. Only once per browser profile: a user who removed the demo server does not get it back.

import { effect, type ReadonlySignal } from '@preact/signals';
import type { QueryJSON } from '../../src/livequery/protocol.js';
import type { RecordDraft } from '../../src/timeline/record.js';
import type { ServerSpec, ServerView } from '../../src/views.js';
import type { StorageArea } from '../adapters/storage.js';
import type { ConnectionsStore } from './connections.js';
import type { QueryDraft } from './query-draft.js';

/** What `npm start` writes to dev-defaults.json: forms pre-filled and, on the first run, the server added. */
export interface Defaults {
  server?: ServerSpec;
  query?: Partial<QueryDraft>;
  firstRun?: { addServer?: boolean; subscribe?: boolean };
}

/** Set in storage.local once the first run added the server (not a secret: the flag only). */
export const FIRST_RUN_KEY = 'firstRunDone';

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value : undefined);

/** dev-defaults.json as read from the extension's files, with anything malformed left out. */
export function sanitizeDefaults(value: unknown): Defaults {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  const out: Defaults = {};
  const server = v.server as Record<string, unknown> | undefined;
  const serverURL = text(server?.serverURL);
  const applicationId = text(server?.applicationId);
  if (server && serverURL && applicationId) {
    out.server = { serverURL, applicationId };
    for (const key of ['javascriptKey', 'masterKey', 'label', 'restURL'] as const) {
      const field = text(server[key]);
      if (field) out.server[key] = field;
    }
  }
  const query = v.query as Record<string, unknown> | undefined;
  const className = text(query?.className);
  if (className) out.query = { className };
  const firstRun = v.firstRun as Record<string, unknown> | undefined;
  if (firstRun && typeof firstRun === 'object') out.firstRun = { addServer: firstRun.addServer === true, subscribe: firstRun.subscribe === true };
  return out;
}

export interface FirstRunDeps {
  defaults: Defaults;
  storage: StorageArea;
  connections: Pick<ConnectionsStore, 'addServer' | 'subscribe'> & { servers: ReadonlySignal<ServerView[]> };
  /** Where a first run that failed says why (the timeline). */
  addLocalRecord(draft: RecordDraft): void;
  now(): number;
}

function whenServer(servers: ReadonlySignal<ServerView[]>, serverURL: string): Promise<ServerView> {
  return new Promise((resolve) => {
    let done = false;
    const stop = effect(() => {
      const found = servers.value.find((s) => s.spec.serverURL === serverURL);
      if (found && !done) {
        done = true;
        resolve(found);
        queueMicrotask(() => stop());
      }
    });
  });
}

export function createFirstRun({ defaults, storage, connections, addLocalRecord, now }: FirstRunDeps) {
  let started = false;
  return {
    /**
     * Called with the servers of the service worker's first welcome. Adds the default server (and subscribes to the
     * default class) when the defaults ask for it, no panel of this profile did it before, and the tab has no server.
     */
    async welcome(servers: readonly ServerView[]): Promise<'added' | 'skipped'> {
      const spec = defaults.server;
      if (started || !spec || !defaults.firstRun?.addServer) return 'skipped';
      started = true;
      if (servers.length > 0) return 'skipped';
      try {
        if ((await storage.get([FIRST_RUN_KEY]))[FIRST_RUN_KEY] === true) return 'skipped';
        // Noted first: whatever happens next, a later start does not add the server again.
        await storage.set({ [FIRST_RUN_KEY]: true });
        await connections.addServer(spec);
        const className = defaults.query?.className;
        if (defaults.firstRun.subscribe && className) {
          const server = await whenServer(connections.servers, spec.serverURL);
          const query: QueryJSON = { className, where: {} };
          await connections.subscribe(server.id, query);
        }
        return 'added';
      } catch (error) {
        addLocalRecord({
          time: now(),
          source: { type: 'extension' },
          kind: 'error',
          label: 'invalid server',
          marker: { type: 'invalidServer', serverURL: spec.serverURL, error: (error as Error).message },
          summary: `The demo server could not be added on this first run: ${(error as Error).message}`,
        });
        return 'skipped';
      }
    },
  };
}

export type FirstRun = ReturnType<typeof createFirstRun>;
