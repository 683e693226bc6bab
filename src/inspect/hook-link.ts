// The page hook's end of its private channel to the relay: a MessagePort handed over once at document_start, and a
// synchronous event of a random type for the moments when queued port messages would never be delivered.

import { HOOK_HANDSHAKE, MAX_PAGE_FRAME_CHARS, type HookToRelay, type RelayToHook } from '../messages.js';
import { findGetter, findValue } from './natives.js';

export interface LinkWindow {
  MessageChannel?: new () => MessageChannel;
  MessageEvent?: { prototype: object };
  CustomEvent?: typeof CustomEvent;
  postMessage(message: unknown, targetOrigin: string, transfer?: Transferable[]): void;
  dispatchEvent?(event: Event): boolean;
  crypto?: Pick<Crypto, 'getRandomValues'>;
}

export interface RelayLink {
  /** Over the port: delivered as a task, in order. */
  post(message: HookToRelay): void;
  /** Synchronously, for a document that is unloading: the relay has it when this returns. */
  postNow(message: HookToRelay): void;
  /** What the relay asks for (validated); set once. */
  onControl(listener: (control: RelayToHook) => void): void;
}

// Captured when the hook loads, before any page script can replace them.
const reflectApply = Reflect.apply;
const stringify = JSON.stringify;
const random = Math.random;

/** Random lowercase letters and digits; a page cannot guess them. */
export function randomName(win: Pick<LinkWindow, 'crypto'>, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = new Uint8Array(length);
  try {
    if (!win.crypto) throw new Error('no crypto');
    win.crypto.getRandomValues(bytes);
  } catch {
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
  }
  let name = '';
  for (const byte of bytes) name += alphabet[byte % alphabet.length];
  return name;
}

const isCount = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value <= 2 ** 53;

/**
 * A control from the relay, or undefined. Reads only own properties the relay always sets (no prototype lookup a page
 * could have patched) and calls no page-replaceable global.
 */
function readControl(data: unknown): RelayToHook | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  if ((data as Record<string, unknown>).type === 'inject') {
    const { injectionId, socketId, text } = data as Record<string, unknown>;
    if (!isCount(injectionId) || typeof socketId !== 'string' || socketId.length > 64) return undefined;
    if (typeof text !== 'string' || text.length > MAX_PAGE_FRAME_CHARS) return undefined;
    return { type: 'inject', injectionId, socketId, text };
  }
  const { type, generation, delivered } = data as Record<string, unknown>;
  if ((type !== 'watch' && type !== 'unwatch') || !isCount(generation) || !isCount(delivered)) return undefined;
  return { type, generation, delivered };
}

/**
 * Opens the channel: posts the handshake (the relay's capture listener, registered before any page script, takes it
 * and stops it there), then says hello on the port with the synchronous event's random type. Returns undefined
 * when the window cannot make a channel: the hook then reports nothing.
 */
export function openRelayLink(win: LinkWindow): RelayLink | undefined {
  const Channel = win.MessageChannel;
  const CustomEventCtor = win.CustomEvent;
  const dispatchEvent = win.dispatchEvent;
  const dataOf = findGetter(win.MessageEvent?.prototype, 'data');
  if (typeof Channel !== 'function') return undefined;
  let channel: MessageChannel;
  try {
    channel = new Channel();
  } catch {
    return undefined;
  }
  const port = channel.port1;
  const portPost = findValue(port, 'postMessage');
  if (typeof portPost !== 'function') return undefined;
  const syncEvent = randomName(win, 24);
  let listener: ((control: RelayToHook) => void) | undefined;

  const send = (message: HookToRelay): void => {
    try {
      reflectApply(portPost, port, [message]);
    } catch {
      // Nothing to do: the page must not notice.
    }
  };

  port.onmessage = (event: MessageEvent) => {
    try {
      const control = readControl(dataOf ? reflectApply(dataOf, event, []) : event.data);
      if (control) listener?.(control);
    } catch {
      // Inspection must never break the page.
    }
  };
  try {
    reflectApply(win.postMessage, win, [HOOK_HANDSHAKE, '*', [channel.port2]]);
  } catch {
    return undefined;
  }
  send({ type: 'hello', syncEvent });

  return {
    post: send,
    postNow(message) {
      if (!dispatchEvent || !CustomEventCtor) return;
      try {
        reflectApply(dispatchEvent, win, [new CustomEventCtor(syncEvent, { detail: stringify(message) })]);
      } catch {
        // Nothing to do: the page must not notice.
      }
    },
    onControl(next) {
      listener = next;
    },
  };
}
