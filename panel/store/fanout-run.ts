// Runs one fan-out check for the store: subscribes the query on every node of the fleet, makes (or waits for) one
// event, gives each node its verdict, and removes what it added whatever happens.

import { effect } from '@preact/signals';
import { matchesQuery } from '../../src/livequery-rules/matcher.js';
import { subscriptionKey } from '../../src/timeline/keys.js';
import type { FanoutNodeResult, RecordDraft } from '../../src/timeline/record.js';
import type { ServerView } from '../../src/views.js';
import { restURLOf, type RestCredentials } from '../../src/parse-rest/rest-client.js';
import { FANOUT_SUBSCRIPTION_PREFIX, NATURAL_EVENT_WAIT_MS, type Arrival, type FanoutCheckState, type FanoutRequest, type FanoutResult, type FanoutRunDeps } from './fanout-check.js';
import type { Fleet } from './fleets.js';

/** A throwaway object for `where`: its plain equalities; undefined when the where needs more than that to match. */
export function throwawayFields(className: string, where: Record<string, unknown>): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(where)) {
    if (key.startsWith('$') || key === 'objectId' || key === 'createdAt' || key === 'updatedAt' || key === 'ACL') return undefined;
    const operators = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value).filter((k) => k.startsWith('$')) : [];
    if (operators.length > 1 || (operators.length === 1 && operators[0] !== '$eq')) return undefined;
    fields[key] = operators.length ? (value as { $eq: unknown }).$eq : value;
  }
  return matchesQuery({ className, ...fields }, where) ? fields : undefined;
}

const RESERVED = new Set(['objectId', 'createdAt', 'updatedAt', 'ACL', 'className']);

/** A field of `object` that can be saved again as it is (a relation cannot): the update the check makes. */
export function resaveField(object: Record<string, unknown>): Record<string, unknown> | undefined {
  const candidates = Object.entries(object).filter(([key, value]) => {
    if (RESERVED.has(key) || key.startsWith('_')) return false;
    return !(typeof value === 'object' && value !== null && (value as { __type?: unknown }).__type === 'Relation');
  });
  const pick = candidates.find(([, value]) => value === null || typeof value !== 'object') ?? candidates[0];
  return pick ? { [pick[0]]: pick[1] } : undefined;
}

/** Why a node cannot take part now, or undefined when it can. */
function downReason(server: ServerView | undefined, subscriptionId?: string): string | undefined {
  if (!server) return 'removed';
  if (!server.enabled) return 'turned off';
  if (server.state !== 'connected') return server.state;
  if (subscriptionId === undefined) return undefined;
  const sub = server.subscriptions.find((s) => s.id === subscriptionId);
  if (!sub) return 'its check subscription is gone';
  if (sub.state === 'error') return `subscription refused: ${sub.lastError ?? 'error'}`;
  if (sub.state !== 'subscribed') return `subscription ${sub.state}`;
  return undefined;
}

function masterCredentials(fleet: Fleet): RestCredentials {
  const node = fleet.nodes.find((n) => n.server.spec.masterKey);
  if (!node) throw new Error(`A write needs the master key of a node of ${fleet.name}: add it to a server entry (Edit), or wait for the next natural event`);
  const { spec } = node.server;
  return { restURL: restURLOf(spec), applicationId: spec.applicationId, javascriptKey: spec.javascriptKey, masterKey: spec.masterKey };
}

