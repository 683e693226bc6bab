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
        if (control.startsWith('watch:')) for (const message of page.backfill.splice(0)) relay.onWindowMessage(true, message, true);
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
  /** A panel opens: the background tells the tab, the relay announces, the background answers on that port. */
  const watchAndAnswer = () => {
    watch();
    ports.at(-1)!.answer({ type: 'watch', on: true });
  };
  return { relay, ports, timers, env, page, runTimers, watch, watchAndAnswer };
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
  it('announces the document, waits for the answer on that port, then hands over the page’s summary once', () => {
    const { relay, ports, page, watch } = setup();
    page.backfill = [
      { ...hook(created('old'), frame('old', 'sent', CONNECT)), replay: true },
      { ...hook(frame('old', 'received', CONNECTED)), notKept: 7, seq: 3 },
    ];
    watch();
    assert.deepEqual(ports[0]!.sent, [{ type: 'document', url: 'http://app.test/page', documentId: 'doc-1' }]);
    assert.deepEqual(page.controls, [], 'nothing is handed over before the worker answers on this port');
    ports[0]!.answer({ type: 'watch', on: true });
    ports[0]!.answer({ type: 'watch', on: true });
    assert.deepEqual(page.controls, ['watch:0'], 'one hand-over per port');
    const [, replay, fresh] = ports[0]!.sent;
    assert.equal(replay?.type === 'socketEvents' && replay.replay, true);
    assert.equal(replay?.type === 'socketEvents' && replay.events.length, 2);
    assert.equal(fresh?.type === 'socketEvents' && fresh.replay, undefined);
    assert.equal(fresh?.type === 'socketEvents' && fresh.notKept, 7);
    assert.equal(relay.watched, true);
  });

  it('forwards the hook’s batches, one message each, after the flush delay', () => {
    const { relay, ports, runTimers, watchAndAnswer } = setup();
    watchAndAnswer();
    relay.onWindowMessage(true, { ...hook(created('a')), seq: 1 });
    relay.onWindowMessage(true, { ...hook(frame('a', 'sent', CONNECT)), seq: 2 });
    assert.equal(socketEvents(ports[0]!).length, 0, 'nothing before the flush delay');
    assert.deepEqual(runTimers(), [DEFAULT_RELAY_LIMITS.flushDelayMs]);
    assert.deepEqual(socketEvents(ports[0]!).map((m) => m.type === 'socketEvents' && m.events.length), [1, 1]);
  });

  it('forwards only valid hook messages from its own window', () => {
    const { relay, ports, runTimers, watchAndAnswer } = setup();
    watchAndAnswer();
    relay.onWindowMessage(false, hook(created('a')));
    relay.onWindowMessage(true, { tag: 'other', events: [created('a')] });
    relay.onWindowMessage(true, hook({ ...created('a'), socketId: 'bad id!' }));
    relay.onWindowMessage(true, hook({ type: 'frame', socketId: 'a', direction: 'sent', time: 1 } as PageSocketEvent));
    relay.onWindowMessage(true, { tag: HOOK_TAG, events: new Array(MAX_EVENTS_PER_MESSAGE + 1).fill(created('a')) });
    relay.onWindowMessage(true, { tag: HOOK_TAG, events: [], notKept: 'many' });
    relay.onWindowMessage(true, { tag: HOOK_TAG, events: [], seq: 'late' });
    relay.onWindowMessage(true, 'string');
    relay.onWindowMessage(true, null);
    runTimers();
    assert.deepEqual(socketEvents(ports[0]!), []);
  });

  it('sends urgent messages (the page is unloading) at once, without waiting for a timer', () => {
    const { relay, ports, timers, watchAndAnswer } = setup();
    watchAndAnswer();
    relay.onWindowMessage(true, hook(created('lq'), frame('lq', 'sent', CONNECT)), true);
    assert.equal(timers.length, 0);
    assert.deepEqual(ports[0]?.sent.map((m) => m.type), ['document', 'socketEvents']);
    relay.onWindowMessage(true, hook(frame('lq', 'received', CONNECTED)));
    relay.flushNow();
    assert.equal(ports[0]?.sent.length, 3);
  });

  it('splits a big hand-over into messages of at most MAX_EVENTS_PER_MESSAGE events', () => {
    const { ports, page, watchAndAnswer } = setup();
    page.backfill = [hook(...Array.from({ length: 500 }, (_, n) => created(`s-${n}`))), hook(...Array.from({ length: 200 }, (_, n) => created(`t-${n}`)))];
    watchAndAnswer();
    assert.deepEqual(socketEvents(ports[0]!).map((m) => m.type === 'socketEvents' && m.events.length), [500, 200]);
  });

  it('stops when the tab is no longer watched: the hook resumes after what was delivered, the port closes', () => {
    const { relay, ports, page, runTimers, watch, watchAndAnswer, timers } = setup();
    watchAndAnswer();
    relay.onWindowMessage(true, { ...hook(created('a')), seq: 5 });
    runTimers();
    relay.onWindowMessage(true, { ...hook(frame('a', 'sent', CONNECT)), seq: 6 });
    watch(false);
    assert.deepEqual(page.controls, ['watch:0', 'unwatch:5'], 'the batch still queued (seq 6) comes again next time');
    assert.equal(ports[0]!.disconnectedByRelay, true);
    runTimers();
    relay.onWindowMessage(true, hook(created('b')));
    assert.equal(timers.length, 0);
    assert.equal(socketEvents(ports[0]!).length, 1);
  });

  it('a worker that answers "not watched" gets nothing and the port closes; the document counts as unannounced', () => {
    const { relay, ports, page } = setup();
    relay.announce();
    ports[0]!.answer({ type: 'watch', on: false });
    assert.equal(ports[0]!.disconnectedByRelay, true, 'the worker may sleep');
    assert.deepEqual(page.controls, []);
    relay.onBackgroundMessage({ type: 'watch', on: true });
    const document = ports[1]!.sent[0];
    assert.equal(document?.type === 'document' && document.again, undefined, 'no worker took it as this tab’s page load yet');
  });

  it('a new page load from the back/forward cache gets a new document id', () => {
    const { relay, ports, watchAndAnswer } = setup();
    watchAndAnswer();
    relay.announce(true);
    const ids = ports[0]!.sent.flatMap((m) => (m.type === 'document' ? [m.documentId] : []));
    assert.deepEqual(ids, ['doc-1', 'doc-2']);
  });
});

