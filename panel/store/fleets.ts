// Fleets: server connections of one app shown as one fleet (same app id and REST URL, or grouped by hand), and each
// node's health as the panel saw it: state, clientId changes, down/back, and how late its events arrive.

import { computed, signal, type ReadonlySignal } from '@preact/signals';
import { sourceKey } from '../../src/timeline/keys.js';
import type { TimelineRecord } from '../../src/timeline/record.js';
import type { ServerView } from '../../src/views.js';
import { restURLOf } from '../../src/parse-rest/rest-client.js';
import type { ConnectionsStore } from './connections.js';
import { hostOf } from './names.js';

export interface FleetNode {
  server: ServerView;
  /** Its name within the fleet: the entry's label or host, `#n` for one of several sockets of an entry. */
  name: string;
}

export interface Fleet {
  key: string;
  /** The app id(s) of its nodes, numbered when two fleets would read alike. */
  name: string;
  /** Whether the user grouped it by hand (else: same app id and REST URL, or one entry's sockets). */
  byHand: boolean;
  nodes: FleetNode[];
}

/** The key of the fleet an entry belongs to (an extra socket: its entry's). */
function fleetKeyOf(server: ServerView, byId: ReadonlyMap<string, ServerView>): string {
  const entry = server.socketOf ? (byId.get(server.socketOf.serverId) ?? server) : server;
  const choice = entry.fleet ?? { type: 'auto' };
  if (choice.type === 'alone') return `alone:${entry.id}`;
  if (choice.type === 'group') return `group:${choice.groupId}`;
  return `auto:${entry.spec.applicationId}\n${restURLOf(entry.spec)}`;
}

/** "x", "x (2)", …: no two names of a list read alike. */
function numbered(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} (${n})`;
  });
}

function nodeName(server: ServerView, byId: ReadonlyMap<string, ServerView>): string {
  const entry = server.socketOf ? byId.get(server.socketOf.serverId) : server;
  const base = server.spec.label || hostOf(server.spec.serverURL);
  if (server.socketOf) return `${base} #${server.socketOf.index}`;
  return (entry?.sockets ?? 1) > 1 ? `${base} #1` : base;
}

/** Every fleet of two or more connections, in the order of their first node. */
export function groupFleets(servers: readonly ServerView[]): Fleet[] {
  const byId = new Map(servers.map((s) => [s.id, s]));
  const groups = new Map<string, ServerView[]>();
  for (const server of servers) {
    const key = fleetKeyOf(server, byId);
    groups.set(key, [...(groups.get(key) ?? []), server]);
  }
  const fleets = [...groups].filter(([, members]) => members.length > 1);
  const names = numbered(fleets.map(([, members]) => [...new Set(members.map((m) => m.spec.applicationId))].join(' + ')));
  return fleets.map(([key, members], i) => {
    const nodeNames = numbered(members.map((m) => nodeName(m, byId)));
    return {
      key,
      name: names[i]!,
      byHand: key.startsWith('group:'),
      nodes: members.map((server, j) => ({ server, name: nodeNames[j]! })),
    };
  });
}

export interface LatencySummary {
  p50: number;
  max: number;
  /** Samples behind these figures (the most recent ones). */
  count: number;
}

export interface NodeStats {
  clientId?: string;
  /** The last time its clientId changed: a reconnect (possibly landing on another node behind the same URL). */
  clientIdChange?: { at: number; from: string; to: string };
  /** Set while it is down (it was connected, and is not now). */
  downSince?: number;
  /** Its last time down, once it is back. */
  lastDown?: { from: number; to: number };
  /** Event arrival (browser clock) − the object's `updatedAt` (the Parse server's clock). */
  vsUpdatedAt?: LatencySummary;
  /** Event arrival − the fastest node's arrival of the same event (both browser clock). */
  vsFastest?: LatencySummary;
}

/** Recent samples a node's latency figures are read from. */
export const LATENCY_SAMPLES = 50;
/** Events remembered to compare nodes' arrivals of the same event. */
const EVENTS_REMEMBERED = 1000;
const EVENT_KINDS = new Set(['create', 'enter', 'update', 'leave', 'delete']);

interface NodeTrack {
  clientId?: string;
  clientIdChange?: NodeStats['clientIdChange'];
  wasConnected: boolean;
  downSince?: number;
  lastDown?: { from: number; to: number };
  vsUpdatedAt: number[];
  vsFastest: number[];
}

function summary(samples: readonly number[]): LatencySummary | undefined {
  if (!samples.length) return undefined;
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: sorted[Math.floor((sorted.length - 1) / 2)]!, max: sorted[sorted.length - 1]!, count: sorted.length };
}

function push(samples: number[], value: number): void {
  samples.push(value);
  if (samples.length > LATENCY_SAMPLES) samples.shift();
}

/** The event's object (its `updatedAt`), when the frame is whole JSON. */
function objectOf(raw: string | undefined): { updatedAt?: unknown } | undefined {
  if (!raw) return undefined;
  try {
    const frame = JSON.parse(raw) as { object?: { updatedAt?: unknown } };
    return typeof frame.object === 'object' && frame.object !== null ? frame.object : undefined;
  } catch {
    return undefined;
  }
}

export interface FleetsDeps {
  servers: ReadonlySignal<ServerView[]>;
  /** Where grouping by hand and sockets per entry are kept (the service worker's server registry). */
  connections?: Pick<ConnectionsStore, 'setServerFleet' | 'setServerSockets'>;
  /** Panel time (epoch ms): when a state or clientId change was seen. */
  now(): number;
  /** A new group id (random when absent). */
  newId?: () => string;
}