/** Runs the check of `request` (refused before anything is subscribed when it cannot be made). */
export async function runFanoutCheck(state: FanoutCheckState, deps: FanoutRunDeps, request: FanoutRequest): Promise<FanoutResult> {
  const { settings, phase, running, results, arrivals, cancelled } = state;

  /** Resolves true once `test` holds (it re-runs when the signals it reads change), false after `ms` or a cancel. */
  function until(test: () => boolean, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      let done = false;
      let stopEffect: (() => void) | undefined;
      const finish = (ok: boolean) => {
        if (done) return;
        done = true;
        cancelTimer();
        stopEffect?.();
        resolve(ok);
      };
      const cancelTimer = deps.after(ms, () => finish(false));
      stopEffect = effect(() => {
        if (cancelled.value) finish(false);
        else if (test()) finish(true);
      });
      if (done) stopEffect();
    });
  }

  const serverOf = (id: string) => deps.servers.value.find((s) => s.id === id);

  if (running.peek()) throw new Error('A fan-out check is running: wait for it or cancel it');
  const fleet = deps.fleets.peek().find((f) => f.key === request.fleetKey);
  if (!fleet) throw new Error('That fleet is gone (a node was removed or regrouped)');
  const config = settings.peek();
  const result: FanoutResult = {
    fleet: fleet.name,
    fleetKey: fleet.key,
    className: request.className,
    write: request.write,
    settings: config,
    nodes: [],
    leftovers: [],
  };
  // Refused before anything is subscribed or written.
  const creds = request.write === 'natural' ? undefined : masterCredentials(fleet);
  const fields = request.write === 'create' ? throwawayFields(request.className, request.where) : undefined;
  if (request.write === 'create' && !fields) {
    throw new Error('A throwaway object can only be made for a where of plain equalities (e.g. {"room":"lobby"}) that it then matches: pick "update an existing match" or "the next natural event"');
  }

  const id = `${FANOUT_SUBSCRIPTION_PREFIX}${deps.newId()}`;
  state.listen(id, new Map());
  cancelled.value = false;
  running.value = fleet.key;
  arrivals.value = [];
  const names = new Map(fleet.nodes.map((n) => [n.server.id, n.name]));
  const verdicts = new Map<string, FanoutNodeResult>();
  const down = (serverId: string, why: string) => verdicts.set(serverId, { serverId, node: names.get(serverId) ?? serverId, verdict: 'down', why });
  const subscribed: string[] = [];
  let createdId: string | undefined;
  try {
    phase.value = 'subscribing';
    const query = { className: request.className, where: request.where };
    for (const node of fleet.nodes) {
      const why = downReason(node.server);
      if (why) {
        down(node.server.id, why);
        continue;
      }
      try {
        await deps.connections.subscribe(node.server.id, query, undefined, id);
        subscribed.push(node.server.id);
      } catch (error) {
        down(node.server.id, `cannot subscribe: ${(error as Error).message}`);
      }
    }
    state.listen(id, new Map(subscribed.map((serverId) => [subscriptionKey({ type: 'server', serverId, subscriptionId: id }), serverId])));
    // The service worker's next view shows each subscription (pending first): only an answer counts.
    const confirmed = () =>
      subscribed.every((serverId) => {
        const state = serverOf(serverId)?.subscriptions.find((s) => s.id === id)?.state;
        return state !== undefined && state !== 'pending';
      });
    await until(confirmed, config.waitMs);
    for (const serverId of subscribed) {
      const why = downReason(serverOf(serverId), id);
      if (why) down(serverId, why);
    }
    const live = subscribed.filter((serverId) => !verdicts.has(serverId));
    if (!live.length) throw new Error('No node of the fleet is up: nothing to check');
    if (cancelled.peek()) throw new Error('Cancelled');

    phase.value = 'writing';
    let writtenAt = deps.now();
    let target: (a: Arrival) => boolean;
    if (request.write === 'create') {
      createdId = (await deps.rest.createObject(creds!, request.className, fields!)).objectId;
      result.objectId = createdId;
      target = (a) => a.objectId === createdId && (a.kind === 'create' || a.kind === 'enter');
    } else if (request.write === 'update') {
      const found = await deps.rest.find(creds!, request.className, request.where, { max: 1 });
      const match = found.results[0];
      if (!match) throw new Error(`No ${request.className} object matches the query: pick "create a throwaway object" or "the next natural event"`);
      const objectId = String(match.objectId);
      const resave = resaveField(match);
      if (!resave) throw new Error(`The match ${objectId} has no field that can be saved again as it is`);
      result.objectId = objectId;
      writtenAt = deps.now();
      await deps.rest.updateObject(creds!, request.className, objectId, resave);
      target = (a) => a.objectId === objectId && a.time >= writtenAt && a.kind !== 'delete';
    } else {
      phase.value = 'waiting';
      if (!(await until(() => arrivals.value.length > 0, NATURAL_EVENT_WAIT_MS))) {
        throw new Error(cancelled.peek() ? 'Cancelled' : `No event within ${NATURAL_EVENT_WAIT_MS / 1000} s`);
      }
      const first = arrivals.peek()[0]!;
      result.objectId = first.objectId;
      target = (a) => a.objectId === first.objectId && a.kind === first.kind && a.updatedAt === first.updatedAt;
    }

    phase.value = 'waiting';
    const firstOf = (serverId: string) => arrivals.value.find((a) => a.serverId === serverId && target(a));
    await until(() => live.every(firstOf), config.waitMs);

    const got = live.flatMap((serverId) => {
      const arrival = arrivals.peek().find((a) => a.serverId === serverId && target(a));
      return arrival ? [arrival] : [];
    });
    const fastest = Math.min(...got.map((a) => a.time));
    for (const serverId of live) {
      const arrival = got.find((a) => a.serverId === serverId);
      if (!arrival) {
        const why = downReason(serverOf(serverId), id);
        if (why) down(serverId, why);
        else verdicts.set(serverId, { serverId, node: names.get(serverId)!, verdict: 'missing' });
        continue;
      }
      const since = request.write === 'natural' ? Date.parse(arrival.updatedAt ?? '') : writtenAt;
      const behind = arrival.time - fastest;
      const node: FanoutNodeResult = { serverId, node: names.get(serverId)!, verdict: behind > config.lateMs ? 'late' : 'delivered', behindFastestMs: behind };
      if (Number.isFinite(since)) node.latencyMs = arrival.time - since;
      verdicts.set(serverId, node);
    }
  } catch (error) {
    result.error = (error as Error).message;
  } finally {
    phase.value = 'cleaning';
    state.listen(id, new Map());
    for (const serverId of subscribed) {
      // A node that died mid-check still drops it: the service worker forgets it even while disconnected.
      await deps.connections.unsubscribe(serverId, id).catch((error: Error) => result.leftovers.push(`subscription on ${names.get(serverId)}: ${error.message}`));
    }
    if (createdId && creds) {
      await deps.rest
        .deleteObject(creds, request.className, createdId)
        .catch((error: Error) => result.leftovers.push(`throwaway ${request.className} ${createdId}: ${error.message}`));
    }
    state.listen(null, new Map());
    running.value = null;
    phase.value = 'idle';
  }
  result.nodes = fleet.nodes.flatMap((n) => {
    const verdict = verdicts.get(n.server.id);
    return verdict ? [verdict] : [];
  });
  result.finishedAt = deps.now();
  results.value = new Map(results.peek()).set(fleet.key, result);
  deps.addRecord(recordOf(result, result.finishedAt));
  return result;
}

function recordOf(result: FanoutResult, time: number): RecordDraft {
  const counts = new Map<string, number>();
  for (const node of result.nodes) counts.set(node.verdict, (counts.get(node.verdict) ?? 0) + 1);
  const tally = [...counts].map(([verdict, n]) => `${n} ${verdict}`).join(', ');
  const summary = `fan-out check of ${result.fleet} (${result.className}): ${result.error ? `stopped: ${result.error}` : tally}${result.leftovers.length ? ` — not cleaned up: ${result.leftovers.join('; ')}` : ''}`;
  const marker: RecordDraft['marker'] = {
    type: 'fanoutCheck',
    fleet: result.fleet,
    className: result.className,
    write: result.write,
    waitMs: result.settings.waitMs,
    lateMs: result.settings.lateMs,
    nodes: result.nodes,
  };
  if (result.objectId) marker.objectId = result.objectId;
  if (result.error) marker.error = result.error;
  const problem = result.error || result.nodes.some((n) => n.verdict !== 'delivered');
  return {
    time,
    source: { type: 'extension' },
    kind: problem ? 'error' : 'connection',
    label: 'fan-out check',
    marker,
    className: result.className,
    objectId: result.objectId,
    summary,
  };
}

