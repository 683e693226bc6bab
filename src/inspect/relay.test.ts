import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isRelayToBackground,
  MAX_EVENTS_PER_MESSAGE,
  MAX_PAGE_FRAME_CHARS,
  type BackgroundToRelay,
  type HookMessage,
  type PageSocketEvent,
  type RelayToBackground,
  type RelayToHook,
} from '../messages.js';
import { created, frame } from './fixtures/socket-events.js';
import { createRelay, DEFAULT_RELAY_LIMITS, type RelayLimits, type RelayPort } from './relay-core.js';

class FakePort implements RelayPort {
  readonly sent: RelayToBackground[] = [];
  private readonly listeners: (() => void)[] = [];
  private readonly messageListeners: ((message: unknown) => void)[] = [];
  /** Throws on every postMessage (a disconnected port, or a message the browser cannot take). */
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

type Batch = Omit<HookMessage, 'type' | 'generation'>;

function setup(limits: Partial<RelayLimits> = {}) {
  const ports: FakePort[] = [];
  const timers: { handler: () => void; ms: number }[] = [];
  const env = { connectFails: false, contextValid: true, stopped: 0, documents: 0, clock: 1000 };
  /** The page hook: what it hands over on `watch` (stamped with that watch's generation), and the controls it got. */
  const page = { backfill: [] as Batch[], controls: [] as RelayToHook[], generation: 0 };
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
      now: () => env.clock,
      controlHook(control) {
        page.controls.push(control);
        if (control.type !== 'watch') return;
        page.generation = control.generation;
        for (const batch of page.backfill.splice(0)) relay.onHookMessage({ type: 'events', generation: control.generation, ...batch });
      },
      setTimeout: (handler, ms) => timers.push({ handler, ms }),
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
  /** The hook posts a batch for the watch it was last told. */
  const post = (batch: Batch, urgent = false) => relay.onHookMessage({ type: 'events', generation: page.generation, ...batch }, urgent);
  /** The controls as `type:delivered`. */
  const controls = () => page.controls.map((c) => `${c.type}:${c.type === 'inject' ? c.injectionId : c.delivered}`);
  return { relay, ports, timers, env, page, runTimers, watch, watchAndAnswer, post, controls };
}

const batch = (...events: PageSocketEvent[]): Batch => ({ events });
const CONNECT = '{"op":"connect","applicationId":"lq-app"}';
const CONNECTED = '{"op":"connected","clientId":"c1"}';
const socketEvents = (port: FakePort) => port.sent.filter((m): m is Extract<RelayToBackground, { type: 'socketEvents' }> => m.type === 'socketEvents');
const bigFrame = (id: string) => frame(id, 'received', `{"op":"create","requestId":1,"object":{"s":"${'x'.repeat(MAX_PAGE_FRAME_CHARS - 60)}"}}`);

describe('relay: while no panel watches', () => {
  it('sends nothing and opens no port, whatever the hook posts', () => {
    const { relay, ports, timers, page } = setup();
    relay.onHookMessage({ type: 'events', generation: 0, events: [created('a'), frame('a', 'sent', CONNECT)] });
    relay.onHookMessage({ type: 'events', generation: 0, events: [frame('a', 'received', CONNECTED)] }, true);
    relay.flushNow();
    assert.equal(ports.length, 0);
    assert.equal(timers.length, 0);
    assert.deepEqual(page.controls, [], 'the hook is left alone');
  });

  it('announces its document when asked (a panel is open somewhere) and closes the port when its tab is not watched', () => {
    const { relay, ports, page } = setup();
    relay.announce();
    assert.deepEqual(ports[0]!.sent, [{ type: 'document', url: 'http://app.test/page', documentId: 'doc-1', startedAt: 1000 }]);
    ports[0]!.answer({ type: 'watch', on: false });
    assert.equal(ports[0]!.disconnectedByRelay, true, 'the worker may sleep');
    assert.equal(relay.watched, false);
    assert.deepEqual(page.controls, []);
  });
});

describe('relay: once a panel watches', () => {
  it('announces the document, waits for the answer on that port, then asks the hook to hand over once', () => {
    const { relay, ports, page, watch, controls } = setup();
    page.backfill = [
      { ...batch(created('old'), frame('old', 'sent', CONNECT)), replay: true },
      { ...batch(frame('old', 'received', CONNECTED)), notKept: 7, seq: 3 },
    ];
    watch();
    assert.deepEqual(ports[0]!.sent, [{ type: 'document', url: 'http://app.test/page', documentId: 'doc-1', startedAt: 1000 }]);
    assert.deepEqual(page.controls, [], 'nothing is handed over before the worker answers on this port');
    ports[0]!.answer({ type: 'watch', on: true });
    ports[0]!.answer({ type: 'watch', on: true });
    assert.deepEqual(controls(), ['watch:0'], 'one hand-over per port');
    const [, replay, fresh] = ports[0]!.sent;
    assert.equal(replay?.type === 'socketEvents' && replay.replay, true);
    assert.equal(replay?.type === 'socketEvents' && replay.events.length, 2);
    assert.equal(fresh?.type === 'socketEvents' && fresh.replay, undefined);
    assert.equal(fresh?.type === 'socketEvents' && fresh.notKept, 7);
    assert.equal(relay.watched, true);
  });

  it('forwards the hook’s batches, one message each, after the flush delay', () => {
    const { ports, runTimers, watchAndAnswer, post } = setup();
    watchAndAnswer();
    post({ ...batch(created('a')), seq: 1 });
    post({ ...batch(frame('a', 'sent', CONNECT)), seq: 2 });
    assert.equal(socketEvents(ports[0]!).length, 0, 'nothing before the flush delay');
    assert.deepEqual(runTimers(), [DEFAULT_RELAY_LIMITS.flushDelayMs]);
    assert.deepEqual(socketEvents(ports[0]!).map((m) => m.events.length), [1, 1]);
  });

  it('forwards only valid messages of the current watch, within the per-message limits', () => {
    const { relay, ports, runTimers, watchAndAnswer, page } = setup();
    watchAndAnswer();
    const current = page.generation;
    const send = (value: unknown) => relay.onHookMessage(value);
    send({ type: 'events', generation: current - 1, events: [created('stale')] });
    send({ type: 'other', generation: current, events: [created('a')] });
    send({ type: 'events', events: [created('a')] });
    send({ type: 'events', generation: current, events: [{ ...created('a'), socketId: 'bad id!' }] });
    send({ type: 'events', generation: current, events: [{ type: 'frame', socketId: 'a', direction: 'sent', time: 1 }] });
    send({ type: 'events', generation: current, events: new Array(MAX_EVENTS_PER_MESSAGE + 1).fill(created('a')) });
    send({ type: 'events', generation: current, events: [frame('a', 'received', 'x'.repeat(MAX_PAGE_FRAME_CHARS + 1))] });
    send({ type: 'events', generation: current, events: Array.from({ length: 16 }, () => bigFrame('a')) });
    send({ type: 'events', generation: current, events: [{ type: 'close', socketId: 'a', code: 1000, reason: 'r'.repeat(2000), wasClean: true, time: 1 }] });
    send({ type: 'events', generation: current, events: [], notKept: 'many' });
    send({ type: 'events', generation: current, events: [], seq: -1 });
    send('string');
    send(null);
    runTimers();
    assert.deepEqual(socketEvents(ports[0]!), []);
    send({ type: 'events', generation: current, events: Array.from({ length: 15 }, () => bigFrame('a')) });
    runTimers();
    assert.equal(socketEvents(ports[0]!).length, 1, 'just within the limits');
  });

  it('sends urgent messages (the page is unloading) at once, without waiting for a timer', () => {
    const { relay, ports, timers, watchAndAnswer, post } = setup();
    watchAndAnswer();
    post(batch(created('lq'), frame('lq', 'sent', CONNECT)), true);
    assert.equal(timers.length, 0);
    assert.deepEqual(ports[0]?.sent.map((m) => m.type), ['document', 'socketEvents']);
    post(batch(frame('lq', 'received', CONNECTED)));
    relay.flushNow();
    assert.equal(ports[0]?.sent.length, 3);
  });

  it('sends at once, without waiting for the timer, once a message’s worth of characters waits', () => {
    const { relay, ports, watchAndAnswer, post } = setup();
    watchAndAnswer();
    for (let n = 0; n < 4; n++) post(batch(...Array.from({ length: 15 }, () => bigFrame('a'))));
    assert.ok(socketEvents(ports[0]!).length >= 3, `${socketEvents(ports[0]!).length} messages sent`);
    assert.ok(relay.queued.chars <= 15 * (MAX_PAGE_FRAME_CHARS + 100), `${relay.queued.chars} characters wait`);
  });

  it('stops when the tab is no longer watched: the hook resumes after what was delivered, the port closes', () => {
    const { relay, ports, runTimers, watch, watchAndAnswer, timers, post, controls } = setup();
    watchAndAnswer();
    post({ ...batch(created('a')), seq: 5 });
    runTimers();
    post({ ...batch(frame('a', 'sent', CONNECT)), seq: 6 });
    watch(false);
    assert.deepEqual(controls(), ['watch:0', 'unwatch:5'], 'the batch still queued (seq 6) comes again next time');
    assert.equal(ports[0]!.disconnectedByRelay, true);
    runTimers();
    post(batch(created('b')));
    relay.onHookMessage({ type: 'events', generation: 1, events: [created('c')] });
    assert.equal(timers.length, 0);
    assert.equal(socketEvents(ports[0]!).length, 1);
  });

  it('ignores what the hook posted for an earlier watch that is still on its way', () => {
    const { relay, ports, page, runTimers, watch, watchAndAnswer } = setup();
    watchAndAnswer();
    const first = page.generation;
    watch(false);
    watchAndAnswer();
    // Posted before the hook got the unwatch, it arrives after the second watch.
    relay.onHookMessage({ type: 'events', generation: first, events: [created('stale')] });
    relay.onHookMessage({ type: 'events', generation: page.generation, events: [created('fresh')] });
    runTimers();
    assert.deepEqual(socketEvents(ports.at(-1)!).flatMap((m) => m.events.map((e) => e.socketId)), ['fresh']);
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

  it('a new page load from the back/forward cache gets a new document id and start time', () => {
    const { relay, ports, watchAndAnswer, env } = setup();
    watchAndAnswer();
    env.clock = 5000;
    relay.announce(true);
    const documents = ports[0]!.sent.flatMap((m) => (m.type === 'document' ? [[m.documentId, m.startedAt]] : []));
    assert.deepEqual(documents, [['doc-1', 1000], ['doc-2', 5000]]);
  });
});

describe('relay: when the port fails, it gives up on it and waits for the worker to ask again', () => {
  it('a port that disconnects: the hook stops at what was delivered, nothing is kept, no timer, no new port until the worker asks', () => {
    const { relay, ports, page, timers, runTimers, watch, watchAndAnswer, post, controls } = setup();
    watchAndAnswer();
    post({ ...batch(created('lq'), frame('lq', 'sent', CONNECT)), seq: 2 });
    runTimers();
    post({ ...batch(frame('lq', 'received', CONNECTED)), seq: 3 });
    ports[0]!.drop();
    assert.deepEqual(controls(), ['watch:0', 'unwatch:2'], 'the queued batch (seq 3) comes again on the next hand-over');
    assert.deepEqual(relay.queued, { events: 0, chars: 0 });
    assert.equal(relay.watched, false);
    runTimers();
    assert.equal(timers.length, 0, 'no retry timer');
    post({ ...batch(frame('lq', 'received', CONNECTED)), seq: 3 });
    relay.flushNow();
    assert.equal(ports.length, 1, 'the page’s traffic does not wake the worker');

    // The worker asks again (its panel reattached): the same document, then the hand-over from what was delivered.
    page.backfill = [{ ...batch(created('lq'), frame('lq', 'sent', CONNECT)), replay: true }, { ...batch(frame('lq', 'received', CONNECTED)), seq: 3 }];
    watch();
    const [document] = ports[1]!.sent;
    assert.equal(document?.type === 'document' && document.documentId, 'doc-1');
    assert.equal(document?.type === 'document' && document.again, true, 'a restarted worker is told it is no new page load');
    ports[1]!.answer({ type: 'watch', on: true });
    assert.deepEqual(controls(), ['watch:0', 'unwatch:2', 'watch:2']);
    assert.deepEqual(socketEvents(ports[1]!).map((m) => [m.replay, m.events.length, m.dropped]), [[true, 2, undefined], [undefined, 1, undefined]]);
  });

  it('a postMessage that throws: its events are dropped and counted, the port closed, the hook stopped past them, no timer', () => {
    const { relay, ports, page, timers, runTimers, watch, watchAndAnswer, post, controls } = setup();
    watchAndAnswer();
    post({ ...batch(created('lq'), frame('lq', 'sent', CONNECT)), seq: 2 });
    runTimers();
    ports[0]!.failing = true;
    post({ ...batch(frame('lq', 'received', CONNECTED), frame('lq', 'received', CONNECTED)), notKept: 1, seq: 4 });
    runTimers();
    assert.equal(ports[0]!.disconnectedByRelay, true, 'the port it gave up on is closed');
    assert.deepEqual(controls(), ['watch:0', 'unwatch:4'], 'the failed batch is not sent again');
    assert.equal(relay.watched, false);
    assert.deepEqual(relay.queued, { events: 0, chars: 0 });
    for (let n = 0; n < 100; n++) post({ ...batch(bigFrame('lq')), seq: 5 + n });
    runTimers();
    assert.equal(timers.length, 0, 'no retry timer');
    assert.deepEqual(relay.queued, { events: 0, chars: 0 }, 'nothing is kept while given up');
    assert.equal(ports.length, 1);

    page.backfill = [{ ...batch(frame('lq', 'sent', '{"op":"subscribe","requestId":1,"query":{"className":"A","where":{}}}')), seq: 5 }];
    watchAndAnswer();
    assert.deepEqual(controls(), ['watch:0', 'unwatch:4', 'watch:4']);
    assert.deepEqual(socketEvents(ports[1]!).map((m) => m.dropped), [3], 'two events and one not kept, counted on the next message');
  });

  it('a port whose announce fails is given up at once', () => {
    const { relay, ports, timers, watch } = setup();
    watch();
    ports[0]!.failing = true;
    relay.announce();
    assert.equal(ports[0]!.disconnectedByRelay, true);
    assert.equal(relay.watched, false);
    assert.equal(timers.length, 0);
  });

  it('a port that never answers: the hook is never asked, nothing is held, no timer', () => {
    const { relay, ports, page, timers, watch, post } = setup();
    watch();
    for (let n = 0; n < 200; n++) post(batch(bigFrame('lq')));
    relay.flushNow();
    assert.equal(ports.length, 1);
    assert.deepEqual(ports[0]!.sent.map((m) => m.type), ['document']);
    assert.deepEqual(page.controls, []);
    assert.deepEqual(relay.queued, { events: 0, chars: 0 });
    assert.equal(timers.length, 0);
  });

  it('connecting fails: no retry; the next watch of the worker tries again', () => {
    const { relay, ports, env, timers, watch } = setup();
    env.connectFails = true;
    watch();
    assert.equal(timers.length, 0);
    assert.equal(relay.watched, false);
    env.connectFails = false;
    watch();
    assert.equal(ports.length, 1);
    assert.equal(relay.watched, true);
  });

  it('bounds its queue by events and characters, dropping the oldest messages and counting them', () => {
    const byCount = setup({ maxQueued: 3 });
    byCount.watchAndAnswer();
    byCount.post({ ...batch(created('a'), created('b')), seq: 2 });
    byCount.post({ ...batch(created('c'), created('d'), created('e')), seq: 5 });
    assert.deepEqual(byCount.relay.queued.events, 3);
    byCount.runTimers();
    const [events] = socketEvents(byCount.ports[0]!);
    assert.deepEqual([events?.dropped, events?.events.map((e) => e.socketId)], [2, ['c', 'd', 'e']]);

    const byChars = setup({ maxQueuedChars: 3 * (MAX_PAGE_FRAME_CHARS + 100) });
    byChars.watchAndAnswer();
    for (let n = 1; n <= 10; n++) byChars.post({ ...batch(bigFrame('a')), seq: n });
    assert.ok(byChars.relay.queued.chars <= 3 * (MAX_PAGE_FRAME_CHARS + 100), `${byChars.relay.queued.chars} characters held`);
    byChars.runTimers();
    const sent = socketEvents(byChars.ports[0]!);
    assert.deepEqual(sent.map((m) => m.dropped), [7, undefined, undefined]);
  });

  it('stops for good when the extension context is gone', () => {
    const { relay, ports, env, runTimers, watchAndAnswer, post } = setup();
    watchAndAnswer();
    post(batch(created('a')));
    runTimers();
    env.contextValid = false;
    env.connectFails = true;
    ports[0]!.drop();
    assert.equal(relay.stopped, true);
    assert.equal(env.stopped, 1);
    post(batch(created('b')));
    relay.onBackgroundMessage({ type: 'watch', on: true });
    assert.deepEqual(runTimers(), []);
    assert.equal(ports.length, 1);
  });
});

describe('relay: injections from the panel', () => {
  it('passes an injection to the hook over its port and resolves with the hook’s answer, sending nothing to the worker', async () => {
    const { relay, page, ports } = setup();
    const outcome = relay.inject({ type: 'inject', socketId: 'a', text: '{"op":"create"}' });
    const control = page.controls.at(-1);
    assert.deepEqual(control, { type: 'inject', injectionId: 1, socketId: 'a', text: '{"op":"create"}' });
    relay.onHookMessage({ type: 'injected', injectionId: 1, outcome: 'closed' });
    assert.equal(await outcome, 'closed');
    assert.equal(ports.length, 0, 'no port opened, the worker is not woken');
  });

  it('says noHook when the hook does not answer, and ignores an answer to no injection', async () => {
    const { relay, runTimers } = setup();
    relay.onHookMessage({ type: 'injected', injectionId: 9, outcome: 'delivered' });
    const outcome = relay.inject({ type: 'inject', socketId: 'a', text: '{}' });
    runTimers();
    relay.onHookMessage({ type: 'injected', injectionId: 1, outcome: 'delivered' });
    assert.equal(await outcome, 'noHook');
  });
});