describe('relay: when the background goes away', () => {
  it('re-announces the same document on a new port, and asks the hook to resume after what was delivered', () => {
    const { relay, ports, page, runTimers, watch, watchAndAnswer } = setup();
    watchAndAnswer();
    relay.onWindowMessage(true, { ...hook(created('lq'), frame('lq', 'sent', CONNECT)), seq: 2 });
    runTimers();
    ports[0]!.drop();
    watch();
    assert.equal(ports.length, 2, 'a new port is opened without waiting for the page');
    const [document] = ports[1]!.sent;
    assert.equal(document?.type === 'document' && document.documentId, 'doc-1');
    assert.equal(document?.type === 'document' && document.again, true, 'a restarted worker is told it is no new page load');
    ports[1]!.answer({ type: 'watch', on: true });
    assert.deepEqual(page.controls, ['watch:0', 'watch:2']);
  });

  it('reopens the port lazily on the next message, announces, and hands over on the answer', () => {
    const { relay, ports, page, timers, runTimers, watchAndAnswer } = setup();
    watchAndAnswer();
    relay.onWindowMessage(true, { ...hook(created('lq'), frame('lq', 'sent', CONNECT), frame('lq', 'received', CONNECTED)), seq: 3 });
    runTimers();
    ports[0]!.drop();
    assert.equal(timers.length, 0, 'an idle page does not wake the worker');
    relay.onWindowMessage(true, { ...hook(frame('lq', 'received', '{"op":"create","requestId":1,"object":{"className":"A","objectId":"x"}}')), seq: 4 });
    runTimers();
    assert.equal(ports.length, 2);
    assert.deepEqual(ports[1]!.sent.map((m) => m.type), ['document'], 'nothing before the answer');
    page.backfill = [
      { ...hook(created('lq'), frame('lq', 'sent', CONNECT), frame('lq', 'received', CONNECTED)), replay: true },
      { ...hook(frame('lq', 'received', '{"op":"create","requestId":1,"object":{"className":"A","objectId":"x"}}')), seq: 4 },
    ];
    ports[1]!.answer({ type: 'watch', on: true });
    assert.deepEqual(page.controls, ['watch:0', 'watch:3']);
    const [, replay, live] = ports[1]!.sent;
    assert.equal(replay?.type === 'socketEvents' && replay.replay, true);
    assert.equal(live?.type === 'socketEvents' && live.events.length, 1, 'the held batch is not sent twice');
    assert.equal(ports[1]!.sent.length, 3);
  });

  it('a restarted worker that does not watch yet: the hook stops and resumes later after what was delivered', () => {
    const { relay, ports, page, runTimers, watchAndAnswer } = setup();
    watchAndAnswer();
    relay.onWindowMessage(true, { ...hook(created('lq')), seq: 1 });
    runTimers();
    ports[0]!.drop();
    relay.onWindowMessage(true, { ...hook(frame('lq', 'sent', CONNECT)), seq: 2 });
    runTimers();
    ports[1]!.answer({ type: 'watch', on: false });
    assert.deepEqual(page.controls, ['watch:0', 'unwatch:1']);
    assert.equal(socketEvents(ports[1]!).length, 0);
  });

  it('retries with growing delays while connecting fails', () => {
    const { relay, ports, env, runTimers, watch } = setup({ retryDelaysMs: [100, 200] });
    env.connectFails = true;
    watch();
    assert.deepEqual(runTimers(), [100]);
    assert.deepEqual(runTimers(), [200]);
    assert.deepEqual(runTimers(), [200]);
    env.connectFails = false;
    runTimers();
    assert.equal(ports.length, 1);
    assert.equal(relay.watched, true);
  });

  it('counts what its bounded queue dropped', () => {
    const { relay, ports, runTimers, watchAndAnswer } = setup({ maxQueued: 3 });
    watchAndAnswer();
    ports[0]!.failing = true;
    relay.onWindowMessage(true, { ...hook(created('a'), created('b')), seq: 2 });
    relay.onWindowMessage(true, { ...hook(created('c'), created('d'), created('e')), seq: 5 });
    ports[0]!.failing = false;
    runTimers();
    const events = ports.at(-1)!.sent.find((m) => m.type === 'socketEvents');
    assert.deepEqual(events?.type === 'socketEvents' && [events.dropped, events.events.map((e) => e.socketId)], [2, ['c', 'd', 'e']]);
  });

  it('stops for good when the extension context is gone', () => {
    const { relay, ports, env, runTimers, watchAndAnswer } = setup();
    watchAndAnswer();
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
