// What the server holds for each subscription of one client, by requestId: a small state machine per subscription.

/**
 * What the server holds for a requestId on the current socket:
 * - `none`: nothing (not sent on this socket yet, refused, or the socket is gone);
 * - `pending`: a subscribe or update is in flight;
 * - `held`: the server confirmed it;
 * - `leaving`: the user unsubscribed; the unsubscribe is in flight, or waits for the request in flight to be confirmed.
 *
 * Parse Server answers an unsubscribe or update for a requestId it does not hold with error 2 and reconnect:true,
 * which would drop every subscription of the connection: so nothing but a subscribe is sent unless it is `held`.
 */
export type ServerState = 'none' | 'pending' | 'held' | 'leaving';

/** A frame that waits for the confirmation of the subscribe or update in flight. */
export type AfterConfirm = 'update' | 'unsubscribe';

export interface SubscriptionRecord<S> {
  readonly subscription: S;
  readonly state: ServerState;
  /** `update` only while `pending`, `unsubscribe` only while `leaving`. */
  readonly afterConfirm: AfterConfirm | undefined;
}

type MutableRecord<S> = { -readonly [K in keyof SubscriptionRecord<S>]: SubscriptionRecord<S>[K] };

export class SubscriptionRecords<S> {
  private readonly records = new Map<number, MutableRecord<S>>();

  get(id: number): SubscriptionRecord<S> | undefined {
    return this.records.get(id);
  }

  /** The subscription with this requestId, unless it is leaving. */
  liveSubscription(id: number): S | undefined {
    const record = this.records.get(id);
    return record && record.state !== 'leaving' ? record.subscription : undefined;
  }

  /** The subscriptions that are not leaving, in requestId order; ones added while iterating are included. */
  *liveSubscriptions(): IterableIterator<S> {
    for (const record of this.records.values()) if (record.state !== 'leaving') yield record.subscription;
  }

  hasLive(): boolean {
    return !this.liveSubscriptions().next().done;
  }

  /** A new subscription: `none`. */
  add(id: number, subscription: S): void {
    this.records.set(id, { subscription, state: 'none', afterConfirm: undefined });
  }

  /**
   * A subscribe or update for it went out: `pending`. An update queued behind an earlier request stays queued (a
   * confirmation does not say which request it answers). A leaving record stays leaving: its unsubscribe counts.
   */
  markSent(id: number): void {
    const record = this.records.get(id);
    if (!record || record.state === 'leaving') return;
    record.state = 'pending';
  }

  /** The query changed: the op to send now, or undefined when the update waits for the confirmation in flight. */
  requestUpdate(id: number): 'subscribe' | 'update' | undefined {
    const record = this.records.get(id);
    switch (record?.state) {
      case 'none':
        return 'subscribe';
      case 'held':
        return 'update';
      case 'pending':
        record.afterConfirm = 'update';
        return undefined;
      default:
        return undefined;
    }
  }

  /** `subscribed` arrived: `pending` becomes `held`. Returns the frame that waited for this, to send now. */
  confirm(id: number): AfterConfirm | undefined {
    const record = this.records.get(id);
    if (!record) return undefined;
    const next = record.afterConfirm;
    record.afterConfirm = undefined;
    if (record.state === 'pending') record.state = 'held';
    return next;
  }

  /**
   * The user unsubscribed while connected: `leaving`. Returns what to do now: send the `unsubscribe` (held), `wait`
   * for the confirmation in flight (pending), or `close` locally (none: the server has nothing; the record is gone).
   */
  startLeaving(id: number): 'unsubscribe' | 'wait' | 'close' {
    const record = this.records.get(id);
    if (!record || record.state === 'none') {
      this.records.delete(id);
      return 'close';
    }
    if (record.state === 'leaving') return 'wait';
    // Moved to the end, so that leaving subscriptions close in the order they were unsubscribed.
    this.records.delete(id);
    this.records.set(id, record);
    const held = record.state === 'held';
    record.state = 'leaving';
    record.afterConfirm = held ? undefined : 'unsubscribe';
    return held ? 'unsubscribe' : 'wait';
  }

  /** `unsubscribed` arrived: forgets a leaving record and returns its subscription, to close. Others are kept. */
  finishLeaving(id: number): S | undefined {
    const record = this.records.get(id);
    if (record?.state !== 'leaving') return undefined;
    this.records.delete(id);
    return record.subscription;
  }

  /**
   * The server refused a request for this id (an `error` frame with its requestId), so it holds nothing for it: a
   * live record goes back to `none` and loses what waited; a leaving one is forgotten and its subscription returned,
   * to close.
   */
  refuse(id: number): S | undefined {
    const record = this.records.get(id);
    if (!record) return undefined;
    if (record.state === 'leaving') {
      this.records.delete(id);
      return record.subscription;
    }
    record.state = 'none';
    record.afterConfirm = undefined;
    return undefined;
  }

  /** Forgets a record whatever its state (unsubscribed with no connection: the server holds nothing). */
  forget(id: number): void {
    this.records.delete(id);
  }

  /**
   * The socket is gone and the server forgot everything with it: live records go back to `none`, leaving ones are
   * forgotten. Returns the subscriptions of the leaving ones, in the order they were unsubscribed, to close.
   */
  connectionLost(): S[] {
    const left: S[] = [];
    for (const [id, record] of this.records) {
      if (record.state === 'leaving') {
        this.records.delete(id);
        left.push(record.subscription);
      } else {
        record.state = 'none';
        record.afterConfirm = undefined;
      }
    }
    return left;
  }

  /** Forgets every record; returns their subscriptions, live ones first, to close. */
  clear(): S[] {
    const all = [...this.records.values()];
    this.records.clear();
    return [
      ...all.filter((r) => r.state !== 'leaving').map((r) => r.subscription),
      ...all.filter((r) => r.state === 'leaving').map((r) => r.subscription),
    ];
  }
}
