// The fan-out check: the same query on every node of a fleet (subscriptions of its own, removed after), one event
// (a write over REST with the master key, or the next one that happens), and a verdict per node.

import { signal, type ReadonlySignal, type Signal } from '@preact/signals';
import type { FanoutNodeResult, FanoutWrite, RecordDraft, TimelineRecord } from '../../src/timeline/record.js';
import type { ServerView } from '../../src/views.js';
import type { RestClient } from '../../src/parse-rest/rest-client.js';
import { lazyModule } from '../lazy-module.js';
import type { ConnectionsStore } from './connections.js';
import type { Fleet } from './fleets.js';

export interface FanoutSettings {
  /** How long each node has to deliver, from the write (or the first node's event). */
  waitMs: number;
  /** Behind the fastest node by more than this: late. */
  lateMs: number;
}

export const DEFAULT_FANOUT_SETTINGS: FanoutSettings = { waitMs: 5000, lateMs: 1000 };
/** "Wait for the next natural one": how long to wait for the first node's event before giving up. */
export const NATURAL_EVENT_WAIT_MS = 120_000;
/** The check's subscriptions are named so; one left by a panel that closed mid-check is removed by the next panel. */
export const FANOUT_SUBSCRIPTION_PREFIX = 'fanout-';

export function isFanoutSettings(value: unknown): value is FanoutSettings {
  const v = value as FanoutSettings | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    Number.isFinite(v.waitMs) &&
    v.waitMs >= 100 &&
    v.waitMs <= 600_000 &&
    Number.isFinite(v.lateMs) &&
    v.lateMs >= 0 &&
    v.lateMs <= 600_000
  );
}

export interface FanoutRequest {
  fleetKey: string;
  className: string;
  where: Record<string, unknown>;
  write: FanoutWrite;
}

export type FanoutPhase = 'idle' | 'subscribing' | 'writing' | 'waiting' | 'cleaning';

export interface FanoutResult {
  fleet: string;
  fleetKey: string;
  className: string;
  write: FanoutWrite;
  objectId?: string;
  settings: FanoutSettings;
  nodes: FanoutNodeResult[];
  /** Why the check stopped before its verdicts (its cleanup still ran). */
  error?: string;
  /** What the cleanup could not undo (a subscription or the throwaway object). */
  leftovers: string[];
  /** Panel time when it ended. */
  finishedAt?: number;
}

/** An event of the running check's subscriptions, as it arrived. */
export interface Arrival {
  serverId: string;
  time: number;
  kind: string;
  objectId?: string;
  updatedAt?: string;
}

export interface FanoutDeps {
  connections: Pick<ConnectionsStore, 'subscribe' | 'unsubscribe'>;
  servers: ReadonlySignal<ServerView[]>;
  fleets: ReadonlySignal<Fleet[]>;
  rest: RestClient;
  /** Adds the check's result to the timeline. */
  addRecord(draft: RecordDraft): void;
  /** Panel time (epoch ms): when the write was sent. */
  now(): number;
  /** Calls back after `ms` (setTimeout in the panel); returns a cancel. */
  after(ms: number, callback: () => void): () => void;
  settings?: FanoutSettings;
  newId?: () => string;
  /** Where the check's runner comes from (tests give a failing one); by default its own chunk. */
  importRunner?: () => Promise<FanoutRunner>;
}

type FanoutRunner = typeof import('./fanout-run.js');

/** What the runner reads and writes of the store: the state components show, and the events it waits for. */
export interface FanoutCheckState {
  settings: ReadonlySignal<FanoutSettings>;
  phase: Signal<FanoutPhase>;
  running: Signal<string | null>;
  results: Signal<ReadonlyMap<string, FanoutResult>>;
  arrivals: Signal<readonly Arrival[]>;
  cancelled: Signal<boolean>;
  listen(checkId: string | null, subscriptions: ReadonlyMap<string, string>): void;
}

/** What the runner needs besides the store's state. */
export type FanoutRunDeps = Omit<FanoutDeps, 'settings' | 'importRunner' | 'newId'> & { newId(): string };

const EVENT_KINDS = new Set(['create', 'enter', 'update', 'leave', 'delete']);

function updatedAtOf(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const value = (JSON.parse(raw) as { object?: { updatedAt?: unknown } }).object?.updatedAt;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function createFanoutCheckStore({ importRunner = () => import('./fanout-run.js'), ...deps }: FanoutDeps) {
  // Running a check (its subscriptions, write, verdicts, and the matcher for a throwaway object) is a chunk of its own:
  // only a click on "Run check" needs it.
  const runner = lazyModule('the fan-out check', importRunner);
  const settings = signal<FanoutSettings>(deps.settings ?? DEFAULT_FANOUT_SETTINGS);
  const phase = signal<FanoutPhase>('idle');
  /** The last result of each fleet, by fleet key: it stays on screen. */
  const results = signal<ReadonlyMap<string, FanoutResult>>(new Map());
  /** Which fleet the running check is for. */
  const running = signal<string | null>(null);
  const arrivals = signal<readonly Arrival[]>([]);
  let listening: ReadonlyMap<string, string> = new Map(); // subscription key → serverId
  let checkId: string | null = null;
  const cancelled = signal(false);
  const runDeps: FanoutRunDeps = { ...deps, newId: deps.newId ?? (() => crypto.randomUUID().slice(0, 8)) };

  /** The running check's subscription id and its subscriptions (key → serverId), whose events are collected. */
  function listen(id: string | null, subscriptions: ReadonlyMap<string, string>): void {
    checkId = id;
    listening = subscriptions;
  }

  const state: FanoutCheckState = { settings, phase, running, results, arrivals, cancelled, listen };

  async function run(request: FanoutRequest): Promise<FanoutResult> {
    if (running.peek()) throw new Error('A fan-out check is running: wait for it or cancel it');
    const { runFanoutCheck } = await runner.load();
    return runFanoutCheck(state, runDeps, request);
  }

  return {
    settings,
    phase,
    running,
    results,
    run,
    /** Stops waiting: the check ends with what it has and cleans up. */
    cancel(): void {
      cancelled.value = true;
    },
    setSettings(next: FanoutSettings): void {
      if (!isFanoutSettings(next)) throw new Error('The wait window is 0.1 to 600 s and the late threshold 0 to 600 s');
      settings.value = next;
    },
    /** Records as they arrive: the events of the running check's subscriptions. */
    receive(records: readonly TimelineRecord[]): void {
      if (!listening.size) return;
      const found: Arrival[] = [];
      for (const record of records) {
        const serverId = record.subscriptionKey === undefined ? undefined : listening.get(record.subscriptionKey);
        if (serverId === undefined || !EVENT_KINDS.has(record.kind)) continue;
        found.push({ serverId, time: record.time, kind: record.kind, objectId: record.objectId, updatedAt: updatedAtOf(record.raw) });
      }
      if (found.length) arrivals.value = [...arrivals.peek(), ...found];
    },
    /** Removes check subscriptions that a panel closed mid-check left behind (not the running one's). */
    sweep(list: readonly ServerView[]): void {
      for (const server of list) {
        for (const sub of server.subscriptions) {
          if (sub.id.startsWith(FANOUT_SUBSCRIPTION_PREFIX) && sub.id !== checkId) void deps.connections.unsubscribe(server.id, sub.id).catch(() => undefined);
        }
      }
    },
  };
}

export type FanoutCheckStore = ReturnType<typeof createFanoutCheckStore>;
