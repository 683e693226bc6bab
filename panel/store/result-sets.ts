// Live result sets, one per subscription, kept from each batch of records as it arrives: apart from the timeline, so
// that pausing, Clear and the capacity limit leave them as they are.

import { batch, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import { checkServerFrame, type ParseJSON, type QueryJSON } from '../../src/livequery/protocol.js';
import { isEventKind } from '../../src/timeline/describe.js';
import type { TimelineRecord } from '../../src/timeline/record.js';
import { startsOver } from '../../src/timeline/result-set.js';
import type { ServerSpec } from '../../src/views.js';
import { restURLFor, type RestClient } from '../adapters/rest.js';

/**
 * One object of a set: an event's record, whose frame is parsed only when the set is shown (parsing every event as
 * it arrives would double the panel's cost per event), or an object a query returned.
 */
type Member = { record: TimelineRecord } | { object: ParseJSON };

/** Objects one result set keeps: beyond it the oldest are forgotten (and counted), so memory stays bounded. */
export const MAX_RESULT_SET_OBJECTS = 10_000;

export interface ResultSetView {
  /** How many objects match now. */
  size: number;
  /** How many of the oldest objects were forgotten to stay within MAX_RESULT_SET_OBJECTS (since the last reset). */
  forgotten: number;
  /** The objects, in the order they entered the set. */
  objects(): ParseJSON[];
}

/** The subscription a seed query runs for: the same query, on the same server, with the same token. */
export interface SeedSource {
  spec: ServerSpec;
  query: QueryJSON;
  sessionToken?: string;
}

interface Entry {
  members: Map<string, Member>;
  forgotten: number;
  view: Signal<ResultSetView>;
  /** While a seed query runs: when it started and the records since then, replayed over its results. */
  seeding?: { at: number; records: TimelineRecord[] };
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

function viewOf(entry: Pick<Entry, 'members' | 'forgotten'>): ResultSetView {
  const { members, forgotten } = entry;
  return { size: members.size, forgotten, objects: () => Array.from(members.values(), objectOf) };
}

export interface ResultSetsDeps {
  rest: RestClient;
  /** The clock records are stamped with (epoch ms). */
  now(): number;
}

export function createResultSetsStore({ rest, now }: ResultSetsDeps) {
  const entries = new Map<string, Entry>();
  /** Per service-worker epoch, the newest record applied: a replayed record is not applied twice. */
  const lastSeqByEpoch = new Map<string, number>();

  function entryOf(key: string): Entry {
    let entry = entries.get(key);
    if (!entry) {
      const members = new Map<string, Member>();
      entry = { members, forgotten: 0, view: signal(viewOf({ members, forgotten: 0 })) };
      entries.set(key, entry);
    }
    return entry;
  }
  const publish = (entry: Entry) => {
    for (const id of entry.members.keys()) {
      if (entry.members.size <= MAX_RESULT_SET_OBJECTS) break;
      entry.members.delete(id);
      entry.forgotten++;
    }
    entry.view.value = viewOf(entry);
  };

  return {
    /** Records from the service worker, in order, whether or not the timeline keeps them. */
    receive(records: readonly TimelineRecord[]): void {
      const changed = new Set<Entry>();
      for (const record of records) {
        const last = lastSeqByEpoch.get(record.epoch);
        if (last !== undefined && record.seq <= last) continue;
        lastSeqByEpoch.set(record.epoch, record.seq);
        if (record.subscriptionKey === undefined) continue;
        const entry = entryOf(record.subscriptionKey);
        if (entry.seeding && record.time > entry.seeding.at) entry.seeding.records.push(record);
        // What was forgotten belonged to the set that starts over.
        if (startsOver(record)) entry.forgotten = 0;
        if (applyRecord(entry.members, record)) changed.add(entry);
      }
      if (changed.size) batch(() => changed.forEach(publish));
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
      publish(entry);
    },
    /**
     * Replaces a set with what its query finds now through REST (objects that matched before the subscription),
     * then replays the events that arrived meanwhile. Resolves with how many objects the query found.
     */
    async seed(subscriptionKey: string, source: SeedSource): Promise<number> {
      const entry = entryOf(subscriptionKey);
      const seeding: NonNullable<Entry['seeding']> = { at: now(), records: [] };
      entry.seeding = seeding;
      const { spec, query } = source;
      try {
        const results = await rest.find(
          { restURL: restURLFor(spec.serverURL), applicationId: spec.applicationId, javascriptKey: spec.javascriptKey, sessionToken: source.sessionToken },
          query.className,
          query.where,
        );
        if (entry.seeding !== seeding || entries.get(subscriptionKey) !== entry) {
          throw new Error('The results were reset while the query ran; seed again');
        }
        replaceWith(entry.members, results.map((r) => ({ className: query.className, ...r })));
        for (const record of seeding.records) applyRecord(entry.members, record);
        publish(entry);
        return results.length;
      } finally {
        if (entry.seeding === seeding) entry.seeding = undefined;
      }
    },
    /** Forgets the sets of every subscription not in `keys` (gone from the service worker, not on screen). */
    retain(keys: ReadonlySet<string>): void {
      for (const key of entries.keys()) if (!keys.has(key)) entries.delete(key);
    },
  };
}

export type ResultSetsStore = ReturnType<typeof createResultSetsStore>;
