// One LiveQuery subscription: its query, session token, state, counters and the events the server pushes for it.

import { Emitter } from './emitter.js';
import type { ErrorFrame, EventOp, ParseJSON, QueryJSON } from './protocol.js';
import type { QueryInput } from './query.js';

export type SubscriptionState = 'pending' | 'subscribed' | 'error' | 'closed';

/** What the SDK passes as the last listener argument. */
export interface EventResponse {
  clientId?: string | number;
  installationId?: string;
}

export interface SubscriptionEvents {
  [event: string]: unknown[];
  open: [response: EventResponse];
  create: [object: ParseJSON, response: EventResponse];
  update: [object: ParseJSON, original: ParseJSON | undefined, response: EventResponse];
  enter: [object: ParseJSON, original: ParseJSON | undefined, response: EventResponse];
  leave: [object: ParseJSON, original: ParseJSON | undefined, response: EventResponse];
  delete: [object: ParseJSON, response: EventResponse];
  result: [objects: ParseJSON[]];
  close: [];
  error: [error: string, frame: ErrorFrame];
}

/** The client side a subscription calls back into; implemented by LiveQueryClient. */
export interface SubscriptionOwner {
  unsubscribe(subscription: Subscription): Promise<void>;
  updateSubscription(subscription: Subscription, query: QueryInput): void;
}

export class Subscription extends Emitter<SubscriptionEvents> {
  state: SubscriptionState = 'pending';
  /** How many times the server confirmed this subscription (more than one after resubscribes or updates). */
  confirmations = 0;
  readonly eventCounts: Record<EventOp, number> = { create: 0, enter: 0, update: 0, leave: 0, delete: 0 };
  /** Settles on the first `subscribed` (resolve) or a subscription error (reject). */
  readonly subscribePromise: Promise<void>;
  private settleSubscribe!: (error?: Error) => void;
  private closeWaiters: (() => void)[] = [];

  constructor(
    private readonly owner: SubscriptionOwner,
    /** The requestId: unique per client, kept across reconnects. */
    readonly id: number,
    public query: QueryJSON,
    readonly sessionToken: string | undefined,
  ) {
    super();
    this.subscribePromise = new Promise<void>((resolve, reject) => {
      let settled = false;
      this.settleSubscribe = (error) => {
        if (settled) return;
        settled = true;
        if (error) reject(error);
        else resolve();
      };
    });
    // An unobserved rejection is not a bug of the caller: errors are also delivered as `error` events.
    this.subscribePromise.catch(() => undefined);
  }

  get className(): string {
    return this.query.className;
  }

  /** True while the server has this subscription confirmed, as in the Parse SDK. */
  get subscribed(): boolean {
    return this.state === 'subscribed';
  }

  unsubscribe(): Promise<void> {
    return this.owner.unsubscribe(this);
  }

  /** Replaces the query in place with the protocol's `update` op (same requestId). */
  update(query: QueryInput): void {
    this.owner.updateSubscription(this, query);
  }

  /** Resolves once the subscription is closed (unsubscribed, or its client closed). */
  whenClosed(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** @internal */ markPending(): void {
    if (this.state !== 'closed') this.state = 'pending';
  }

  /** @internal */ markSubscribed(response: EventResponse): void {
    this.state = 'subscribed';
    this.confirmations++;
    this.settleSubscribe();
    this.emit('open', response);
  }

  /** @internal */ markError(frame: ErrorFrame): void {
    this.state = 'error';
    const error = Object.assign(new Error(frame.error), { code: frame.code });
    this.settleSubscribe(error);
    this.emit('error', frame.error, frame);
  }

  /** @internal The socket went away; the subscription stays and is sent again on reconnect. */
  markDisconnected(): void {
    if (this.state === 'closed') return;
    this.state = 'pending';
    this.emit('close');
  }

  /** @internal */ markClosed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.settleSubscribe(new Error('subscription closed before the server confirmed it'));
    this.emit('close');
    for (const resolve of this.closeWaiters.splice(0)) resolve();
  }

  /** @internal */ countEvent(op: EventOp): void {
    this.eventCounts[op]++;
  }
}
