import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOOK_TAG, isRelayToBackground, MAX_EVENTS_PER_MESSAGE, type PageSocketEvent, type RelayToBackground } from '../messages.js';
import { createRelay, DEFAULT_RELAY_LIMITS, type RelayLimits, type RelayPort } from './relay-core.js';

class FakePort implements RelayPort {
  readonly sent: RelayToBackground[] = [];
  private readonly listeners: (() => void)[] = [];
  failing = false;
  onDisconnect = { addListener: (listener: () => void) => void this.listeners.push(listener) };
  postMessage(message: RelayToBackground): void {
    if (this.failing) throw new Error('Attempting to use a disconnected port object');
    assert.ok(isRelayToBackground(message), 'every message passes the background’s validator');
    this.sent.push(structuredClone(message));
  }
  disconnect(): void {
    for (const listener of this.listeners) listener();
  }
}

function setup(limits: Partial<RelayLimits> = {}) {
  const ports: FakePort[] = [];
  const timers: { handler: () => void; ms: number }[] = [];
  const env = { connectFails: false, contextValid: true, time: 0, stopped: 0 };
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
  return { relay, ports, timers, env, runTimers };
}

let time = 0;
const created = (socketId: string): PageSocketEvent => ({ type: 'created', socketId, url: 'wss://app.test/parse', time: ++time });
const frame = (socketId: string, direction: 'sent' | 'received', text: string): PageSocketEvent => ({
  type: 'frame',
  socketId,
  direction,
  text,
  time: ++time,
});
const hook = (...events: PageSocketEvent[]) => ({ tag: HOOK_TAG, events });
const CONNECT = '{"op":"connect","applicationId":"lq-app"}';
const CONNECTED = '{"op":"connected","clientId":"c1"}';

describe('relay: what it accepts', () => {
  it('forwards only valid hook messages from its own window, and opens no port otherwise', () => {
    const { relay, ports, runTimers } = setup();
    relay.onWindowMessage(false, hook(created('a')));
    relay.onWindowMessage(true, { tag: 'other', events: [created('a')] });
    relay.onWindowMessage(true, hook({ ...created('a'), socketId: 'bad id!' }));
    relay.onWindowMessage(true, hook({ type: 'frame', socketId: 'a', direction: 'sent', time: 1 } as PageSocketEvent));
    relay.onWindowMessage(true, { tag: HOOK_TAG, events: new Array(MAX_EVENTS_PER_MESSAGE + 1).fill(created('a')) });
    relay.onWindowMessage(true, 'string');
    relay.onWindowMessage(true, null);
    runTimers();
    assert.equal(ports.length, 0);
  });

  it('sends the document first, then the events, batched per flush', () => {
    const { relay, ports, runTimers } = setup();
    relay.onWindowMessage(true, hook(created('a')));
    relay.onWindowMessage(true, hook(frame('a', 'sent', CONNECT)));
    assert.equal(ports.length, 0, 'nothing before the flush delay');
    assert.deepEqual(runTimers(), [DEFAULT_RELAY_LIMITS.flushDelayMs]);
    assert.equal(ports.length, 1);
    const [document, events] = ports[0]!.sent;
    assert.deepEqual(document, { type: 'document', url: 'http://app.test/page' });
    assert.equal(events?.type === 'socketEvents' && events.events.length, 2);
    assert.equal(events?.type === 'socketEvents' && events.replay, undefined);
  });

  it('announces the document at once when asked (top frame), and again on request', () => {
    const { relay, ports } = setup();
    relay.announce();
    relay.announce();
    assert.equal(ports.length, 1);
    assert.deepEqual(ports[0]!.sent.map((m) => m.type), ['document', 'document']);
  });

  it('sends urgent messages (the page is unloading) at once, without waiting for a timer', () => {
    const { relay, ports, timers } = setup();
    relay.onWindowMessage(true, hook(created('lq'), frame('lq', 'sent', CONNECT)), true);
    assert.equal(timers.length, 0);
    assert.deepEqual(ports[0]?.sent.map((m) => m.type), ['document', 'socketEvents']);
    relay.onWindowMessage(true, hook(frame('lq', 'received', CONNECTED)));
    relay.flushNow();
    assert.equal(ports[0]?.sent.length, 3);
  });

  it('splits big batches into messages of at most MAX_EVENTS_PER_MESSAGE events', () => {
    const { relay, ports, runTimers } = setup();
    for (let i = 0; i < 3; i++) {
      relay.onWindowMessage(true, hook(...Array.from({ length: 400 }, (_, n) => created(`s${i}-${n}`))));
    }
    runTimers();
    const batches = ports[0]!.sent.filter((m) => m.type === 'socketEvents');
    assert.deepEqual(batches.map((m) => m.type === 'socketEvents' && m.events.length), [500, 500, 200]);
  });
});