export function createFleetsStore({ servers, now, connections, newId = () => crypto.randomUUID().slice(0, 8) }: FleetsDeps) {
  const fleets = computed(() => groupFleets(servers.value));
  /** Which fleet each node's connection is in, and its name there. */
  const membership = computed(() => {
    const map = new Map<string, { fleet: Fleet; name: string }>();
    for (const fleet of fleets.value) for (const node of fleet.nodes) map.set(node.server.id, { fleet, name: node.name });
    return map;
  });
  /** "fleet · node" by source key, for the Source column and the detail pane. */
  const sourceNames = computed(() => {
    const names = new Map<string, string>();
    for (const [serverId, { fleet, name }] of membership.value) names.set(sourceKey({ type: 'server', serverId }), `${fleet.name} · ${name}`);
    return names;
  });

  const tracks = new Map<string, NodeTrack>();
  /** Per event (class, object, op, updatedAt): when the fastest node had it, and which nodes had it since. */
  const arrivals = new Map<string, { first: number; nodes: Set<string> }>();
  const stats = signal<ReadonlyMap<string, NodeStats>>(new Map());

  const track = (id: string): NodeTrack => {
    let t = tracks.get(id);
    if (!t) tracks.set(id, (t = { wasConnected: false, vsUpdatedAt: [], vsFastest: [] }));
    return t;
  };

  function publish(): void {
    const out = new Map<string, NodeStats>();
    for (const [id, t] of tracks) {
      const s: NodeStats = {};
      if (t.clientId !== undefined) s.clientId = t.clientId;
      if (t.clientIdChange) s.clientIdChange = t.clientIdChange;
      if (t.downSince !== undefined) s.downSince = t.downSince;
      if (t.lastDown) s.lastDown = t.lastDown;
      const updated = summary(t.vsUpdatedAt);
      if (updated) s.vsUpdatedAt = updated;
      const fastest = summary(t.vsFastest);
      if (fastest) s.vsFastest = fastest;
      out.set(id, s);
    }
    stats.value = out;
  }

  const registry = () => {
    if (!connections) throw new Error('No service worker to keep fleets in');
    return connections;
  };

  return {
    fleets,
    membership,
    /** Puts `serverId` in the fleet of `otherId`: its group made by hand, or a new group of the two. */
    async groupWith(serverId: string, otherId: string): Promise<void> {
      const other = servers.peek().find((s) => s.id === otherId);
      if (!other) throw new Error('That server is gone');
      if (other.fleet?.type === 'group') return registry().setServerFleet(serverId, other.fleet);
      const fleet = { type: 'group', groupId: `g-${newId()}` } as const;
      await registry().setServerFleet(otherId, fleet);
      await registry().setServerFleet(serverId, fleet);
    },
    /** Keeps the entry out of every fleet, or (`auto`) lets its app id and REST URL decide again. */
    setChoice(serverId: string, type: 'auto' | 'alone'): Promise<void> {
      return registry().setServerFleet(serverId, { type });
    },
    setSockets(serverId: string, sockets: number): Promise<void> {
      return registry().setServerSockets(serverId, sockets);
    },
    sourceNames,
    stats: stats as ReadonlySignal<ReadonlyMap<string, NodeStats>>,
    /** Called with every servers view from the service worker: notes clientId changes and down/back. */
    observe(list: readonly ServerView[]): void {
      const time = now();
      for (const server of list) {
        const t = track(server.id);
        if (server.clientId !== undefined && server.clientId !== t.clientId) {
          if (t.clientId !== undefined) t.clientIdChange = { at: time, from: t.clientId, to: server.clientId };
          t.clientId = server.clientId;
        }
        const connected = server.state === 'connected';
        if (connected && t.downSince !== undefined) {
          t.lastDown = { from: t.downSince, to: time };
          t.downSince = undefined;
        } else if (!connected && t.wasConnected && t.downSince === undefined) t.downSince = time;
        t.wasConnected = connected;
      }
      for (const id of tracks.keys()) if (!list.some((s) => s.id === id)) tracks.delete(id);
      publish();
    },
    /** Records as they arrive: each fleet node's event latency. */
    receive(records: readonly TimelineRecord[]): void {
      const members = membership.peek();
      let changed = false;
      for (const record of records) {
        if (record.source.type !== 'server' || !EVENT_KINDS.has(record.kind)) continue;
        const serverId = record.source.serverId;
        const member = members.get(serverId);
        if (!member) continue;
        const object = objectOf(record.raw);
        const key = `${member.fleet.key}\n${record.className}/${record.objectId}/${record.kind}/${String(object?.updatedAt)}`;
        const seen = arrivals.get(key);
        // The same event twice on one node (two matching subscriptions) counts once.
        if (seen?.nodes.has(serverId)) continue;
        const t = track(serverId);
        const updatedAt = typeof object?.updatedAt === 'string' ? Date.parse(object.updatedAt) : NaN;
        // A delete carries the object as it was: its updatedAt is not when the delete happened.
        if (record.kind !== 'delete' && Number.isFinite(updatedAt)) push(t.vsUpdatedAt, record.time - updatedAt);
        if (!seen) {
          arrivals.set(key, { first: record.time, nodes: new Set([serverId]) });
          if (arrivals.size > EVENTS_REMEMBERED) arrivals.delete(arrivals.keys().next().value!);
          push(t.vsFastest, 0);
        } else {
          // Records come in the order the service worker received them: the first one is the fastest node's.
          seen.nodes.add(serverId);
          push(t.vsFastest, record.time - seen.first);
        }
        changed = true;
      }
      if (changed) publish();
    },
  };
}

export type FleetsStore = ReturnType<typeof createFleetsStore>;
