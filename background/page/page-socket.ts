// One LiveQuery socket of the page: its state and subscriptions as its frames tell them, and a timeline record per event.

import { checkClientFrame, EVENT_OPS, type QueryJSON, type ServerFrame } from '../../src/livequery/protocol.js';
import type { PageSocketEvent } from '../../src/messages.js';
import { subscriptionKey } from '../../src/timeline/keys.js';
import { type RecordDraft, type RecordSource } from '../../src/timeline/record.js';
import { emptyCounts, type PageSocketState, type PageSocketView, type PageSubscriptionView } from '../../src/views.js';
import { exceedsDepth } from '../../src/json-limits.js';
import { describePageFrame, type FrameEvent } from './page-frames.js';

/** Characters of queries the sockets of one tab keep together; each subscription is charged its frame's length. */
export interface QueryBudget {
  /** Takes `chars` from the budget; false (nothing taken) when they do not fit. */
  take(chars: number): boolean;
  give(chars: number): void;
}

export interface PageSocketOrigin {
  id: string;
  frameId: number;
  frameUrl: string;
  generation: number;
  url: string;
}

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string');
const optionalString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The query as the panel shows it; Moralis v1's `fields` becomes `keys`. */
function normalizeQuery(query: QueryJSON & { fields?: unknown }): QueryJSON {
  const result: QueryJSON = { className: query.className, where: query.where };
  const keys = query.keys ?? (isStringList(query.fields) ? query.fields : undefined);
  if (keys) result.keys = keys;
  if (query.watch) result.watch = query.watch;
  return result;
}

export class PageSocket {
  private state: PageSocketState = 'connecting';
  private applicationId?: string;
  private clientId?: string;
  private sessionToken?: string;
  private nullSessionToken = false;
  private javascriptKey?: string;
  private masterKey?: string;
  private closeCode?: number;
  private readonly subscriptions = new Map<number, PageSubscriptionView>();
  /** What each subscription's query was charged to the budget. */
  private readonly charged = new Map<number, number>();
  private readonly source: RecordSource;

