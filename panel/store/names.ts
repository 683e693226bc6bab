// Names the panel shows and suggests: a display name per record source, and the class names it knows of.

import { computed, type ReadonlySignal } from '@preact/signals';
import type { QueryJSON } from '../../src/livequery/protocol.js';
import { sourceKey, subscriptionKey } from '../../src/timeline/keys.js';
import type { FormerServer, PageSocketView, ServerView } from '../../src/views.js';
import type { OpenedRecording } from './timeline.js';
import { keepEqual } from './keep-equal.js';

export function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return u.host + (u.pathname === '/' ? '' : u.pathname);
  } catch {
    return url;
  }
}

/** Names that would read the same get a number, so that no two entries of a list look alike: "x", "x (2)", "x (3)". */
function distinct(names: Map<string, string>): Map<string, string> {
  const seen = new Map<string, number>();
  const out = new Map<string, string>();
  for (const [key, name] of names) {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    out.set(key, n === 1 ? name : `${name} (${n})`);
  }
  return out;
}

const sameMap = (a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>) =>
  a.size === b.size && [...b].every(([key, name]) => a.get(key) === name);
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((name, i) => b[i] === name);

export interface NamesDeps {
  servers: ReadonlySignal<ServerView[]>;
  /** Removed servers: their records keep the name they had. */
  formerServers?: ReadonlySignal<FormerServer[]>;
  pageSockets: ReadonlySignal<PageSocketView[]>;
  imported: ReadonlySignal<OpenedRecording | null>;
  seenClasses: ReadonlySignal<ReadonlySet<string>>;
  historyEntries: ReadonlySignal<readonly { query: QueryJSON }[]>;
  /** "fleet · node" for servers that are nodes of a fleet, by source key. */
  fleetNames?: ReadonlySignal<ReadonlyMap<string, string>>;
}

export function createNamesStore({ servers, formerServers, pageSockets, imported, seenClasses, historyEntries, fleetNames }: NamesDeps) {
  const stable = keepEqual(sameMap);
  const stableSubscriptionNames = keepEqual(sameMap);
  const stableClasses = keepEqual(sameList);
  /** Display names by source key; an opened recording brings its own. */
  const sourceNames = computed<ReadonlyMap<string, string>>(() => {
    const recording = imported.value?.recording;
    if (recording) return stable(new Map(Object.entries(recording.sources ?? {})));
    const names = new Map<string, string>();
    for (const server of servers.value) {
      const key = sourceKey({ type: 'server', serverId: server.id });
      names.set(key, fleetNames?.value.get(key) ?? (server.spec.label || hostOf(server.spec.serverURL)));
    }
    // After the current ones: a removed server named like a current one is the one numbered.
    for (const former of formerServers?.value ?? []) {
      names.set(sourceKey({ type: 'server', serverId: former.id }), former.label || hostOf(former.serverURL));
    }
    // Under Preserve log the sockets of earlier page loads stay: their page load number tells them apart.
    const severalLoads = new Set(pageSockets.value.map((socket) => socket.generation)).size > 1;
    for (const socket of pageSockets.value) {
      const key = sourceKey({ type: 'pageSocket', socketId: socket.id, frameId: socket.frameId });
      const load = severalLoads ? ` · load ${socket.generation}` : '';
      names.set(key, `page${socket.frameId ? ` frame ${socket.frameId}` : ''} ${hostOf(socket.url)}${load}`);
    }
    return stable(distinct(names));
  });
  /** "#<requestId> <class>" by subscription key, as the lists show a subscription (its internal id means nothing). */
  const subscriptionNames = computed<ReadonlyMap<string, string>>(() => {
    const names = new Map<string, string>();
    for (const server of servers.value) {
      for (const sub of server.subscriptions) {
        const key = subscriptionKey({ type: 'server', serverId: server.id, subscriptionId: sub.id });
        names.set(key, `#${sub.requestId ?? '?'} ${sub.query.className}`);
      }
    }
    for (const socket of pageSockets.value) {
      for (const sub of socket.subscriptions) {
        names.set(subscriptionKey({ type: 'pageSocket', socketId: socket.id, requestId: sub.requestId }), `#${sub.requestId} ${sub.query.className}`);
      }
    }
    return stableSubscriptionNames(names);
  });
  /** Class names from records, subscriptions and the history, sorted. */
  const knownClasses = computed(() => {
    const names = new Set(seenClasses.value);
    for (const server of servers.value) for (const sub of server.subscriptions) names.add(sub.query.className);
    for (const socket of pageSockets.value) for (const sub of socket.subscriptions) names.add(sub.query.className);
    for (const entry of historyEntries.value) names.add(entry.query.className);
    return stableClasses([...names].sort());
  });
  return { sourceNames, subscriptionNames, knownClasses };
}

export type NamesStore = ReturnType<typeof createNamesStore>;
