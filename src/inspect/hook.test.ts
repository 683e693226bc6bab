import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { WebSocket as WsWebSocket, WebSocketServer } from 'ws';
import {
  HOOK_HANDSHAKE,
  isHookHello,
  isHookInjected,
  isHookMessage,
  MAX_EVENTS_PER_MESSAGE,
  MAX_PAGE_FRAME_CHARS,
  MAX_PAGE_MESSAGE_CHARS,
  pageEventChars,
  type HookMessage,
  type HookToRelay,
  type PageSocketEvent,
  type RelayToHook,
} from '../messages.js';
import { installPageHook, type PageHook, type PageWindow } from './install-page-hook.js';

/** A WebSocket look-alike with the platform's shape (EventTarget, statics, getters, send errors), driven by the test. */
class FakeWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly sent: unknown[] = [];
  binaryType = 'blob';
  #onmessage: ((event: MessageEvent) => void) | null = null;
  #readyState = 0;
  #url: string;
  readonly protocols: string | string[] | undefined;

  constructor(url: string | URL, protocols?: string | string[]) {
    super();
    const parsed = new URL(String(url));
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
      throw new DOMException(`The URL's scheme must be either 'ws' or 'wss'.`, 'SyntaxError');
    }
    this.#url = parsed.href;
    this.protocols = protocols;
  }
  get onmessage(): ((event: MessageEvent) => void) | null {
    return this.#onmessage;
  }
  /** Like the platform: an event handler takes its place among the listeners when it is first set. */
  set onmessage(handler: ((event: MessageEvent) => void) | null) {
    if (!this.#onmessage) this.addEventListener('message', (event) => this.#onmessage?.(event as MessageEvent));
    this.#onmessage = handler;
  }
  get readyState(): number {
    return this.#readyState;
  }
  get url(): string {
    return this.#url;
  }
  send(data: unknown): void {
    if (!(this instanceof FakeWebSocket)) throw new TypeError('Illegal invocation');
    if (arguments.length === 0) throw new TypeError("Failed to execute 'send' on 'WebSocket': 1 argument required, but only 0 present.");
    if (this.#readyState === 0) throw new DOMException('Still in CONNECTING state.', 'InvalidStateError');
    if (this.#readyState !== 1) return;
    this.sent.push(data);
  }
  close(): void {
    this.#readyState = 2;
  }
  // Test drivers: what the network would do.
  serverOpen(): void {
    this.#readyState = 1;
    this.dispatchEvent(new Event('open'));
  }
  serverMessage(data: unknown): void {
    this.dispatchEvent(new MessageEvent('message', { data }));
  }
  serverError(): void {
    this.dispatchEvent(new Event('error'));
  }
  serverClose(code: number, reason: string, wasClean: boolean): void {
    this.#readyState = 3;
    this.dispatchEvent(Object.assign(new Event('close'), { code, reason, wasClean }));
  }
}

/** A MessagePort stand-in that delivers synchronously (structured-cloned, as a real port would). */
class SyncPort {
  other?: SyncPort;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  postMessage(data: unknown): void {
    this.other?.onmessage?.(new MessageEvent('message', { data: structuredClone(data) }));
  }
}

class SyncChannel {
  readonly port1 = new SyncPort();
  readonly port2 = new SyncPort();
  constructor() {
    this.port1.other = this.port2;
    this.port2.other = this.port1;
  }
}

/** The relay's end of the hook's channel, as the tests see it. */
interface RelayEnd {
  /** Handshakes posted on the window (one, at install). */
  handshakes: unknown[];
  /** What the hook said over its port, hello excluded. */
  posted: HookMessage[];
  /** The hook's hello. */
  hello?: Extract<HookToRelay, { type: 'hello' }>;
  /** The hook's answers to injections. */
  answers: Extract<HookToRelay, { type: 'injected' }>[];
  control(control: RelayToHook): void;
}

/** Window members that carry the hook's channel: the handshake, a synchronous port, and the relay's end. */
function channelWindow(): { members: Pick<PageWindow, 'postMessage' | 'MessageChannel'>; relay: RelayEnd } {
  let port: SyncPort | undefined;
  const relay: RelayEnd = {
    handshakes: [],
    posted: [],
    answers: [],
    control: (control) => port?.postMessage(control),
  };
  const members = {
    MessageChannel: SyncChannel as unknown as new () => MessageChannel,
    postMessage(message: unknown, targetOrigin: string, transfer?: Transferable[]) {
      relay.handshakes.push(message);
      assert.equal(message, HOOK_HANDSHAKE);
      assert.equal(targetOrigin, '*');
      port = transfer?.[0] as unknown as SyncPort;
      port.onmessage = ({ data }) => {
        if (isHookHello(data)) relay.hello = data;
        else if (isHookInjected(data)) relay.answers.push(data);
        else relay.posted.push(data as HookMessage);
      };
    },
  };
  return { members, relay };
}

interface Harness {
  win: PageWindow & { WebSocket: typeof WebSocket };
  Native: typeof WebSocket;
  hook: PageHook;
  posted: HookMessage[];
  relay: RelayEnd;
  /** Runs the pending flush timers; returns every event posted so far. */
  flush(): PageSocketEvent[];
}

/** A fresh platform-like class per test, so that each hook installs on untouched prototypes. */
function freshNative(): typeof FakeWebSocket {
  // Named like the platform's constructor.
  const WebSocket = class WebSocket extends FakeWebSocket {};
  Object.defineProperty(WebSocket.prototype, 'send', {
    // `arguments`, so that a call without data still fails like the platform’s.
    value: function send(this: FakeWebSocket, data: unknown) {
      void data;
      return FakeWebSocket.prototype.send.apply(this, arguments as unknown as [unknown]);
    },
    writable: true,
    enumerable: true,
    configurable: true,
  });
  return WebSocket;
}

function harness(Native: unknown = freshNative(), platform: Partial<Pick<PageWindow, 'MessageEvent' | 'URL'>> = {}): Harness {
  const timers: (() => void)[] = [];
  const { members, relay } = channelWindow();
  const win = {
    ...members,
    WebSocket: Native as typeof WebSocket,
    setTimeout(handler: () => void) {
      timers.push(handler);
      return timers.length;
    },
    crypto: globalThis.crypto,
    performance,
    ...platform,
  };
  const hook = installPageHook(win);
  assert.ok(hook);
  // These tests are about what the hook reports while a panel watches; the unwatched page is tested below.
  relay.control({ type: 'watch', generation: 1, delivered: 0 });
  assert.equal(hook.watching, true);
  return {
    win,
    Native: Native as typeof WebSocket,
    hook,
    posted: relay.posted,
    relay,
    flush() {
      for (const timer of timers.splice(0)) timer();
      return relay.posted.flatMap((m) => m.events);
    },
  };
}

const fake = (socket: WebSocket): FakeWebSocket => socket as unknown as FakeWebSocket;
const CONNECT = '{"op":"connect","applicationId":"lq-app","javascriptKey":"lq-js"}';
const CONNECTED = '{"op":"connected","clientId":"aef837c2-846b-4fe8-98d6-8c95fcb83e54"}';
const SUBSCRIBE = '{"op":"subscribe","requestId":1,"query":{"className":"Game","where":{"score":{"$gt":10}}}}';

function frames(events: PageSocketEvent[]): Extract<PageSocketEvent, { type: 'frame' }>[] {
  return events.filter((e): e is Extract<PageSocketEvent, { type: 'frame' }> => e.type === 'frame');
}

describe('page hook: the replaced WebSocket looks and behaves like the native one', () => {
  it('keeps name, length, prototype, statics, instanceof, constructor and a native-looking toString', () => {
    const { win, Native } = harness();
    assert.notEqual(win.WebSocket, Native);
    assert.equal(win.WebSocket.name, Native.name);
    assert.equal(win.WebSocket.length, Native.length);
    assert.equal(win.WebSocket.prototype, Native.prototype);
    for (const key of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'] as const) assert.equal(win.WebSocket[key], Native[key]);
    assert.match(Function.prototype.toString.call(win.WebSocket), /^function \w*\(\) \{ \[native code\] \}$/);
    assert.match(String(win.WebSocket.prototype.send), /\[native code\]/);
    assert.equal(win.WebSocket.prototype.send.name, 'send');
    assert.equal(win.WebSocket.prototype.send.length, 1);
    const socket = new win.WebSocket('ws://example.test/parse');
    assert.ok(socket instanceof win.WebSocket);
    assert.ok(socket instanceof Native);
    assert.equal(Object.getPrototypeOf(socket), Native.prototype);
    assert.equal(socket.constructor, win.WebSocket);
    assert.deepEqual(Object.keys(win), Object.keys(harness().win), 'no extra property on the window');
  });

  it('keeps the attributes of the global property, of send and of prototype.constructor', () => {
    const Native = freshNative();
    const sendBefore = Object.getOwnPropertyDescriptor(Native.prototype, 'send');
    const win = { postMessage() {}, setTimeout() {} } as unknown as PageWindow;
    Object.defineProperty(win, 'WebSocket', { value: Native, writable: true, enumerable: false, configurable: true });
    assert.ok(installPageHook(win));
    assert.notEqual(win.WebSocket, Native);
    assert.deepEqual(
      { ...Object.getOwnPropertyDescriptor(win, 'WebSocket'), value: undefined },
      { value: undefined, writable: true, enumerable: false, configurable: true },
    );
    const sendAfter = Object.getOwnPropertyDescriptor(Native.prototype, 'send');
    assert.notEqual(sendAfter?.value, sendBefore?.value);
    assert.deepEqual({ ...sendAfter, value: undefined }, { ...sendBefore, value: undefined });
    const ctor = Object.getOwnPropertyDescriptor(Native.prototype, 'constructor');
    assert.deepEqual([ctor?.value, ctor?.writable, ctor?.enumerable], [win.WebSocket, true, false]);
  });

  it('throws exactly what the native constructor throws: without new, with a bad URL', () => {
    const { win, Native } = harness();
    const call = (ctor: unknown) => () => (ctor as (url: string) => unknown)('ws://example.test/');
    assert.throws(call(win.WebSocket), (error: Error) => {
      assert.throws(call(Native), { name: error.name, message: error.message });
      return error instanceof TypeError;
    });
    assert.throws(() => new win.WebSocket('http://example.test/'), (error: DOMException) => error.name === 'SyntaxError');
    assert.throws(() => new win.WebSocket('not a url'), TypeError);
  });

  it('passes the protocols argument through, supports subclasses, and tracks their sockets', () => {
    const h = harness();
    const socket = new h.win.WebSocket('ws://example.test/', ['a', 'b']);
    assert.deepEqual(fake(socket).protocols, ['a', 'b']);
    class Sub extends h.win.WebSocket {
      extra = 1;
    }
    const sub = new Sub('ws://example.test/sub');
    assert.ok(sub instanceof Sub && sub instanceof h.win.WebSocket && sub.extra === 1);
    assert.deepEqual(h.flush().map((e) => e.type === 'created' && e.url), ['ws://example.test/', 'ws://example.test/sub']);
  });

  it('send keeps native errors: CONNECTING state, no argument, wrong this', () => {
    const h = harness();
    const socket = new h.win.WebSocket('ws://example.test/');
    assert.throws(() => socket.send('x'), { name: 'InvalidStateError' });
    fake(socket).serverOpen();
    assert.throws(() => (socket.send as (...a: unknown[]) => void)(), TypeError);
    assert.throws(() => h.win.WebSocket.prototype.send.call({}, 'x'), /Illegal invocation/);
    assert.equal(frames(h.flush()).length, 0, 'nothing was sent, nothing reported');
  });

  it('runs its listeners before the page’s, which still get every event', () => {
    const h = harness();
    const socket = new h.win.WebSocket('ws://example.test/');
    const seen: string[] = [];
    socket.addEventListener('message', (event) => {
      event.stopImmediatePropagation();
      seen.push(String(event.data));
    });
    socket.onmessage = () => seen.push('handler (stopped)');
    fake(socket).serverOpen();
    fake(socket).serverMessage(CONNECTED);
    assert.deepEqual(seen, [CONNECTED]);
    assert.equal(frames(h.flush())[0]?.text, CONNECTED);
  });
});

describe('page hook: what it reports', () => {
  it('reports lifecycle and the frames of a LiveQuery socket, batched and valid for the relay', () => {
    const h = harness();
    const socket = new h.win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    socket.send(CONNECT);
    fake(socket).serverMessage(CONNECTED);
    socket.send(SUBSCRIBE);
    fake(socket).serverError();
    fake(socket).serverClose(1006, 'gone', false);
    assert.equal(h.posted.length, 0, 'nothing is posted synchronously');
    const events = h.flush();
    assert.equal(h.posted.length, 1);
    assert.ok(h.posted.every(isHookMessage));
    assert.deepEqual(h.posted.map((m) => m.generation), [1], 'stamped with the watch it answers');
    assert.deepEqual(
      events.map((e) => (e.type === 'frame' ? `${e.direction}:${e.text}` : e.type)),
      ['created', 'open', `sent:${CONNECT}`, `received:${CONNECTED}`, `sent:${SUBSCRIBE}`, 'error', 'close'],
    );
    const close = events.at(-1);
    assert.deepEqual(close?.type === 'close' && [close.code, close.reason, close.wasClean], [1006, 'gone', false]);
    assert.match(events[0]!.socketId, /^[A-Za-z0-9_-]{1,64}$/);
    assert.ok(events.every((e) => e.socketId === events[0]!.socketId && Number.isFinite(e.time)));
    assert.ok(Math.abs(events[0]!.time - Date.now()) < 5000, 'epoch milliseconds');
  });

  it('gives every socket a distinct id', () => {
    const h = harness(freshNative());
    new h.win.WebSocket('ws://a.test/');
    new h.win.WebSocket('ws://b.test/');
    const [a, b] = h.flush();
    assert.notEqual(a!.socketId, b!.socketId);
  });

  it('stops reporting a socket whose first frame is not LiveQuery, after passing the verdict on without content', () => {
    const h = harness();
    const socket = new h.win.WebSocket('ws://chat.test/');
    fake(socket).serverOpen();
    socket.send('hello secret');
    socket.send(CONNECT);
    fake(socket).serverMessage(CONNECTED);
    fake(socket).serverClose(1000, '', true);
    const events = h.flush();
    assert.deepEqual(events.map((e) => e.type), ['created', 'open', 'frame']);
    assert.deepEqual(frames(events)[0], { ...frames(events)[0], text: '', truncatedFrom: 12 });
    assert.equal(fake(socket).sent.length, 2, 'the page’s frames still went out');
  });

  it('ignores an echo socket even when the page sends a connect', () => {
    const h = harness();
    const socket = new h.win.WebSocket('wss://echo.test/');
    fake(socket).serverOpen();
    socket.send(CONNECT);
    fake(socket).serverMessage(CONNECT);
    socket.send(SUBSCRIBE);
    fake(socket).serverMessage(SUBSCRIBE);
    const sent = frames(h.flush());
    assert.deepEqual(sent.map((f) => f.text), [CONNECT, '']);
  });

  it('stops after three frames without a strong signal', () => {
    const h = harness();
    const socket = new h.win.WebSocket('wss://other.test/');
    fake(socket).serverOpen();
    const error = '{"op":"error","error":"x","code":1,"reconnect":true}';
    for (let i = 0; i < 5; i++) fake(socket).serverMessage(error);
    assert.deepEqual(frames(h.flush()).map((f) => f.text), [error, error, '']);
  });

  it('reports binary frames by size only and cuts long text frames', () => {
    const h = harness();
    const socket = new h.win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    socket.send(CONNECT);
    fake(socket).serverMessage(CONNECTED);
    socket.send(new ArrayBuffer(8));
    socket.send(new Uint16Array(3));
    socket.send(new Blob(['12345']));
    fake(socket).serverMessage(new ArrayBuffer(4));
    fake(socket).serverMessage(new Blob(['ab']));
    const long = '{"op":"create","requestId":1,"object":{"s":"' + 'x'.repeat(MAX_PAGE_FRAME_CHARS) + '"}}';
    fake(socket).serverMessage(long);
    const reported = frames(h.flush()).slice(2);
    assert.deepEqual(reported.slice(0, 5).map((f) => [f.direction, f.binarySize, f.text]), [
      ['sent', 8, undefined],
      ['sent', 6, undefined],
      ['sent', 5, undefined],
      ['received', 4, undefined],
      ['received', 2, undefined],
    ]);
    const cut = reported[5]!;
    assert.equal(cut.text?.length, 64 * 1024, 'cut far below 1 MB before it leaves the page');
    assert.equal(cut.truncatedFrom, long.length);
    assert.ok(h.posted.every(isHookMessage));
  });

  it('converts non-string data once, as send() would, and reports what was sent', () => {
    const h = harness();
    const socket = new h.win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    socket.send(CONNECT);
    fake(socket).serverMessage(CONNECTED);
    let conversions = 0;
    const value = { toString: () => `{"op":"unsubscribe","requestId":${++conversions}}` };
    socket.send(value as unknown as string);
    socket.send(42 as unknown as string);
    assert.throws(() => socket.send(Symbol('s') as unknown as string), TypeError);
    assert.equal(conversions, 1);
    assert.deepEqual(fake(socket).sent.slice(1), ['{"op":"unsubscribe","requestId":1}', '42']);
    assert.deepEqual(frames(h.flush()).slice(2).map((f) => f.text), ['{"op":"unsubscribe","requestId":1}', '42']);
  });

  it('does not report data sent on a closing or closed socket (the platform discards it)', () => {
    const h = harness();
    const socket = new h.win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    socket.send(CONNECT);
    socket.close();
    socket.send(SUBSCRIBE);
    assert.deepEqual(frames(h.flush()).map((f) => f.text), [CONNECT]);
  });

  it('keeps working after the page replaces window.WebSocket and window.postMessage', () => {
    const h = harness();
    const Captured = h.win.WebSocket;
    h.win.WebSocket = class {} as unknown as typeof WebSocket;
    h.win.postMessage = () => {
      throw new Error('page replaced postMessage');
    };
    const socket = new Captured('wss://app.test/parse');
    fake(socket).serverOpen();
    assert.deepEqual(h.flush().map((e) => e.type), ['created', 'open']);
  });

  it('hands what is queued to the relay synchronously while the page unloads (pagehide), when timers no longer run', () => {
    const { win, relay, pageSaw, sync, hook, firePageHide } = pageWindow();
    relay.control({ type: 'watch', generation: 3, delivered: 0 });
    assert.equal(hook.watching, true);
    const socket = new win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    socket.send(CONNECT);
    firePageHide();
    // What the app does in its own pagehide handler, after ours.
    socket.send('{"op":"unsubscribe","requestId":1}');
    const events = sync.flatMap((m) => m.events);
    assert.ok(sync.every(isHookMessage));
    assert.deepEqual(sync.map((m) => m.generation), [3, 3]);
    assert.deepEqual(events.map((e) => e.type), ['created', 'open', 'frame', 'frame']);
    assert.equal(frames(events).at(-1)?.text, '{"op":"unsubscribe","requestId":1}');
    assert.deepEqual(relay.posted.filter((m) => m.events.length), [], 'nothing went the asynchronous way');
    assert.deepEqual(pageSaw, [], 'the page saw none of it');
  });

  it('splits a burst into messages of at most MAX_EVENTS_PER_MESSAGE events', () => {
    const h = harness();
    const socket = new h.win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    fake(socket).serverMessage(CONNECTED);
    for (let i = 0; i < MAX_EVENTS_PER_MESSAGE * 2; i++) fake(socket).serverMessage(`{"op":"subscribed","requestId":${i}}`);
    const events = h.flush();
    assert.equal(events.length, MAX_EVENTS_PER_MESSAGE * 2 + 3);
    assert.ok(h.posted.length >= 3 && h.posted.every((m) => m.type === 'events' && m.events.length <= MAX_EVENTS_PER_MESSAGE));
    assert.ok(h.posted.every(isHookMessage));
  });

  it('posts a burst of long frames as soon as a message’s worth of characters waits, each message within the limits', () => {
    const h = harness();
    const socket = new h.win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    socket.send(CONNECT);
    fake(socket).serverMessage(CONNECTED);
    const long = `{"op":"create","requestId":1,"object":{"s":"${'x'.repeat(200_000)}"}}`;
    for (let i = 0; i < 40; i++) fake(socket).serverMessage(long);
    assert.ok(h.posted.length >= 2, `${h.posted.length} messages before any timer ran`);
    h.flush();
    assert.ok(h.posted.every(isHookMessage), 'every message passes the relay’s validator');
    assert.equal(frames(h.posted.flatMap((m) => m.events)).length, 42);
    assert.ok(frames(h.posted.flatMap((m) => m.events)).slice(2).every((f) => f.text?.length === MAX_PAGE_FRAME_CHARS && f.truncatedFrom === long.length));
  });

  it('never throws into the page when reporting fails', () => {
    const h = harness();
    h.win.setTimeout = () => {
      throw new Error('not the captured one');
    };
    const socket = new h.win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    assert.doesNotThrow(() => fake(socket).serverMessage(CONNECTED));
  });
});

/**
 * A window whose events are real (an EventTarget): the hook's synchronous event reaches a capture listener
 * registered for its hello's type (the relay's, `sync`), and `pageSaw` is a page script's listener for every event
 * type the hook could use.
 */
function pageWindow() {
  const target = new EventTarget();
  const timers: (() => void)[] = [];
  const sync: HookMessage[] = [];
  const pageSaw: string[] = [];
  const { members, relay } = channelWindow();
  const win = {
    ...members,
    WebSocket: freshNative() as unknown as typeof WebSocket,
    setTimeout(handler: () => void) {
      timers.push(handler);
      return timers.length;
    },
    addEventListener: (type: string, listener: (event: Event) => void, capture?: boolean) => target.addEventListener(type, listener, capture),
    dispatchEvent: (event: Event) => target.dispatchEvent(event),
    CustomEvent,
    crypto: globalThis.crypto,
    performance,
  };
  const hook = installPageHook(win)!;
  assert.ok(relay.hello, 'the hook says hello first');
  target.addEventListener(
    relay.hello.syncEvent,
    (event) => {
      event.stopImmediatePropagation();
      const detail = String((event as CustomEvent<string>).detail);
      if (detail.startsWith('{"type":"events"')) sync.push(JSON.parse(detail) as HookMessage);
    },
    true,
  );
  // A page script's listeners, added after the hook and the relay.
  for (const type of ['message', 'pagehide', '__liveQueryDevtoolsHookUrgent__', '__liveQueryDevtoolsHookControl__', relay.hello.syncEvent]) {
    target.addEventListener(type, (event) => pageSaw.push(event.type));
  }
  const runTimers = () => {
    for (const timer of timers.splice(0)) timer();
  };
  const firePageHide = () => {
    target.dispatchEvent(new Event('pagehide'));
    pageSaw.splice(pageSaw.indexOf('pagehide'), 1);
  };
  return { win, hook, relay, posted: relay.posted, sync, timers, pageSaw, runTimers, firePageHide, target };
}

describe('page hook: its private channel to the relay', () => {
  it('opens it before anything else: one handshake with one port, then a hello naming a random synchronous event', () => {
    const { relay } = pageWindow();
    assert.deepEqual(relay.handshakes, [HOOK_HANDSHAKE]);
    assert.match(relay.hello!.syncEvent, /^[a-z0-9]{24}$/);
    assert.notEqual(pageWindow().relay.hello!.syncEvent, relay.hello!.syncEvent, 'a new one per document');
  });

  it('opens it even when there is no WebSocket to wrap, so that the relay’s first handshake is always the hook’s', () => {
    const { members, relay } = channelWindow();
    assert.equal(installPageHook({ ...members, setTimeout: () => 0 }), undefined);
    assert.deepEqual(relay.handshakes, [HOOK_HANDSHAKE]);
  });

  it('takes controls only from its port: window events and messages a page dispatches change nothing', () => {
    const { win, hook, relay, target, runTimers } = pageWindow();
    relay.control({ type: 'watch', generation: 1, delivered: 0 });
    for (const detail of ['unwatch:0', '{"type":"unwatch","generation":1,"delivered":0}']) {
      for (const type of ['__liveQueryDevtoolsHookControl__', 'message', relay.hello!.syncEvent]) {
        target.dispatchEvent(new CustomEvent(type, { detail }));
      }
    }
    target.dispatchEvent(Object.assign(new Event('message'), { data: { type: 'unwatch', generation: 1, delivered: 0 } }));
    assert.equal(hook.watching, true);
    const socket = new win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    runTimers();
    assert.deepEqual(relay.posted.flatMap((m) => m.events).map((e) => e.type), ['created', 'open']);
  });

  it('ignores controls on its port that are not well formed', () => {
    const { hook, relay } = pageWindow();
    const port = relay as unknown as { control(value: unknown): void };
    for (const bad of ['watch:0', null, [], { type: 'watch' }, { type: 'watch', generation: -1, delivered: 0 }, { type: 'watch', generation: 1, delivered: '0' }, { type: 'WATCH', generation: 1, delivered: 0 }]) {
      port.control(bad);
    }
    assert.equal(hook.watching, false);
  });
});

describe('page hook: injecting a frame for the panel', () => {
  const UPDATE = '{"op":"update","clientId":"c1","requestId":1,"object":{"className":"Game","objectId":"g1","score":30},"original":{"className":"Game","objectId":"g1","score":20}}';

  /** A LiveQuery socket, open and subscribed, with a page listener and an onmessage handler that note what they get. */
  function openSocket() {
    // The platform's MessageEvent and URL: the hook makes the injected message event with them.
    const h = harness(freshNative(), { MessageEvent: globalThis.MessageEvent, URL: globalThis.URL });
    const socket = new h.win.WebSocket('ws://example.test:1337/parse');
    const heard: { via: string; data: unknown; origin: string; trusted: boolean }[] = [];
    socket.addEventListener('message', (e) => heard.push({ via: 'listener', data: e.data, origin: e.origin, trusted: e.isTrusted }));
    socket.onmessage = (e) => heard.push({ via: 'onmessage', data: e.data, origin: e.origin, trusted: e.isTrusted });
    fake(socket).serverOpen();
    socket.send(CONNECT);
    fake(socket).serverMessage(CONNECTED);
    socket.send(SUBSCRIBE);
    heard.length = 0;
    const socketId = h.flush().find((e) => e.type === 'created')!.socketId;
    h.relay.posted.length = 0;
    return { ...h, socket, heard, socketId };
  }

  it('delivers the text in a task of its own to the listeners and onmessage as a received message, reports it marked injected, and sends nothing', () => {
    const { relay, socket, heard, socketId, flush } = openSocket();
    relay.control({ type: 'inject', injectionId: 7, socketId, text: UPDATE });
    assert.deepEqual(relay.answers, [{ type: 'injected', injectionId: 7, outcome: 'delivered' }]);
    assert.equal(heard.length, 0, 'not from inside the hook’s call: a timer dispatches it');
    flush();
    const reported = frames(flush());
    assert.deepEqual(
      heard.map((h) => [h.via, h.data, h.origin]),
      [
        ['listener', UPDATE, 'ws://example.test:1337'],
        ['onmessage', UPDATE, 'ws://example.test:1337'],
      ],
    );
    assert.deepEqual(fake(socket).sent, [CONNECT, SUBSCRIBE], 'nothing injected goes to the server');
    assert.equal(reported.length, 1);
    assert.deepEqual({ ...reported[0], time: 0 }, { type: 'frame', socketId, direction: 'received', text: UPDATE, injected: true, time: 0 });
  });

  it('a frame the server sends next is not marked injected', () => {
    const { relay, socket, socketId, flush } = openSocket();
    relay.control({ type: 'inject', injectionId: 1, socketId, text: UPDATE });
    flush();
    fake(socket).serverMessage(UPDATE);
    assert.deepEqual(frames(flush()).map((f) => f.injected), [true, undefined]);
  });

  it('does not mark a message the page dispatches itself, even from inside an injected one', () => {
    const { relay, socket, socketId, flush } = openSocket();
    let nested = false;
    socket.addEventListener('message', () => {
      if (nested) return;
      nested = true;
      socket.dispatchEvent(new MessageEvent('message', { data: '{"op":"create","requestId":1,"object":{"className":"Game","objectId":"page"}}' }));
    });
    relay.control({ type: 'inject', injectionId: 1, socketId, text: UPDATE });
    flush();
    assert.deepEqual(frames(flush()).map((f) => [f.injected, JSON.parse(f.text!).op]), [[true, 'update'], [undefined, 'create']]);
  });

  it('refuses a closed socket and an unknown one, delivering nothing', () => {
    const { relay, socket, heard, socketId, flush } = openSocket();
    relay.control({ type: 'inject', injectionId: 1, socketId: 'nope-1', text: UPDATE });
    fake(socket).close();
    relay.control({ type: 'inject', injectionId: 2, socketId, text: UPDATE });
    fake(socket).serverClose(1000, '', true);
    relay.control({ type: 'inject', injectionId: 3, socketId, text: UPDATE });
    assert.deepEqual(
      relay.answers.map((a) => a.outcome),
      ['unknownSocket', 'closed', 'unknownSocket'],
    );
    assert.deepEqual(heard, []);
    assert.equal(frames(flush()).length, 0);
  });

  it('ignores inject controls that are malformed (no answer, nothing delivered)', () => {
    const { relay, heard, socketId } = openSocket();
    for (const bad of [
      { type: 'inject', injectionId: -1, socketId, text: UPDATE },
      { type: 'inject', injectionId: 1, socketId: 5, text: UPDATE },
      { type: 'inject', injectionId: 1, socketId, text: 42 },
      { type: 'inject', injectionId: 1, socketId, text: 'x'.repeat(MAX_PAGE_FRAME_CHARS + 1) },
    ]) {
      relay.control(bad as unknown as RelayToHook);
    }
    assert.deepEqual(relay.answers, []);
    assert.deepEqual(heard, []);
  });
});

describe('page hook while no panel watches', () => {
  it('posts nothing and sets no timer, however busy the LiveQuery socket', () => {
    const { win, posted, timers } = pageWindow();
    const socket = new win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    socket.send(CONNECT);
    fake(socket).serverMessage(CONNECTED);
    for (let i = 0; i < 2000; i++) fake(socket).serverMessage(`{"op":"create","requestId":1,"object":{"className":"Game","objectId":"o${i}"}}`);
    assert.deepEqual(posted, []);
    assert.equal(timers.length, 0);
  });

  it('keeps only the cut of a long frame, not the whole frame, in its summary', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { win, hook } = pageWindow();
    const socket = new win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    socket.send(CONNECT);
    fake(socket).serverMessage(CONNECTED);
    gc();
    const before = process.memoryUsage().heapUsed;
    // Distinct frames of 4 M characters: the summary keeps the latest ~15 cuts of 64 K (1 MB), not their 60 MB frames.
    for (let i = 0; i < 60; i++) fake(socket).serverMessage(`{"op":"create","requestId":1,"object":{"n":${i},"s":"`.padEnd(4_000_000, 'x'));
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 20_000_000, `the heap grew by ${Math.round(grown / 1e6)} MB`);
    assert.equal(hook.watching, false);
  });

  it('hands its bounded summary over at once when watched (the state, the latest events, how many it did not keep), then posts as events happen', () => {
    const { win, hook, posted, relay, runTimers, pageSaw } = pageWindow();
    const socket = new win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    socket.send(CONNECT);
    fake(socket).serverMessage(CONNECTED);
    socket.send(SUBSCRIBE);
    fake(socket).serverMessage('{"op":"subscribed","requestId":1,"clientId":"c"}');
    for (let i = 0; i < 600; i++) fake(socket).serverMessage(`{"op":"create","requestId":1,"object":{"className":"Game","objectId":"o${i}"}}`);
    relay.control({ type: 'watch', generation: 1, delivered: 0 });
    assert.equal(hook.watching, true);
    const handedOver = posted.splice(0);
    assert.deepEqual(pageSaw, [], 'the page sees nothing of it');
    assert.ok(handedOver.every(isHookMessage));
    assert.ok(handedOver.every((m) => !m.replay), 'nothing was sent before: nothing to replay');
    const events = handedOver.flatMap((m) => m.events);
    const texts = frames(events).map((f) => f.text);
    assert.deepEqual(texts.slice(0, 4), [CONNECT, CONNECTED, SUBSCRIBE, '{"op":"subscribed","requestId":1,"clientId":"c"}']);
    assert.ok(texts.at(-1)!.includes('"o599"'), 'the latest event');
    const creates = texts.filter((t) => t!.includes('"create"')).length;
    assert.equal(handedOver[0]!.notKept, 600 - creates, 'what it did not keep is counted');
    fake(socket).serverMessage('{"op":"delete","requestId":1,"object":{"className":"Game","objectId":"o1"}}');
    runTimers();
    assert.deepEqual(frames(posted.flatMap((m) => m.events)).map((f) => f.text), ['{"op":"delete","requestId":1,"object":{"className":"Game","objectId":"o1"}}']);
  });

  it('stops posting when unwatched, and a later watcher gets the state as a replay and only the new events', () => {
    const { win, posted, relay, runTimers } = pageWindow();
    relay.control({ type: 'watch', generation: 1, delivered: 0 });
    const socket = new win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    socket.send(CONNECT);
    fake(socket).serverMessage(CONNECTED);
    runTimers();
    const delivered = posted.at(-1)!.seq!;
    assert.equal(delivered, 4, 'each message says how far it goes');
    relay.control({ type: 'unwatch', generation: 1, delivered });
    fake(socket).serverMessage('{"op":"create","requestId":1,"object":{"className":"Game","objectId":"late"}}');
    runTimers();
    posted.splice(0);
    relay.control({ type: 'watch', generation: 2, delivered });
    const [replay, fresh] = posted;
    assert.equal(replay?.replay, true);
    assert.deepEqual(replay?.events.map((e) => e.type), ['created', 'open', 'frame', 'frame']);
    assert.deepEqual(frames(fresh?.events ?? []).map((f) => f.text), ['{"op":"create","requestId":1,"object":{"className":"Game","objectId":"late"}}']);
    assert.deepEqual(posted.map((m) => m.generation), [2, 2], 'stamped with the new watch');
  });

  it('a watcher that got less than was posted (a port died, a stop dropped a batch) gets the rest again, in order', () => {
    const { win, posted, relay, runTimers } = pageWindow();
    relay.control({ type: 'watch', generation: 1, delivered: 0 });
    const socket = new win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    runTimers();
    const delivered = posted.at(-1)!.seq!;
    socket.send(CONNECT);
    fake(socket).serverMessage(CONNECTED);
    runTimers();
    // The relay dropped that last batch with its port.
    relay.control({ type: 'unwatch', generation: 1, delivered });
    posted.splice(0);
    relay.control({ type: 'watch', generation: 2, delivered });
    const fresh = posted.filter((m) => !m.replay).flatMap((m) => m.events);
    assert.deepEqual(frames(fresh).map((f) => f.text), [CONNECT, CONNECTED]);
  });

  it('a second watch while events wait for the batch timer hands them over once, losing none', () => {
    const { win, posted, relay, runTimers } = pageWindow();
    relay.control({ type: 'watch', generation: 1, delivered: 0 });
    const socket = new win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    socket.send(CONNECT);
    relay.control({ type: 'watch', generation: 2, delivered: 0 });
    fake(socket).serverMessage(CONNECTED);
    runTimers();
    const all = posted.flatMap((m) => (m.replay ? [] : m.events));
    assert.deepEqual(all.map((e) => e.type), ['created', 'open', 'frame', 'frame']);
  });

  it('splits a large hand-over into messages within the per-message limits, so that the relay takes every part', () => {
    const { win, posted, relay } = pageWindow();
    const socket = new win.WebSocket('wss://app.test/parse');
    fake(socket).serverOpen();
    socket.send(CONNECT);
    fake(socket).serverMessage(CONNECTED);
    // Subscriptions are state: the summary keeps them whole, however large their queries.
    const big = (n: number) => `{"op":"subscribe","requestId":${n},"query":{"className":"Game","where":{"tag":"${'x'.repeat(60_000)}"}}}`;
    for (let n = 1; n <= 40; n++) socket.send(big(n));
    relay.control({ type: 'watch', generation: 1, delivered: 0 });
    assert.ok(posted.length > 1, 'more than one message');
    assert.ok(posted.every(isHookMessage), 'each within the validator’s limits');
    for (const message of posted) {
      const chars = message.events.reduce((sum, e) => sum + pageEventChars(e), 0);
      assert.ok(chars <= MAX_PAGE_MESSAGE_CHARS, `${chars} characters in one message`);
    }
    assert.equal(posted.flatMap((m) => m.events).length, 44);
  });
});

describe('page hook with a real WebSocket implementation (ws) and server', () => {
  let server: WebSocketServer | undefined;
  afterEach(async () => {
    for (const client of server?.clients ?? []) client.terminate();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('reports a LiveQuery handshake and keeps the socket usable by the page', async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    server.on('connection', (socket) => {
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { op: string; requestId?: number };
        if (frame.op === 'connect') socket.send(CONNECTED);
        if (frame.op === 'subscribe') socket.send(`{"op":"subscribed","clientId":"c","requestId":${frame.requestId}}`);
      });
    });
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/parse`;
    const h = harness(WsWebSocket);
    const socket = new h.win.WebSocket(url);
    assert.ok(socket instanceof WsWebSocket);
    const pageSaw: string[] = [];
    socket.onmessage = (event) => {
      pageSaw.push(String(event.data));
      if (pageSaw.length === 1) socket.send(SUBSCRIBE);
      else socket.close(1000, 'done');
    };
    socket.onopen = () => socket.send(CONNECT);
    await new Promise((resolve) => socket.addEventListener('close', resolve));
    assert.equal(pageSaw.length, 2);
    const events = h.flush();
    assert.deepEqual(
      events.map((e) => (e.type === 'frame' ? `${e.direction}:${JSON.parse(e.text ?? 'null').op}` : e.type)),
      ['created', 'open', 'sent:connect', 'received:connected', 'sent:subscribe', 'received:subscribed', 'close'],
    );
    assert.equal(events[0]?.type === 'created' && events[0].url, url);
    const close = events.at(-1);
    assert.deepEqual(close?.type === 'close' && [close.code, close.reason], [1000, 'done']);
  });
});
