import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  HOOK_TAG,
  isRelayToBackground,
  MAX_EVENTS_PER_MESSAGE,
  type BackgroundToRelay,
  type HookControl,
  type HookMessage,
  type PageSocketEvent,
  type RelayToBackground,
} from '../messages.js';
import { created, frame } from './fixtures/socket-events.js';
import { createRelay, DEFAULT_RELAY_LIMITS, type RelayLimits, type RelayPort } from './relay-core.js';

class FakePort implements RelayPort {
  readonly sent: RelayToBackground[] = [];
  private readonly listeners: (() => void)[] = [];
  private readonly messageListeners: ((message: unknown) => void)[] = [];
  failing = false;
  disconnectedByRelay = false;
  onDisconnect = { addListener: (listener: () => void) => void this.listeners.push(listener) };
  onMessage = { addListener: (listener: (message: unknown) => void) => void this.messageListeners.push(listener) };
  postMessage(message: RelayToBackground): void {
    if (this.failing) throw new Error('Attempting to use a disconnected port object');
    assert.ok(isRelayToBackground(message), 'every message passes the background’s validator');
    this.sent.push(structuredClone(message));
  }
  /** The relay closed it (a port's own onDisconnect does not fire for the side that disconnects). */
  disconnect(): void {
    this.disconnectedByRelay = true;
  }
  /** The background went away. */
  drop(): void {
    for (const listener of this.listeners) listener();
  }
  answer(message: BackgroundToRelay): void {
    for (const listener of this.messageListeners) listener(message);
  }
}

function setup(limits: Partial<RelayLimits> = {}) {
  const ports: FakePort[] = [];
  const timers: { handler: () => void; ms: number }[] = [];
  const env = { connectFails: false, contextValid: true, time: 0, stopped: 0, documents: 0 };
  /** The page hook: what it hands over on 'watch', and the controls it got. */
  const page = { backfill: [] as HookMessage[], controls: [] as HookControl[] };
  const relay = createRelay(
    {
      connect() {
        if (env.connectFails) throw new Error('Could not establish connection');
        const port = new FakePort();
        ports.push(port);
        return port;
      },
      contextValid: () => env.contextValid,
      documentUrl: () => 'http://app.test/page',
      newDocumentId: () => `doc-${++env.documents}`,
      controlHook(control) {
        page.controls.push(control);
        if (control === 'watch') for (const message of page.backfill.splice(0)) relay.onWindowMessage(true, message, true);
      },
      setTimeout: (handler, ms) => timers.push({ handler, ms }),
      now: () => env.time,
      onStop: () => env.stopped++,
    },
    { ...DEFAULT_RELAY_LIMITS, ...limits },
  );
  const runTimers = (): number[] => {
    const due = timers.splice(0);
    for (const timer of due) timer.handler();
    return due.map((t) => t.ms);
  };
  const watch = (on = true) => relay.onBackgroundMessage({ type: 'watch', on });
  return { relay, ports, timers, env, page, runTimers, watch };
}

const hook = (...events: PageSocketEvent[]): HookMessage => ({ tag: HOOK_TAG, events });
const CONNECT = '{"op":"connect","applicationId":"lq-app"}';
const CONNECTED = '{"op":"connected","clientId":"c1"}';
const socketEvents = (port: FakePort) => port.sent.filter((m) => m.type === 'socketEvents');

describe('relay: while no panel watches', () => {
  it('sends nothing and opens no port, whatever the page posts', () => {
    const { relay, ports, timers, page } = setup();
    relay.onWindowMessage(true, hook(created('a'), frame('a', 'sent', CONNECT)));
    relay.onWindowMessage(true, hook(frame('a', 'received', CONNECTED)), true);
    relay.flushNow();
    assert.equal(ports.length, 0);
    assert.equal(timers.length, 0);
    assert.deepEqual(page.controls, [], 'the hook is left alone');
  });

  it('announces its document when asked (a panel is open somewhere) and closes the port when its tab is not watched', () => {
    const { relay, ports, page } = setup();
    relay.announce();
    assert.deepEqual(ports[0]!.sent, [{ type: 'document', url: 'http://app.test/page', documentId: 'doc-1' }]);
    ports[0]!.answer({ type: 'watch', on: false });
    assert.equal(ports[0]!.disconnectedByRelay, true, 'the worker may sleep');
    assert.equal(relay.watched, false);
    assert.deepEqual(page.controls, []);
  });
});

