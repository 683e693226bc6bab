// Inject: a synthetic event, edited as JSON or taken from a recorded one, delivered to one of the page's own
// subscriptions through its hook (the app's SDK handles it as a server frame). Nothing is sent to a server.

import { computed, signal, type ReadonlySignal } from '@preact/signals';
import type { EventOp } from '../../src/livequery/protocol.js';
import { checkInjectedEvent, eventOfFrame, OPS_WITH_ORIGINAL, parseObjectText, type InjectedEvent } from '../../src/inject/event-frame.js';
import type { TimelineRecord } from '../../src/timeline/record.js';
import type { PageSocketView } from '../../src/views.js';
import type { Command } from '../adapters/port.js';

/** One of the page's subscriptions: where an injection goes. */
export interface InjectTarget {
  socketId: string;
  requestId: number;
  className: string;
}

export type InjectStatus =
  | { state: 'idle' }
  | { state: 'sending' }
  | { state: 'sent'; op: EventOp }
  | { state: 'error'; error: string };

export interface InjectDeps {
  run(command: Command): Promise<void>;
  sockets: ReadonlySignal<PageSocketView[]>;
  /** Epoch ms, for the createdAt/updatedAt of a new object. */
  now(): number;
}

const pretty = (value: unknown): string => JSON.stringify(value, null, 2);

/** Why nothing can be injected into `target` now (from the page view the panel has), or undefined. */
export function targetProblem(target: InjectTarget, sockets: readonly PageSocketView[]): string | undefined {
  const socket = sockets.find((s) => s.id === target.socketId);
  if (!socket) return 'the page no longer has that socket (it may have navigated): nothing was injected';
  if (socket.state === 'closed' || socket.state === 'closing') return 'the page socket is closed: nothing was injected';
  if (!socket.subscriptions.some((s) => s.requestId === target.requestId)) {
    return `the page socket has no subscription with requestId ${target.requestId}: nothing was injected`;
  }
  return undefined;
}

/** The page subscription a recorded record belongs to (a page socket's event with a requestId), or undefined. */
export function recordTarget(record: TimelineRecord): Omit<InjectTarget, 'className'> | undefined {
  if (record.source.type !== 'pageSocket' || record.requestId === undefined) return undefined;
  return { socketId: record.source.socketId, requestId: record.requestId };
}

export function createInjectStore({ run, sockets, now }: InjectDeps) {
  const target = signal<InjectTarget | null>(null);
  const op = signal<EventOp>('create');
  const objectText = signal('');
  const originalText = signal('');
  const status = signal<InjectStatus>({ state: 'idle' });
  /** The result of the last "Send again", by record (epoch:seq). */
  const sentAgain = signal<{ record: string; ok: boolean; message: string } | null>(null);

  /** What the editor would send, or why it cannot. */
  const draft = computed((): { ok: true; event: InjectedEvent } | { ok: false; error: string } => {
    const object = parseObjectText(objectText.value, 'object');
    if (!object.ok) return object;
    if (!object.value) return { ok: false, error: 'object: empty' };
    const withOriginal = OPS_WITH_ORIGINAL.includes(op.value);
    const original = withOriginal ? parseObjectText(originalText.value, 'original') : { ok: true as const, value: undefined };
    if (!original.ok) return original;
    const checked = checkInjectedEvent({ op: op.value, object: object.value, original: original.value });
    return checked.ok ? { ok: true, event: checked.value } : checked;
  });

  async function deliver(to: Omit<InjectTarget, 'className'>, event: InjectedEvent): Promise<void> {
    const withClass = { ...to, className: String(event.object.className) };
    const problem = targetProblem(withClass, sockets.peek());
    if (problem) throw new Error(problem);
    await run({ type: 'injectPageEvent', socketId: to.socketId, requestId: to.requestId, event });
  }

  return {
    target,
    op,
    objectText,
    originalText,
    status,
    draft,
    sentAgain,
    /** Injects `event` into a page subscription; rejects with the reason it was not (replays use it too). */
    deliver,
    /** Opens the editor for one of the page's subscriptions, with an object of its class to edit. */
    open(socketId: string, requestId: number, className: string): void {
      target.value = { socketId, requestId, className };
      status.value = { state: 'idle' };
      const time = new Date(now()).toISOString();
      const object = { className, objectId: `injected${Math.floor(now()) % 100000}`, createdAt: time, updatedAt: time };
      objectText.value = pretty(object);
      originalText.value = pretty({ ...object });
    },
    /** Opens the editor filled from a recorded event of a page subscription (to change it before injecting). */
    openFrom(record: TimelineRecord): boolean {
      const to = recordTarget(record);
      const event = eventOfFrame(record.raw);
      if (!to || !event.ok) return false;
      target.value = { ...to, className: String(event.value.object.className) };
      op.value = event.value.op;
      objectText.value = pretty(event.value.object);
      originalText.value = event.value.original ? pretty(event.value.original) : '';
      status.value = { state: 'idle' };
      return true;
    },
    close(): void {
      target.value = null;
      status.value = { state: 'idle' };
    },
    setOp(next: EventOp): void {
      op.value = next;
    },
    setObjectText(text: string): void {
      objectText.value = text;
    },
    setOriginalText(text: string): void {
      originalText.value = text;
    },
    /** Injects the editor's event; the status says what happened (a bad draft sends nothing). */
    async send(): Promise<void> {
      const to = target.peek();
      if (!to) return;
      const current = draft.peek();
      if (!current.ok) {
        status.value = { state: 'error', error: current.error };
        return;
      }
      status.value = { state: 'sending' };
      try {
        await deliver(to, current.event);
        status.value = { state: 'sent', op: current.event.op };
      } catch (error) {
        status.value = { state: 'error', error: (error as Error).message };
      }
    },
    /** Whether "Send again" applies: a page subscription's event whose frame was kept whole. */
    canSendAgain(record: TimelineRecord): boolean {
      return recordTarget(record) !== undefined && eventOfFrame(record.raw).ok;
    },
    /** Injects a recorded event again into the subscription that received it. */
    async sendAgain(record: TimelineRecord): Promise<void> {
      const key = `${record.epoch}:${record.seq}`;
      const to = recordTarget(record);
      const event = eventOfFrame(record.raw);
      try {
        if (!to) throw new Error("only an event of one of the page's own subscriptions can be sent again");
        if (!event.ok) throw new Error(event.error);
        await deliver(to, event.value);
        sentAgain.value = { record: key, ok: true, message: `${event.value.op} injected into the page's subscription #${to.requestId}` };
      } catch (error) {
        sentAgain.value = { record: key, ok: false, message: (error as Error).message };
      }
    },
  };
}

export type InjectStore = ReturnType<typeof createInjectStore>;