describe('relay: when the background goes away', () => {
  it('replays the live sockets at once when the background asks (a panel opened after a restart)', () => {
    const { relay, ports, runTimers } = setup();
    relay.resync();
    assert.equal(ports.length, 0, 'nothing to replay yet: no port is opened');
    relay.onWindowMessage(true, hook(created('lq'), frame('lq', 'sent', CONNECT), frame('lq', 'received', CONNECTED)));
    runTimers();
    ports[0]!.disconnect();
    relay.resync();
    assert.equal(ports.length, 2, 'a new port is opened without waiting for the page');
    const [replay] = ports[1]!.sent;
    assert.equal(replay?.type === 'socketEvents' && replay.replay, true);
    assert.deepEqual(replay?.type === 'socketEvents' && replay.events.map((e) => e.type), ['created', 'frame', 'frame']);
  });

  it('reopens the port lazily on the next message and replays live sockets before it', () => {
    const { relay, ports, timers, runTimers } = setup();
    relay.onWindowMessage(true, hook(created('lq'), frame('lq', 'sent', CONNECT), frame('lq', 'received', CONNECTED)));
    relay.onWindowMessage(true, hook(created('other'), { type: 'frame', socketId: 'other', direction: 'sent', text: '', truncatedFrom: 3, time: 9 }));
    runTimers();
    ports[0]!.disconnect();
    assert.equal(timers.length, 0, 'an idle page does not wake the worker');
    assert.equal(ports.length, 1);
    relay.onWindowMessage(true, hook(frame('lq', 'received', '{"op":"create","requestId":1,"object":{"className":"A","objectId":"x"}}')));
    runTimers();
    assert.equal(ports.length, 2);
    const [replay, live] = ports[1]!.sent;
    assert.equal(replay?.type === 'socketEvents' && replay.replay, true);
    assert.deepEqual(
      replay?.type === 'socketEvents' && replay.events.map((e) => e.type),
      ['created', 'frame', 'frame'],
      'only the LiveQuery socket',
    );
    assert.equal(live?.type === 'socketEvents' && live.replay, undefined);
    assert.equal(ports[1]!.sent.filter((m) => m.type === 'document').length, 0, 'the document is not announced again');
  });

  it('retries with growing delays while connecting fails, and reports what its bounded queue dropped', () => {
    const { relay, ports, env, runTimers } = setup({ maxQueued: 3, retryDelaysMs: [100, 200] });
    env.connectFails = true;
    relay.onWindowMessage(true, hook(created('a'), created('b')));
    assert.deepEqual(runTimers(), [DEFAULT_RELAY_LIMITS.flushDelayMs]);
    relay.onWindowMessage(true, hook(created('c'), created('d'), created('e')));
    assert.deepEqual(runTimers().sort(), [100, DEFAULT_RELAY_LIMITS.flushDelayMs].sort());
    assert.deepEqual(runTimers(), [200]);
    assert.deepEqual(runTimers(), [200]);
    env.connectFails = false;
    runTimers();
    assert.equal(ports.length, 1);
    const events = ports[0]!.sent.find((m) => m.type === 'socketEvents');
    assert.deepEqual(events?.type === 'socketEvents' && [events.dropped, events.events.map((e) => e.socketId)], [2, ['c', 'd', 'e']]);
  });

  it('keeps the events when posting fails and sends them on a new port', () => {
    const { relay, ports, runTimers } = setup();
    relay.onWindowMessage(true, hook(created('a')));
    runTimers();
    ports[0]!.failing = true;
    relay.onWindowMessage(true, hook(created('b')));
    runTimers();
    ports[0]!.disconnect();
    runTimers();
    const last = ports.at(-1)!.sent.filter((m) => m.type === 'socketEvents' && !m.replay);
    assert.deepEqual(last.flatMap((m) => (m.type === 'socketEvents' ? m.events.map((e) => e.socketId) : [])), ['b']);
  });

  it('stops for good when the extension context is gone', () => {
    const { relay, ports, env, runTimers } = setup();
    relay.onWindowMessage(true, hook(created('a')));
    runTimers();
    env.contextValid = false;
    env.connectFails = true;
    ports[0]!.disconnect();
    assert.equal(relay.stopped, true);
    assert.equal(env.stopped, 1);
    relay.onWindowMessage(true, hook(created('b')));
    assert.deepEqual(runTimers(), []);
  });
});
