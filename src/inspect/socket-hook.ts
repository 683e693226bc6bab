// Replaces a global's WebSocket constructor and send() with native-looking proxies that report sockets and LiveQuery frames.

import { MAX_CLOSE_REASON_CHARS, MAX_PAGE_FRAME_CHARS, MAX_PAGE_URL_CHARS, type InjectOutcome, type PageSocketEvent } from '../messages.js';
import type { Disguise } from './disguise.js';
import { findGetter, findValue, type Getter } from './natives.js';
import { SocketClassifier, type Direction } from './socket-classifier.js';

export interface SocketHookEnvironment {
  /** The global object whose `WebSocket` is replaced (the page's window). */
  global: {
    WebSocket?: typeof WebSocket;
    MessageEvent?: { prototype: object };
    CloseEvent?: { prototype: object };
    URL?: typeof URL;
    setTimeout?: (handler: () => void, timeout: number) => unknown;
  };
  report(event: PageSocketEvent): void;
  newSocketId(): string;
  now(): number;
  /** Makes the proxies (see disguise.ts). */
  disguise: Disguise;
}

interface Tracked {
  id: string;
  classifier: SocketClassifier;
  /** The socket's URL, for the origin of an injected message (worked out only then: no page-visible call before). */
  url: string;
}

/** What the hook can do to its sockets on the panel's behalf. */
export interface SocketInjector {
  /**
   * Delivers `text` to socket `socketId` as a received message: a message event dispatched on the socket (its
   * listeners and onmessage run, as for a server frame). Nothing is sent to the server.
   */
  inject(socketId: string, text: string): InjectOutcome;
}

// Captured when the hook loads, before any page script can replace them.
const { apply: reflectApply, construct: reflectConstruct } = Reflect;
const arrayBufferByteLength = findGetter(ArrayBuffer.prototype, 'byteLength');
const sharedArrayBufferByteLength =
  typeof SharedArrayBuffer === 'function' ? findGetter(SharedArrayBuffer.prototype, 'byteLength') : undefined;
const blobSize = typeof Blob === 'function' ? findGetter(Blob.prototype, 'size') : undefined;
const isView = ArrayBuffer.isView;
const { get: weakGet, set: weakSet } = WeakMap.prototype;
const { add: weakAdd, has: weakHas } = WeakSet.prototype;
const bind = Function.prototype.bind;
const { get: mapGet, set: mapSet, delete: mapDelete } = Map.prototype;
const { parse: parseJSON, stringify } = JSON;

/**
 * The first `length` characters of `text` as a flat copy: a slice would keep the whole frame alive (V8 slices point
 * into their parent), and the page's summary keeps its events for a while.
 */
function cutCopy(text: string, length: number): string {
  return parseJSON(stringify(text.slice(0, length))) as string;
}

/** Calls a native getter as a brand check: its value, or undefined when `value` is not of that type. */
function branded(getter: Getter | undefined, value: unknown): number | undefined {
  if (!getter || typeof value !== 'object' || value === null) return undefined;
  try {
    const result = reflectApply(getter, value, []);
    return typeof result === 'number' ? result : undefined;
  } catch {
    return undefined;
  }
}

/** Byte size of data that send() transmits as a binary frame, or undefined for anything it converts to text. */
function binarySize(data: unknown): number | undefined {
  if (isView(data)) return data.byteLength;
  return branded(arrayBufferByteLength, data) ?? branded(blobSize, data) ?? branded(sharedArrayBufferByteLength, data);
}

/** Size of a received binary message (Blob, ArrayBuffer, or a Node Buffer in tests). */
function receivedSize(data: unknown): number {
  const size = binarySize(data);
  if (size !== undefined) return size;
  const { byteLength, size: blobLike } = (data ?? {}) as { byteLength?: unknown; size?: unknown };
  if (typeof byteLength === 'number') return byteLength;
  return typeof blobLike === 'number' ? blobLike : 0;
}