describe('relay: once a panel watches', () => {
  it('announces the document, hands over the page’s summary, then forwards events batched per flush', () => {
    const { relay, ports, page, runTimers, watch } = setup();
    page.backfill = [
      { ...hook(created('old'), frame('old', 'sent', CONNECT)), replay: true },
      { ...hook(frame('old', 'received', CONNECTED)), notKept: 7 },
    ];
    watch();
    assert.deepEqual(page.controls, ['watch']);
    const [document, replay, fresh] = ports[0]!.sent;
    assert.deepEqual(document, { type: 'document', url: 'http://app.test/page', documentId: 'doc-1' });
    assert.equal(replay?.type === 'socketEvents' && replay.replay, true);
    assert.equal(replay?.type === 'socketEvents' && replay.events.length, 2);
    assert.equal(fresh?.type === 'socketEvents' && fresh.replay, undefined);
    assert.equal(fresh?.type === 'socketEvents' && fresh.notKept, 7);
    relay.onWindowMessage(true, hook(created('a')));
    relay.onWindowMessage(true, hook(frame('a', 'sent', CONNECT)));
    assert.equal(ports[0]!.sent.length, 3, 'nothing before the flush delay');
    assert.deepEqual(runTimers(), [DEFAULT_RELAY_LIMITS.flushDelayMs]);
    const events = ports[0]!.sent[3];
    assert.equal(events?.type === 'socketEvents' && events.events.length, 2);
  });

  it('answered on the port it announced on, it does not announce again (one answer, one hand-over)', () => {
    const { relay, ports, page } = setup();
    relay.announce();
    ports[0]!.answer({ type: 'watch', on: true });
    assert.deepEqual(ports[0]!.sent.map((m) => m.type), ['document']);
    assert.deepEqual(page.controls, ['watch']);
  });

  it('forwards only valid hook messages from its own window', () => {
    const { relay, ports, runTimers, watch } = setup();
    watch();
    relay.onWindowMessage(false, hook(created('a')));
    relay.onWindowMessage(true, { tag: 'other', events: [created('a')] });
    relay.onWindowMessage(true, hook({ ...created('a'), socketId: 'bad id!' }));
    relay.onWindowMessage(true, hook({ type: 'frame', socketId: 'a', direction: 'sent', time: 1 } as PageSocketEvent));
    relay.onWindowMessage(true, { tag: HOOK_TAG, events: new Array(MAX_EVENTS_PER_MESSAGE + 1).fill(created('a')) });
    relay.onWindowMessage(true, { tag: HOOK_TAG, events: [], notKept: 'many' });
    relay.onWindowMessage(true, 'string');
    relay.onWindowMessage(true, null);
    runTimers();
    assert.deepEqual(socketEvents(ports[0]!), []);
  });

  it('sends urgent messages (the page is unloading) at once, without waiting for a timer', () => {
    const { relay, ports, timers, watch } = setup();
    watch();
    relay.onWindowMessage(true, hook(created('lq'), frame('lq', 'sent', CONNECT)), true);
    assert.equal(timers.length, 0);
    assert.deepEqual(ports[0]?.sent.map((m) => m.type), ['document', 'socketEvents']);
    relay.onWindowMessage(true, hook(frame('lq', 'received', CONNECTED)));
    relay.flushNow();
    assert.equal(ports[0]?.sent.length, 3);
  });

  it('splits big batches into messages of at most MAX_EVENTS_PER_MESSAGE events', () => {
    const { relay, ports, runTimers, watch } = setup();
    watch();
    for (let i = 0; i < 3; i++) {
      relay.onWindowMessage(true, hook(...Array.from({ length: 400 }, (_, n) => created(`s${i}-${n}`))));
    }
    runTimers();
    assert.deepEqual(socketEvents(ports[0]!).map((m) => m.type === 'socketEvents' && m.events.length), [500, 500, 200]);
  });

  it('stops forwarding when the tab is no longer watched: the hook is told, the queue dropped, the port closed', () => {
    const { relay, ports, page, runTimers, watch, timers } = setup();
    watch();
    relay.onWindowMessage(true, hook(created('a')));
    watch(false);
    assert.deepEqual(page.controls, ['watch', 'unwatch']);
    assert.equal(ports[0]!.disconnectedByRelay, true);
    runTimers();
    relay.onWindowMessage(true, hook(created('b')));
    assert.equal(timers.length, 0);
    assert.deepEqual(socketEvents(ports[0]!), []);
  });

  it('a new page load from the back/forward cache gets a new document id', () => {
    const { relay, ports, watch } = setup();
    watch();
    relay.announce(true);
    const ids = ports[0]!.sent.flatMap((m) => (m.type === 'document' ? [m.documentId] : []));
    assert.deepEqual(ids, ['doc-1', 'doc-2']);
  });
});

