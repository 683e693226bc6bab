// One connected LiveQuery client (a successful `connect`): its identity, its subscriptions, and the frames it is sent.

import type { EventOp, ParseJSON } from '../src/livequery/protocol.js';
import { shapeToKeys } from '../src/livequery-rules/payload.js';
import type { Subscription } from './lq-subscription.js';

/** Where a client's frames go (the socket wrapper, which may hold them back while a stall fault is active). */
export interface FrameSink {
  send(text: string): void;
}

export interface SubscriptionInfo {
  subscription: Subscription;
  keys?: string[];
  watch?: string[];
  sessionToken?: string;
}

export function pushError(sink: FrameSink, code: number, error: string, reconnect = true, requestId: number | null = null): void {
  sink.send(JSON.stringify({ op: 'error', error, code, reconnect, requestId }));
}

export class LiveClient {
  readonly subscriptionInfos = new Map<number, SubscriptionInfo>();

  constructor(
    readonly id: string,
    readonly sink: FrameSink,
    readonly hasMasterKey: boolean,
    readonly sessionToken: string | undefined,
    readonly installationId: string | undefined,
  ) {}

  /** Sends `connected`, `subscribed`, `unsubscribed` or an event, with Parse Server's field order. */
  push(op: 'connected' | 'subscribed' | 'unsubscribed' | EventOp, requestId?: number, object?: ParseJSON, original?: ParseJSON | null): void {
    const frame: Record<string, unknown> = { op, clientId: this.id, installationId: this.installationId };
    if (requestId !== undefined) frame.requestId = requestId;
    if (object !== undefined) {
      const keys = this.subscriptionInfos.get(requestId as number)?.keys;
      frame.object = shapeToKeys(object, keys);
      if (original) frame.original = shapeToKeys(original, keys);
    }
    this.sink.send(JSON.stringify(frame));
  }
}
