// Decides from a socket's first frames whether it speaks LiveQuery; shared by the page hook, the relay and the tracker.

import { checkClientFrame, checkServerFrame, isPlainObject } from '../livequery/protocol.js';

export type Verdict = 'undecided' | 'livequery' | 'other';
export type Direction = 'sent' | 'received';

/** A socket with no strong signal after this many frames is not LiveQuery (one that sent a connect is). */
export const DECIDE_WITHIN_FRAMES = 3;
/** Opening LiveQuery frames (connect, connected, subscribe, errors) are small; bigger undecided frames are not parsed. */
export const CLASSIFY_MAX_CHARS = 64 * 1024;

/** What one frame says about its socket. */
export type FrameSignal = 'connect' | 'connected' | 'client' | 'server' | 'none';

const OPEN_BRACE = 0x7b;
// Captured when the module loads: in the page hook that is before any page script could replace it.
const parseJSON = JSON.parse;

function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length && i < 16; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return c;
  }
  return -1;
}

/** Parses a frame only when it can be a LiveQuery JSON object at all. */
function parseCandidate(text: string): Record<string, unknown> | undefined {
  if (text.length > CLASSIFY_MAX_CHARS || firstNonSpace(text) !== OPEN_BRACE || !text.includes('"op"')) return undefined;
  try {
    const value: unknown = parseJSON(text);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const isId = (v: unknown): boolean => (typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isFinite(v));

/** Classifies one text frame. Echoed client frames are 'none' when received: `connect` is not a server op. */
export function frameSignal(direction: Direction, text: string): FrameSignal {
  const frame = parseCandidate(text);
  if (!frame) return 'none';
  if (direction === 'sent') {
    if (frame.op === 'query') {
      // The SDK 8.1+ `query` op: exactly {op, requestId}.
      return typeof frame.requestId === 'number' && Object.keys(frame).length === 2 ? 'client' : 'none';
    }
    const checked = checkClientFrame(frame);
    if (!checked.ok) return 'none';
    return checked.frame.op === 'connect' ? 'connect' : 'client';
  }
  if (!checkServerFrame(frame).ok) return 'none';
  return frame.op === 'connected' && isId(frame.clientId) ? 'connected' : 'server';
}

/**
 * Per-socket state machine. LiveQuery: a sent `connect` with a string applicationId (confirmed by any server
 * reply, or by the absence of a non-LiveQuery reply), a received `connected` with a clientId, or LiveQuery-shaped
 * frames both ways (an app that subscribes without connecting). Anything else in the first frames means "other".
 */
export class SocketClassifier {
  private state: Verdict = 'undecided';
  private frames = 0;
  private sawConnect = false;
  private sawClient = false;
  private sawServer = false;

  get verdict(): Verdict {
    return this.state;
  }

  /**
   * Feeds one frame: `text` for a text frame, undefined for a binary one. A frame cut before it left the page
   * (`truncated`) cannot be an opening LiveQuery frame.
   */
  observe(direction: Direction, text: string | undefined, truncated = false): Verdict {
    if (this.state !== 'undecided') return this.state;
    this.frames++;
    const signal = text === undefined || truncated ? 'none' : frameSignal(direction, text);
    switch (signal) {
      case 'none':
        return (this.state = 'other');
      case 'connected':
        return (this.state = 'livequery');
      case 'connect':
        this.sawConnect = true;
        break;
      case 'client':
        this.sawClient = true;
        break;
      case 'server':
        this.sawServer = true;
        break;
    }
    if (this.sawServer && (this.sawConnect || this.sawClient)) return (this.state = 'livequery');
    if (this.frames >= DECIDE_WITHIN_FRAMES) return (this.state = this.sawConnect ? 'livequery' : 'other');
    return this.state;
  }

  /** The socket closed (or must be decided now): an unanswered connect still counts. */
  finish(): Verdict {
    if (this.state === 'undecided') this.state = this.sawConnect ? 'livequery' : 'other';
    return this.state;
  }
}