describe('relay: when the background goes away', () => {
  it('asks the hook again when a panel opens on a restarted background, and re-announces the same document', () => {
    const { relay, ports, page, runTimers, watch } = setup();
    watch();
    relay.onWindowMessage(true, hook(created('lq'), frame('lq', 'sent', CONNECT)));
    runTimers();
    ports[0]!.drop();
    page.backfill = [{ ...hook(created('lq'), frame('lq', 'sent', CONNECT)), replay: true }];
    watch();
    assert.equal(ports.length, 2, 'a new port is opened without waiting for the page');
    const [document, replay] = ports[1]!.sent;
    assert.equal(document?.type === 'document' && document.documentId, 'doc-1');
    assert.equal(document?.type === 'document' && document.again, true, 'a restarted worker is told it is no new page load');
    assert.equal(ports[0]!.sent[0]?.type === 'document' && ports[0]!.sent[0].again, undefined);
    assert.equal(replay?.type === 'socketEvents' && replay.replay, true);
    assert.deepEqual(page.controls, ['watch', 'watch']);
  });

  it('reopens the port lazily on the next message, with the document and the hook’s replay before it', () => {
    const { relay, ports, page, timers, runTimers, watch } = setup();
    watch();
    relay.onWindowMessage(true, hook(created('lq'), frame('lq', 'sent', CONNECT), frame('lq', 'received', CONNECTED)));
    runTimers();
    ports[0]!.drop();
    assert.equal(timers.length, 0, 'an idle page does not wake the worker');
    assert.equal(ports.length, 1);
    page.backfill = [{ ...hook(created('lq'), frame('lq', 'sent', CONNECT), frame('lq', 'received', CONNECTED)), replay: true }];
    relay.onWindowMessage(true, hook(frame('lq', 'received', '{"op":"create","requestId":1,"object":{"className":"A","objectId":"x"}}')));
    runTimers();
    assert.equal(ports.length, 2);
    const [document, replay, live] = ports[1]!.sent;
    assert.equal(document?.type, 'document');
    assert.equal(replay?.type === 'socketEvents' && replay.replay, true);
    assert.deepEqual(replay?.type === 'socketEvents' && replay.events.map((e) => e.type), ['created', 'frame', 'frame']);
    assert.equal(live?.type === 'socketEvents' && live.replay, undefined);
    assert.equal(live?.type === 'socketEvents' && live.events.length, 1);
  });

  it('retries with growing delays while connecting fails, and reports what its bounded queue dropped', () => {
    const { relay, ports, env, runTimers, watch } = setup({ maxQueued: 3, retryDelaysMs: [100, 200] });
    env.connectFails = true;
    watch();
    assert.deepEqual(runTimers(), [100]);
    relay.onWindowMessage(true, hook(created('a'), created('b')));
    assert.deepEqual(runTimers().sort(), [DEFAULT_RELAY_LIMITS.flushDelayMs, 200].sort());
    relay.onWindowMessage(true, hook(created('c'), created('d'), created('e')));
    assert.deepEqual(runTimers().sort(), [200, DEFAULT_RELAY_LIMITS.flushDelayMs].sort());
    env.connectFails = false;
    runTimers();
    assert.equal(ports.length, 1);
    const events = ports[0]!.sent.find((m) => m.type === 'socketEvents');
    assert.deepEqual(events?.type === 'socketEvents' && [events.dropped, events.events.map((e) => e.socketId)], [2, ['c', 'd', 'e']]);
  });

  it('keeps the events when posting fails and sends them on a new port', () => {
    const { relay, ports, runTimers, watch } = setup();
    watch();
    relay.onWindowMessage(true, hook(created('a')));
    runTimers();
    ports[0]!.failing = true;
    relay.onWindowMessage(true, hook(created('b')));
    runTimers();
    ports[0]!.drop();
    runTimers();
    const last = ports.at(-1)!.sent.filter((m) => m.type === 'socketEvents' && !m.replay);
    assert.deepEqual(last.flatMap((m) => (m.type === 'socketEvents' ? m.events.map((e) => e.socketId) : [])), ['b']);
  });

  it('stops for good when the extension context is gone', () => {
    const { relay, ports, env, runTimers, watch } = setup();
    watch();
    relay.onWindowMessage(true, hook(created('a')));
    runTimers();
    env.contextValid = false;
    env.connectFails = true;
    ports[0]!.drop();
    assert.equal(relay.stopped, true);
    assert.equal(env.stopped, 1);
    relay.onWindowMessage(true, hook(created('b')));
    assert.deepEqual(runTimers(), []);
  });
});