  constructor(
    readonly origin: PageSocketOrigin,
    private readonly maxSubscriptions: number,
    private readonly budget: QueryBudget = { take: () => true, give: () => undefined },
  ) {
    this.source = { type: 'pageSocket', socketId: origin.id, frameId: origin.frameId };
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  /** Applies one event; returns the record it makes. */
  apply(event: PageSocketEvent): RecordDraft {
    const base = { time: event.time, source: this.source };
    switch (event.type) {
      case 'created':
        return { ...base, kind: 'connection', label: 'connecting', marker: { type: 'pageSocketCreated', url: this.origin.url }, summary: this.origin.url };
      case 'open':
        if (this.state === 'connecting') this.state = 'open';
        return { ...base, kind: 'connection', label: 'open', marker: { type: 'pageSocketOpen', url: this.origin.url }, summary: this.origin.url };
      case 'error':
        return {
          ...base,
          kind: 'connection',
          label: 'socket error',
          marker: { type: 'socketError' },
          summary: 'error event (browsers give pages no details)',
        };
      case 'close': {
        this.close(event.code);
        const { code, reason, wasClean } = event;
        return {
          ...base,
          kind: 'connection',
          label: 'closed',
          marker: { type: 'pageSocketClosed', code, reason, wasClean },
          summary: `code ${code}${reason ? ` ${reason}` : ''}${wasClean ? '' : ' (not clean)'}`,
        };
      }
      case 'frame':
        return this.frame(event, base);
    }
  }

  private frame(event: FrameEvent, base: Pick<RecordDraft, 'time' | 'source'>): RecordDraft {
    const description = describePageFrame(event);
    const { json, requestId } = description;
    if (json) {
      if (event.direction === 'sent') this.sent(json, event.text?.length ?? 0);
      else if (description.received) this.received(description.received);
    } else if (requestId !== undefined && (EVENT_OPS as readonly string[]).includes(description.kind)) {
      this.count(requestId, description.kind);
    }
    const draft: RecordDraft = { ...base, kind: description.kind, label: description.label, summary: description.summary };
    if (requestId !== undefined) {
      draft.requestId = requestId;
      draft.subscriptionKey = subscriptionKey({ type: 'pageSocket', socketId: this.origin.id, requestId });
    }
    if (description.className !== undefined) draft.className = description.className;
    if (description.objectId !== undefined) draft.objectId = description.objectId;
    if (event.text !== undefined) draft.raw = event.text;
    if (event.truncatedFrom !== undefined) draft.rawLength = event.truncatedFrom;
    if (event.injected) {
      draft.injected = true;
      draft.summary = `injected · ${draft.summary}`;
    }
    return draft;
  }

  private sent(json: Record<string, unknown>, chars: number): void {
    const checked = checkClientFrame(json);
    if (!checked.ok) return;
    const frame = checked.frame;
    switch (frame.op) {
      case 'connect':
        this.applicationId = frame.applicationId;
        this.sessionToken = optionalString(frame.sessionToken);
        this.nullSessionToken = (frame.sessionToken as unknown) === null;
        this.javascriptKey = optionalString(frame.javascriptKey);
        this.masterKey = optionalString(frame.masterKey);
        return;
      case 'subscribe':
      case 'update': {
        const existing = this.subscriptions.get(frame.requestId);
        const sessionToken = optionalString(frame.sessionToken) ?? (frame.op === 'update' ? existing?.sessionToken : undefined);
        const view: PageSubscriptionView = {
          requestId: frame.requestId,
          query: normalizeQuery(frame.query),
          state: 'pending',
          counts: existing?.counts ?? emptyCounts(),
        };
        if (sessionToken !== undefined) view.sessionToken = sessionToken;
        if ((frame.sessionToken as unknown) === null) view.nullSessionToken = true;
        if (!existing) this.makeRoom();
        this.release(frame.requestId);
        // A hostile query could not be sent to the panel (too deep to serialize) or would fill memory (too large).
        const omitted = exceedsDepth(view.query) ? 'tooDeep' : this.budget.take(chars) ? undefined : 'tooLarge';
        if (omitted) {
          view.query = { className: view.query.className, where: {} };
          view.queryOmitted = omitted;
        } else {
          this.charged.set(frame.requestId, chars);
        }
        this.subscriptions.set(frame.requestId, view);
        return;
      }
      case 'unsubscribe':
        return;
    }
  }

  private received(frame: ServerFrame): void {
    switch (frame.op) {
      case 'connected':
        if (frame.clientId !== undefined) this.clientId = String(frame.clientId);
        return;
      case 'subscribed': {
        const subscription = this.subscriptions.get(frame.requestId);
        if (subscription) {
          subscription.state = 'subscribed';
          delete subscription.lastError;
        }
        return;
      }
      case 'unsubscribed': {
        const subscription = this.subscriptions.get(frame.requestId);
        if (subscription) subscription.state = 'closed';
        return;
      }
      case 'error': {
        const subscription = frame.requestId == null ? undefined : this.subscriptions.get(frame.requestId);
        if (subscription) {
          subscription.state = 'error';
          subscription.lastError = `${frame.error} (code ${frame.code})`;
        }
        return;
      }
      case 'result':
        return;
      default:
        this.count(frame.requestId, frame.op);
    }
  }

  private count(requestId: number, op: string): void {
    const counts = this.subscriptions.get(requestId)?.counts;
    const eventOp = EVENT_OPS.find((e) => e === op);
    if (counts && eventOp) counts[eventOp]++;
  }

  /** Keeps the subscription list bounded: the oldest closed one goes first, else the oldest. */
  private makeRoom(): void {
    if (this.subscriptions.size < this.maxSubscriptions) return;
    let victim: number | undefined;
    for (const [requestId, subscription] of this.subscriptions) {
      if (subscription.state === 'closed') {
        victim = requestId;
        break;
      }
      victim ??= requestId;
    }
    if (victim !== undefined) {
      this.subscriptions.delete(victim);
      this.release(victim);
    }
  }

  private release(requestId: number): void {
    const chars = this.charged.get(requestId);
    if (chars === undefined) return;
    this.charged.delete(requestId);
    this.budget.give(chars);
  }

  /** The socket is forgotten: its queries give their characters back. */
  dispose(): void {
    for (const requestId of [...this.charged.keys()]) this.release(requestId);
  }

  /** The socket is gone: closed by the server or the page, or its document unloaded. */
  close(code?: number): void {
    this.state = 'closed';
    if (code !== undefined) this.closeCode = code;
    for (const subscription of this.subscriptions.values()) {
      if (subscription.state !== 'error') subscription.state = 'closed';
    }
  }

  /**
   * Where an injection for subscription `requestId` goes: the socket's clientId for the frame; throws the reason
   * when it cannot (the socket closed, or the page never subscribed with that requestId).
   */
  injectionTarget(requestId: number): { clientId?: string } {
    if (this.state === 'closed') throw new Error(`the page socket ${this.origin.url} is closed: nothing was injected`);
    const subscription = this.subscriptions.get(requestId);
    if (!subscription) throw new Error(`the page socket has no subscription with requestId ${requestId}: nothing was injected`);
    return this.clientId === undefined ? {} : { clientId: this.clientId };
  }

  /** Adds the keys and tokens this socket's frames carried to `into`. */
  collectSecrets(into: (string | undefined)[]): void {
    into.push(this.sessionToken, this.javascriptKey, this.masterKey);
    for (const subscription of this.subscriptions.values()) into.push(subscription.sessionToken);
  }

  view(): PageSocketView {
    const view: PageSocketView = {
      id: this.origin.id,
      frameId: this.origin.frameId,
      frameUrl: this.origin.frameUrl,
      generation: this.origin.generation,
      url: this.origin.url,
      state: this.state,
      subscriptions: [...this.subscriptions.values()].map((s) => ({ ...s, query: { ...s.query }, counts: { ...s.counts } })),
    };
    if (this.applicationId !== undefined) view.applicationId = this.applicationId;
    if (this.clientId !== undefined) view.clientId = this.clientId;
    if (this.sessionToken !== undefined) view.sessionToken = this.sessionToken;
    if (this.nullSessionToken) view.nullSessionToken = true;
    if (this.javascriptKey !== undefined) view.javascriptKey = this.javascriptKey;
    if (this.masterKey !== undefined) view.masterKey = this.masterKey;
    if (this.closeCode !== undefined) view.closeCode = this.closeCode;
    return view;
  }
}