function finite(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/**
 * Installs the proxies on `env.global`. Returns undefined when there is no WebSocket to wrap, else the injector.
 *
 * Proxies rather than wrapper functions: calls, `new`, subclassing, statics, `prototype`, `name`, `length` and
 * errors all go to the native constructor unchanged, and every socket is a real native WebSocket. The disguise makes
 * `toString` print them as the natives and takes the hook's frame out of the errors they throw.
 */
export function installSocketHook(env: SocketHookEnvironment): SocketInjector | undefined {
  const global = env.global;
  const Native = global.WebSocket;
  if (typeof Native !== 'function') return undefined;
  const proto = Native.prototype as object;
  const addEventListener = findValue(proto, 'addEventListener');
  const dispatchEvent = findValue(proto, 'dispatchEvent');
  const nativeSend = findValue(proto, 'send');
  if (typeof addEventListener !== 'function' || typeof nativeSend !== 'function') return undefined;
  const MessageEventCtor = global.MessageEvent as (new (type: string, init?: MessageEventInit) => MessageEvent) | undefined;
  const URLCtor = global.URL;
  /** LiveQuery sockets (and undecided ones) by id, until they close: the panel injects into them by id. */
  const byId = new Map<string, object>();
  /** The message events the hook dispatched for the panel: its own listener, which runs first, marks their frames. */
  const injectedEvents = new WeakSet<object>();
  const setTimer = global.setTimeout;
  const readyState = findGetter(proto, 'readyState');
  const urlOf = findGetter(proto, 'url');
  const OPEN = finite(Native.OPEN, 1);
  const sockets = new WeakMap<object, Tracked>();
  // Read through the natives captured now: a page that replaces these getters or WeakMap's methods later must not
  // see the hook call them on every message.
  const dataOf = findGetter(global.MessageEvent?.prototype, 'data');
  const closeProto = global.CloseEvent?.prototype;
  const [codeOf, reasonOf, wasCleanOf] = [findGetter(closeProto, 'code'), findGetter(closeProto, 'reason'), findGetter(closeProto, 'wasClean')];
  const read = (getter: Getter | undefined, event: Event, name: string): unknown =>
    getter ? reflectApply(getter, event, []) : (event as unknown as Record<string, unknown>)[name];
  const stateOf = (socket: object): Tracked | undefined => reflectApply(weakGet, sockets, [socket]) as Tracked | undefined;

  const safely = (run: () => void): void => {
    try {
      run();
    } catch {
      // Inspection must never break the page.
    }
  };

  const forget = (state: Tracked): void => {
    reflectApply(mapDelete, byId, [state.id]);
  };

  const frame = (state: Tracked, direction: Direction, data: unknown, injected = false): void => {
    if (state.classifier.verdict === 'other') return;
    const socketId = state.id;
    const time = env.now();
    const text = typeof data === 'string' ? data : undefined;
    if (state.classifier.verdict === 'undecided' && state.classifier.observe(direction, text) === 'other') {
      forget(state);
      // Pass the verdict on (so the relay and tracker drop the socket) without the page's data.
      env.report(
        text === undefined
          ? { type: 'frame', socketId, direction, binarySize: receivedSize(data), time }
          : { type: 'frame', socketId, direction, text: '', truncatedFrom: text.length, time },
      );
      return;
    }
    if (text === undefined) {
      env.report({ type: 'frame', socketId, direction, binarySize: receivedSize(data), time });
    } else if (text.length > MAX_PAGE_FRAME_CHARS) {
      env.report({ type: 'frame', socketId, direction, text: cutCopy(text, MAX_PAGE_FRAME_CHARS), truncatedFrom: text.length, time });
    } else if (injected) {
      env.report({ type: 'frame', socketId, direction, text, injected: true, time });
    } else {
      env.report({ type: 'frame', socketId, direction, text, time });
    }
  };

  const listen = (socket: object, type: string, handler: (event: Event) => void): void => {
    // No closure per event: this runs for every message of every tracked socket.
    reflectApply(addEventListener, socket, [
      type,
      (event: Event) => {
        try {
          handler(event);
        } catch {
          // Inspection must never break the page.
        }
      },
    ]);
  };

  const originOf = (url: string): string => {
    try {
      return URLCtor ? new URLCtor(url).origin : '';
    } catch {
      return '';
    }
  };

  const track = (socket: object): void => {
    const url = String((urlOf ? reflectApply(urlOf, socket, []) : undefined) ?? '').slice(0, MAX_PAGE_URL_CHARS);
    const state: Tracked = { id: env.newSocketId(), classifier: new SocketClassifier(), url };
    reflectApply(weakSet, sockets, [socket, state]);
    reflectApply(mapSet, byId, [state.id, socket]);
    env.report({ type: 'created', socketId: state.id, url, time: env.now() });
    // Registered in the constructor, so they run before any listener or on* handler of the page.
    listen(socket, 'open', () => {
      if (state.classifier.verdict !== 'other') env.report({ type: 'open', socketId: state.id, time: env.now() });
    });
    listen(socket, 'message', (event) => {
      const injected = reflectApply(weakHas, injectedEvents, [event]) as boolean;
      if (state.classifier.verdict !== 'other') frame(state, 'received', read(dataOf, event, 'data'), injected);
    });
    listen(socket, 'error', () => {
      if (state.classifier.verdict !== 'other') env.report({ type: 'error', socketId: state.id, time: env.now() });
    });
    listen(socket, 'close', (event) => {
      forget(state);
      if (state.classifier.verdict === 'other') return;
      const code = read(codeOf, event, 'code');
      const reason = read(reasonOf, event, 'reason');
      const wasClean = read(wasCleanOf, event, 'wasClean');
      env.report({
        type: 'close',
        socketId: state.id,
        code: finite(code, 0),
        reason: typeof reason === 'string' ? reason.slice(0, MAX_CLOSE_REASON_CHARS) : '',
        wasClean: wasClean === true,
        time: env.now(),
      });
    });
  };

  const wrapper: typeof WebSocket = env.disguise.wrap(Native, {
    construct(target, args, newTarget) {
      const socket = reflectConstruct(target, args, newTarget === wrapper ? target : newTarget) as object;
      safely(() => track(socket));
      return socket;
    },
  });

  const send = env.disguise.wrap(nativeSend, {
    apply(target, thisArg: unknown, args: unknown[]) {
      const state = typeof thisArg === 'object' && thisArg !== null ? stateOf(thisArg) : undefined;
      if (!state || state.classifier.verdict === 'other' || args.length === 0) return reflectApply(target, thisArg, args);
      let data = args[0];
      if (typeof data !== 'string' && binarySize(data) === undefined) {
        // send() converts anything else with ToString; doing it once here lets us report exactly what was sent.
        data = `${data as string}`;
        args = [data, ...args.slice(1)];
      }
      const result: unknown = reflectApply(target, thisArg, args);
      // A socket that is closing or closed discards the data without an exception.
      safely(() => {
        if (!readyState || reflectApply(readyState, thisArg, []) === OPEN) frame(state, 'sent', data);
      });
      return result;
    },
  });

  // The global first: if it cannot be replaced, nothing else is touched.
  const globalDescriptor = Object.getOwnPropertyDescriptor(global, 'WebSocket');
  Object.defineProperty(
    global,
    'WebSocket',
    globalDescriptor && 'value' in globalDescriptor
      ? { ...globalDescriptor, value: wrapper }
      : { value: wrapper, writable: true, enumerable: false, configurable: true },
  );
  const constructorDescriptor = Object.getOwnPropertyDescriptor(proto, 'constructor');
  if (constructorDescriptor?.value === Native) {
    Object.defineProperty(proto, 'constructor', { ...constructorDescriptor, value: wrapper });
  }
  const sendDescriptor = Object.getOwnPropertyDescriptor(proto, 'send');
  Object.defineProperty(
    proto,
    'send',
    sendDescriptor ? { ...sendDescriptor, value: send } : { value: send, writable: true, enumerable: true, configurable: true },
  );

  return {
    inject(socketId, text) {
      const socket = reflectApply(mapGet, byId, [socketId]) as object | undefined;
      const state = socket ? stateOf(socket) : undefined;
      if (!socket || !state || state.classifier.verdict === 'other') return 'unknownSocket';
      if (!readyState || reflectApply(readyState, socket, []) !== OPEN) return 'closed';
      if (typeof MessageEventCtor !== 'function' || typeof dispatchEvent !== 'function' || typeof setTimer !== 'function') return 'noHook';
      // As the platform makes it: origin of the socket's URL, no lastEventId, source or ports. Only isTrusted differs.
      const event = new MessageEventCtor('message', { data: text, origin: originOf(state.url) });
      reflectApply(weakAdd, injectedEvents, [event]);
      // Dispatched by a timer calling the native dispatchEvent bound to the socket: in its own task, as a network
      // message, with no frame of the hook on the stack a page listener could take.
      reflectApply(setTimer, global, [reflectApply(bind, dispatchEvent, [socket, event]), 0]);
      return 'delivered';
    },
  };
}
