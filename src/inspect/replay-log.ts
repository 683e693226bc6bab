// Remembers, compactly, the events that define the state of the page's sockets: what a worker needs to rebuild them.

import { checkClientFrame, checkServerFrame, EVENT_OPS, isPlainObject } from '../livequery/protocol.js';
import type { PageSocketEvent } from '../messages.js';
import { SocketClassifier } from './socket-classifier.js';

type FrameEvent = Extract<PageSocketEvent, { type: 'frame' }>;

export interface ReplayLimits {
  /** Live sockets remembered (oldest forgotten first). */
  maxSockets: number;
  /** Subscriptions remembered per socket (oldest forgotten first). */
  maxRequests: number;
}

export const DEFAULT_REPLAY_LIMITS: ReplayLimits = { maxSockets: 100, maxRequests: 500 };

export interface ReplayOptions {
  /** Keep closed sockets (with their close event) until newer sockets need the room; else forget them at once. */
  keepClosed?: boolean;
}

interface SocketLog {
  created: PageSocketEvent;
  open?: PageSocketEvent;
  close?: PageSocketEvent;
  classifier: SocketClassifier;
  /** Frames seen while the socket was undecided (at most a few). */
  preamble: FrameEvent[];
  connect?: FrameEvent;
  connected?: FrameEvent;
  /** Per requestId: the latest subscribe/update sent and the latest reply to it. */
  requests: Map<number, { request?: FrameEvent; reply?: FrameEvent }>;
  /** The latest error not tied to a subscription (e.g. a rejected connect). */
  error?: FrameEvent;
}

const HEAD = /^\s*\{\s*"op"\s*:\s*"(\w+)"/;
const EVENT_OP_SET: ReadonlySet<string> = new Set(EVENT_OPS);
const isEventOp = (op: string): boolean => EVENT_OP_SET.has(op);
const COMPACT_HEAD = '{"op":"';

/** The op a frame starts with: read directly from the compact form servers write, else by a pattern on its head. */
function leadingOp(text: string): string | undefined {
  if (text.startsWith(COMPACT_HEAD)) {
    const end = text.indexOf('"', COMPACT_HEAD.length);
    return end > 0 ? text.slice(COMPACT_HEAD.length, end) : undefined;
  }
  return HEAD.exec(text.slice(0, 40))?.[1];
}

/** The op and requestId of a frame that changes socket or subscription state; undefined for events and the rest. */
function stateOf(frame: FrameEvent): { op: string; requestId?: number } | undefined {
  const text = frame.text;
  if (text === undefined || frame.truncatedFrom !== undefined) return undefined;
  // Servers write `op` first; skipping events here avoids parsing the bulk of the traffic.
  if (frame.direction === 'received') {
    const op = leadingOp(text);
    if (op !== undefined && isEventOp(op)) return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const valid = frame.direction === 'sent' ? checkClientFrame(value).ok : checkServerFrame(value).ok;
  if (!valid || !isPlainObject(value) || typeof value.op !== 'string') return undefined;
  if (frame.direction === 'received' && isEventOp(value.op)) return undefined;
  return { op: value.op, requestId: typeof value.requestId === 'number' ? value.requestId : undefined };
}

export class ReplayLog {
  private readonly sockets = new Map<string, SocketLog>();

  constructor(
    private readonly limits: ReplayLimits = DEFAULT_REPLAY_LIMITS,
    private readonly options: ReplayOptions = {},
  ) {}

  get size(): number {
    return this.sockets.size;
  }

  knows(socketId: string): boolean {
    return this.sockets.has(socketId);
  }

  observe(event: PageSocketEvent): void {
    if (event.type === 'created') {
      if (this.sockets.has(event.socketId)) return;
      if (this.sockets.size >= this.limits.maxSockets) this.sockets.delete(this.oldestToForget());
      this.sockets.set(event.socketId, { created: event, classifier: new SocketClassifier(), preamble: [], requests: new Map() });
      return;
    }
    const log = this.sockets.get(event.socketId);
    if (!log) return;
    switch (event.type) {
      case 'open':
        log.open = event;
        return;
      case 'close':
        if (this.options.keepClosed && log.classifier.verdict === 'livequery') log.close = event;
        else this.sockets.delete(event.socketId);
        return;
      case 'error':
        return;
      case 'frame':
        this.frame(log, event);
    }
  }

  /** The oldest closed socket, else the oldest. */
  private oldestToForget(): string {
    for (const [id, log] of this.sockets) if (log.close) return id;
    return this.sockets.keys().next().value!;
  }

  private frame(log: SocketLog, event: FrameEvent): void {
    if (log.close) return;
    if (log.classifier.verdict === 'livequery') return this.keep(log, event);
    const verdict = log.classifier.observe(event.direction, event.text, event.truncatedFrom !== undefined);
    if (verdict === 'other') {
      this.sockets.delete(event.socketId);
    } else if (verdict === 'undecided') {
      log.preamble.push(event);
    } else {
      for (const frame of log.preamble) this.keep(log, frame);
      log.preamble = [];
      this.keep(log, event);
    }
  }

  private keep(log: SocketLog, event: FrameEvent): void {
    const state = stateOf(event);
    if (!state) return;
    const { op, requestId } = state;
    if (event.direction === 'sent') {
      if (op === 'connect') log.connect = event;
      else if ((op === 'subscribe' || op === 'update') && requestId !== undefined) this.request(log, requestId).request = event;
      else if (op === 'unsubscribe' && requestId !== undefined) log.requests.delete(requestId);
      return;
    }
    if (op === 'connected') log.connected = event;
    else if (op === 'unsubscribed' && requestId !== undefined) log.requests.delete(requestId);
    else if ((op === 'subscribed' || op === 'error') && requestId !== undefined) this.request(log, requestId).reply = event;
    else if (op === 'error') log.error = event;
  }

  private request(log: SocketLog, requestId: number): { request?: FrameEvent; reply?: FrameEvent } {
    let entry = log.requests.get(requestId);
    if (!entry) {
      if (log.requests.size >= this.limits.maxRequests) log.requests.delete(log.requests.keys().next().value!);
      entry = {};
      log.requests.set(requestId, entry);
    }
    return entry;
  }

  /** Events that rebuild the state of every remembered socket, in an order a fresh classifier accepts. */
  snapshot(): PageSocketEvent[] {
    const events: PageSocketEvent[] = [];
    for (const log of this.sockets.values()) {
      events.push(log.created);
      if (log.open) events.push(log.open);
      if (log.classifier.verdict !== 'livequery') {
        events.push(...log.preamble);
        continue;
      }
      const frames: (FrameEvent | undefined)[] = [log.connect, log.connected];
      for (const { request, reply } of log.requests.values()) frames.push(request, reply);
      frames.push(log.error);
      for (const frame of frames) if (frame) events.push(frame);
      if (log.close) events.push(log.close);
    }
    return events;
  }
}
