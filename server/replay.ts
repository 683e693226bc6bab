// `npm run server -- --replay recording.json`: every confirmed subscription is sent the recording's events that match
// its query (same class, object or original matched by the shared LiveQuery matcher), at the recorded pace.

import { readFile } from 'node:fs/promises';
import type { InjectedEvent } from '../src/inject/event-frame.js';
import { readReplayPlan, type ReplayPlan } from '../src/inject/replay-plan.js';
import { matchesQuery } from '../src/livequery-rules/matcher.js';
import type { LiveClient, SubscriptionInfo } from './lq-client.js';
import type { LiveQueryServer } from './livequery.js';

export interface ReplayOptions {
  plan: ReplayPlan;
  /** 1 the recorded pace, 2 twice as fast…; 0 every event at once. */
  speed: number;
}

export interface TimedEvent {
  /** Milliseconds after the first event played into the subscription, at the recorded pace. */
  offset: number;
  event: InjectedEvent;
}

function matches(object: unknown, where: unknown): boolean {
  try {
    return matchesQuery(structuredClone(object), where);
  } catch {
    return false; // as Parse Server: a matcher error skips the subscription
  }
}

/** The same event recorded by several subscriptions is played once. */
function identity(event: InjectedEvent): string {
  const { object, original } = event;
  const stamp = (value: unknown) => (typeof value === 'object' && value && 'updatedAt' in value ? String(value.updatedAt) : JSON.stringify(value));
  return `${event.op}|${String(object.objectId)}|${stamp(object)}|${original ? stamp(original) : ''}`;
}

/** The recording's events for a subscription to `className` with `where`, oldest first, timed from the first. */
export function eventsFor(plan: ReplayPlan, className: string, where: unknown): TimedEvent[] {
  const seen = new Set<string>();
  const out: TimedEvent[] = [];
  let first: number | undefined;
  for (const step of plan.steps) {
    const { event } = step;
    if (event.object.className !== className) continue;
    if (!matches(event.object, where) && !(event.original && matches(event.original, where))) continue;
    const id = identity(event);
    if (seen.has(id)) continue;
    seen.add(id);
    first ??= step.time;
    out.push({ offset: step.time - first, event });
  }
  return out;
}

/** Plays the matching events into each new subscription; stops for one that is unsubscribed or updated meanwhile. */
export function attachReplay(server: LiveQueryServer, { plan, speed }: ReplayOptions): void {
  server.onSubscribed = (client: LiveClient, requestId: number, info: SubscriptionInfo) => {
    const events = eventsFor(plan, info.subscription.className, info.subscription.where);
    const stillThere = () => client.subscriptionInfos.get(requestId) === info;
    const play = (index: number): void => {
      if (index >= events.length || !stillThere()) return;
      const { event } = events[index]!;
      client.push(event.op, requestId, structuredClone(event.object), event.original ? structuredClone(event.original) : null);
      const next = events[index + 1];
      if (!next) return;
      const wait = speed > 0 ? (next.offset - events[index]!.offset) / speed : 0;
      setTimeout(() => play(index + 1), wait);
    };
    // After the `subscribed` frame has gone out.
    setTimeout(() => play(0), 0);
  };
}

/** Reads `--replay FILE` for the CLI: the plan, or a message that says why the file cannot be played. */
export async function loadReplay(path: string): Promise<{ ok: true; plan: ReplayPlan } | { ok: false; error: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, error: `cannot read ${path}: ${(error as Error).message}` };
  }
  const read = readReplayPlan(text);
  if (!read.ok) return { ok: false, error: `${path}: ${read.error}` };
  if (!read.value.steps.length) return { ok: false, error: `${path}: the recording has no event to replay` };
  return { ok: true, plan: read.value };
}

/** The CLI's one-paragraph summary of what will be replayed. */
export function describeReplay(path: string, { plan, speed }: ReplayOptions): string {
  const classes = [...new Set(plan.subscriptions.map((s) => s.className))].join(', ');
  const pace = speed > 0 ? (speed === 1 ? 'at the recorded pace' : `${speed}× the recorded pace`) : 'as fast as possible';
  const lines = [`  replay:        ${path}: ${plan.steps.length} event(s) of ${classes}, into each matching subscription ${pace}`];
  for (const warning of plan.warnings) lines.push(`                 ⚠ ${warning}`);
  return lines.join('\n');
}
