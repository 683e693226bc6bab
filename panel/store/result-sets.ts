// Live result sets, one per subscription, kept from each batch of records as it arrives: apart from the timeline, so
// that pausing, Clear and the capacity limit leave them as they are.

import { batch, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import { checkServerFrame, type ParseJSON, type QueryJSON } from '../../src/livequery/protocol.js';
import { isEventKind } from '../../src/timeline/describe.js';
import type { RecordDraft, RecordSource, TimelineRecord } from '../../src/timeline/record.js';
import { startsOver } from '../../src/timeline/result-set.js';
import type { RestClient, RestCredentials } from '../../src/parse-rest/rest-client.js';
import { lazyModule } from '../lazy-module.js';

/**
 * One object of a set: an event's record, whose frame is parsed only when the set is shown (parsing every event as
 * it arrives would double the panel's cost per event), or an object a query returned.
 */
type Member = { record: TimelineRecord } | { object: ParseJSON };

/**
 * Objects one result set keeps by default (the user can change it, up to MAX_RESULT_SET_CAP): beyond it the oldest
 * are forgotten (and counted), so memory stays bounded. A REST query loads at most as many.
 */
export const MAX_RESULT_SET_OBJECTS = 10_000;
export const MIN_RESULT_SET_CAP = 100;
export const MAX_RESULT_SET_CAP = 100_000;

export const isResultSetCap = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= MIN_RESULT_SET_CAP && value <= MAX_RESULT_SET_CAP;

export interface CheckSummary {
  /** When the REST answer arrived. */
  at: number;
  appeared: number;
  changed: number;
  left: number;
  /** Objects the query found (at most the cap). */
  found: number;
  /** More objects match than the cap: objects beyond it are not compared. */
  more: boolean;
}

export interface ResultSetView {
  /** How many objects match now. */
  size: number;
  /** How many of the oldest objects were forgotten to stay within the cap (since the last reset). */
  forgotten: number;
  /** The objects, in the order they entered the set. */
  objects(): ParseJSON[];
  /** Objects `start` to `end` (exclusive) of that order: only these frames are parsed (a table shows a few rows). */
  slice(start: number, end: number): ParseJSON[];
  /** Since when events may have been missed (the start of the first gap since the set was last checked). */
  staleSince?: number;
  /** A REST query (seed or check) is running. */
  busy: boolean;
  /** The last "What did I miss?" and what it found. */
  lastCheck?: CheckSummary;
  /** Why the last automatic check failed (a check the user runs rejects instead). */
  checkError?: string;
}

/** Where a subscription's query runs over REST: its server's REST root, keys and token, and its query. */
export interface QuerySource {
  creds: RestCredentials;
  query: QueryJSON;
  /** The records recovered for it name this source. */
  source: RecordSource;
}

export interface SeedResult {
  loaded: number;
  /** More objects match than the cap. */
  more: boolean;
}

interface Entry {
  members: Map<string, Member>;
  forgotten: number;
  view: Signal<ResultSetView>;
  /** While a REST query runs: when it started and the records since then, replayed over its results. */
  seeding?: { at: number; records: TimelineRecord[] };
  staleSince?: number;
  /** Gaps seen so far: a check clears staleness only when no gap arrived while it ran. */
  gaps: number;
  lastCheck?: CheckSummary;
  checkError?: string;
}

const parsedObjects = new WeakMap<TimelineRecord, ParseJSON>();

function parseRecordObject(record: TimelineRecord): ParseJSON | undefined {
  try {
    const checked = checkServerFrame(JSON.parse(record.raw ?? ''));
    return checked.ok && 'object' in checked.frame ? checked.frame.object : undefined;
  } catch {
    return undefined;
  }
}

function objectOf(member: Member): ParseJSON {
  if ('object' in member) return member.object;
  const { record } = member;
  let object = parsedObjects.get(record);
  if (!object) {
    // A frame cut for its size no longer parses: the object is still in the set, shown by its id.
    object = parseRecordObject(record) ?? { className: record.className, objectId: record.objectId };
    parsedObjects.set(record, object);
  }
  return object;
}

const objectIdOf = (object: ParseJSON): string | undefined =>
  typeof object.objectId === 'string' && object.objectId !== '' ? object.objectId : undefined;

/** A record that says events of some subscriptions may have been missed (not the panel's own recovered ones). */
const isGap = (record: TimelineRecord) => record.kind === 'gap' && record.marker?.type !== 'recovered';

function replaceWith(members: Map<string, Member>, objects: readonly ParseJSON[]): void {
  members.clear();
  for (const object of objects) {
    const id = objectIdOf(object);
    if (id !== undefined) members.set(id, { object });
  }
}

/**
 * One record of the set's subscription: events add (create, enter, update) or remove (leave, delete) their object,
 * a `result` frame replaces the set, an update op or a token switch empties it. Returns whether the set changed.
 */
function applyRecord(members: Map<string, Member>, record: TimelineRecord): boolean {
  if (startsOver(record)) {
    const changed = members.size > 0;
    members.clear();
    return changed;
  }
  if (isEventKind(record.kind)) {
    const id = record.objectId;
    if (!id) return false;
    if (record.kind === 'leave' || record.kind === 'delete') return members.delete(id);
    members.set(id, { record });
    return true;
  }
  // Other frames the server sends (connected, subscribed, result…) are rare: parse them to find `result` ones.
  if (record.kind === 'received' && !record.marker) {
    try {
      const checked = checkServerFrame(JSON.parse(record.raw ?? ''));
      if (!checked.ok || checked.frame.op !== 'result') return false;
      replaceWith(members, checked.frame.results);
      return true;
    } catch {
      return false;
    }
  }
  return false;
}

function viewOf(entry: Entry): ResultSetView {
  const { members, forgotten, staleSince, lastCheck, checkError, seeding } = entry;
  let list: Member[] | undefined;
  const listed = () => (list ??= Array.from(members.values()));
  return {
    size: members.size,
    forgotten,
    objects: () => listed().map(objectOf),
    slice: (start, end) => listed().slice(start, end).map(objectOf),
    staleSince,
    busy: !!seeding,
    lastCheck,
    checkError,
  };
}

function keptObjects(members: ReadonlyMap<string, Member>): Map<string, ParseJSON> {
  const kept = new Map<string, ParseJSON>();
  for (const [id, member] of members) kept.set(id, objectOf(member));
  return kept;
}

export interface ResultSetsDeps {
  rest: RestClient;
  /** The clock records are stamped with (epoch ms). */
  now(): number;
  /** Where a subscription's query runs over REST; undefined when the subscription is gone or its query unknown. */
  sourceOf(subscriptionKey: string): QuerySource | undefined;
  /** Adds the panel's own records (what a check recovered) to the timeline. */
  addRecords(drafts: readonly RecordDraft[]): void;
  settings?: { resultCap?: number; autoCheck?: boolean };
  /** Where comparing a set with a REST answer comes from (tests give a failing one); by default its own chunk. */
  importDiff?: () => Promise<ResultDiffModule>;
}

type ResultDiffModule = typeof import('./result-diff.js');

export function createResultSetsStore({ rest, now, sourceOf, addRecords, settings = {}, importDiff = () => import('./result-diff.js') }: ResultSetsDeps) {
  // Comparing a set with what REST finds, and the records of what that recovered, load on the first "What did I miss?".
  const differ = lazyModule('the result set check', importDiff);
  const entries = new Map<string, Entry>();
  /** Per service-worker epoch, the newest record applied: a replayed record is not applied twice. */
  const lastSeqByEpoch = new Map<string, number>();
  /** The frame of each page socket seen in records: a frame's relay gap concerns its sockets' subscriptions. */
  const frameOfSocket = new Map<string, number>();
  /** Objects a set keeps and a REST query loads. */
  const cap = signal(isResultSetCap(settings.resultCap) ? settings.resultCap : MAX_RESULT_SET_OBJECTS);
  /** Runs "What did I miss?" by itself after each gap. */
  const autoCheck = signal(settings.autoCheck === true);

  function entryOf(key: string): Entry {
    let entry = entries.get(key);
    if (!entry) {
      entry = { members: new Map(), forgotten: 0, gaps: 0 } as Entry;
      entry.view = signal(viewOf(entry));
      entries.set(key, entry);
    }
    return entry;
  }
  const publish = (entry: Entry) => {
    const limit = cap.peek();
    for (const id of entry.members.keys()) {
      if (entry.members.size <= limit) break;
      entry.members.delete(id);
      entry.forgotten++;
    }
    entry.view.value = viewOf(entry);
  };

  /** The subscriptions a gap record concerns: its own, a frame's page sockets', or every one (the extension's). */
  function gapTargets(record: TimelineRecord): string[] {
    if (record.subscriptionKey !== undefined) return [record.subscriptionKey];
    const { source } = record;
    if (source.type === 'extension') return [...entries.keys()];
    if (source.type === 'document') {
      return [...entries.keys()].filter((key) => {
        const socketId = /^pageSocket:(.*)\/\d+$/.exec(key)?.[1];
        return socketId !== undefined && (frameOfSocket.get(socketId) ?? source.frameId) === source.frameId;
      });
    }
    return [];
  }

  function markStale(key: string, since: number, changed: Set<Entry>, toCheck: Set<string>): void {
    const entry = entryOf(key);
    entry.gaps++;
    entry.staleSince = Math.min(entry.staleSince ?? Infinity, since);
    changed.add(entry);
    if (autoCheck.peek()) toCheck.add(key);
  }

  /** Runs the subscription's query over REST (up to the cap), then replays the records that arrived meanwhile. */
  async function runQuery(subscriptionKey: string, entry: Entry, from: QuerySource) {
    const seeding: NonNullable<Entry['seeding']> = { at: now(), records: [] };
    entry.seeding = seeding;
    publish(entry);
    try {
      const { query } = from;
      const found = await rest.find(from.creds, query.className, query.where, { max: cap.peek(), keys: query.keys });
      if (entry.seeding !== seeding || entries.get(subscriptionKey) !== entry) {
        throw new Error('The results were reset while the query ran; nothing was changed: run it again');
      }
      const objects = found.results.map((r) => ({ className: query.className, ...r }) as ParseJSON);
      return {
        found,
        objects,
        /** Replaces the set with what the query found and the records since. */
        apply: () => {
          replaceWith(entry.members, objects);
          for (const record of seeding.records) applyRecord(entry.members, record);
          entry.forgotten = 0;
        },
      };
    } finally {
      if (entry.seeding === seeding) entry.seeding = undefined;
      publish(entry);
    }
  }

  const sourceOrThrow = (subscriptionKey: string): QuerySource => {
    const from = sourceOf(subscriptionKey);
    if (!from) throw new Error('This subscription is gone or its query is not known: its query cannot be run over REST');
    return from;
  };

  async function check(subscriptionKey: string): Promise<CheckSummary> {
    const from = sourceOrThrow(subscriptionKey);
    // Loaded while the query runs; a chunk that cannot be loaded leaves the set as it was and rejects with why.
    const diffing = differ.load();
    diffing.catch(() => undefined);
    const entry = entryOf(subscriptionKey);
    const gapsBefore = entry.gaps;
    const staleSince = entry.staleSince ?? now();
    const { found, objects, apply } = await runQuery(subscriptionKey, entry, from);
    const { diffResults, recoveredDrafts } = await diffing;
    const before = keptObjects(entry.members);
    apply();
    const after = keptObjects(entry.members);
    // Records that arrived while the query ran are in both sets: only what the events never said is a difference.
    const diff = diffResults(before, [...after.values()], !found.more);
    const at = now();
    const summary: CheckSummary = { at, appeared: diff.appeared.length, changed: diff.changed.length, left: diff.left.length, found: objects.length, more: found.more };
    entry.lastCheck = summary;
    entry.checkError = undefined;
    if (entry.gaps === gapsBefore) entry.staleSince = undefined;
    publish(entry);
    const drafts = recoveredDrafts(diff, subscriptionKey, from, staleSince, at);
    if (drafts.length) addRecords(drafts);
    return summary;
  }

  function checkInBackground(keys: Iterable<string>): void {
    for (const key of keys) {
      const entry = entryOf(key);
      if (entry.seeding || !sourceOf(key)) continue;
      check(key).catch((error: unknown) => {
        entry.checkError = `What did I miss? failed: ${(error as Error).message}`;
        publish(entry);
      });
    }
  }

  return {
    cap,
    autoCheck,
    /** Records from the service worker, in order, whether or not the timeline keeps them. */
    receive(records: readonly TimelineRecord[]): void {
      const changed = new Set<Entry>();
      const toCheck = new Set<string>();
      for (const record of records) {
        const last = lastSeqByEpoch.get(record.epoch);
        if (last !== undefined && record.seq <= last) continue;
        lastSeqByEpoch.set(record.epoch, record.seq);
        if (record.source.type === 'pageSocket') frameOfSocket.set(record.source.socketId, record.source.frameId);
        if (isGap(record)) {
          const since = record.marker?.type === 'gap' ? record.marker.from : record.time;
          for (const key of gapTargets(record)) markStale(key, since, changed, toCheck);
        }
        // An injected event changed what the app shows, not what the server holds: the set stays the server's.
        if (record.subscriptionKey === undefined || record.injected) continue;
        const entry = entryOf(record.subscriptionKey);
        if (entry.seeding && record.time > entry.seeding.at) entry.seeding.records.push(record);
        if (startsOver(record)) {
          // A new query or token: what was forgotten, stale or checked belonged to the set that starts over.
          entry.forgotten = 0;
          entry.staleSince = undefined;
          entry.lastCheck = undefined;
          entry.checkError = undefined;
          changed.add(entry);
        }
        if (applyRecord(entry.members, record)) changed.add(entry);
      }
      if (changed.size) batch(() => changed.forEach(publish));
      if (toCheck.size) checkInBackground(toCheck);
    },
    /** Every set may have missed events since `time` (e.g. the extension's backlog dropped records). */
    markAllStale(time: number): void {
      const changed = new Set<Entry>();
      const toCheck = new Set<string>();
      for (const key of entries.keys()) markStale(key, time, changed, toCheck);
      batch(() => changed.forEach(publish));
      if (toCheck.size) checkInBackground(toCheck);
    },
    /** The live result set of one subscription (empty until its events arrive). */
    of(subscriptionKey: string): ReadonlySignal<ResultSetView> {
      return entryOf(subscriptionKey).view;
    },
    /** Empties a set; its next events fill it again. */
    reset(subscriptionKey: string): void {
      const entry = entryOf(subscriptionKey);
      entry.seeding = undefined;
      entry.members.clear();
      entry.forgotten = 0;
      entry.staleSince = undefined;
      entry.lastCheck = undefined;
      entry.checkError = undefined;
      publish(entry);
    },
    /**
     * Replaces a set with what its query finds now through REST (objects that matched before the subscription), up
     * to the cap, then replays the events that arrived meanwhile.
     */
    async seed(subscriptionKey: string): Promise<SeedResult> {
      const from = sourceOrThrow(subscriptionKey);
      const entry = entryOf(subscriptionKey);
      const { found, apply } = await runQuery(subscriptionKey, entry, from);
      apply();
      publish(entry);
      return { loaded: found.results.length, more: found.more };
    },
    /**
     * "What did I miss?": runs the query over REST, corrects the set, adds what it recovered (appeared, changed,
     * left) to the timeline and clears the staleness (unless another gap came meanwhile).
     */
    check,
    setCap(value: number): void {
      if (!isResultSetCap(value)) throw new Error(`The cap must be a whole number from ${MIN_RESULT_SET_CAP} to ${MAX_RESULT_SET_CAP.toLocaleString('en-US')}`);
      cap.value = value;
      batch(() => entries.forEach(publish));
    },
    setAutoCheck(on: boolean): void {
      autoCheck.value = on;
    },
    /** Forgets the sets of every subscription not in `keys` (gone from the service worker, not on screen). */
    retain(keys: ReadonlySet<string>): void {
      for (const key of entries.keys()) if (!keys.has(key)) entries.delete(key);
    },
  };
}

export type ResultSetsStore = ReturnType<typeof createResultSetsStore>;
