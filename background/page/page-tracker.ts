// Per inspected tab: recognises the page's LiveQuery sockets among all its WebSockets and turns their events into records.

import type { PageSocketEvent } from '../../src/messages.js';
import { gapSummary } from '../../src/timeline/describe.js';
import { subscriptionKey } from '../../src/timeline/keys.js';
import type { MarkerOf, RecordDraft, RecordSource } from '../../src/timeline/record.js';
import type { PageSocketView } from '../../src/views.js';
import { PageSocket } from './page-socket.js';
import { SocketClassifier } from '../../src/inspect/socket-classifier.js';

export interface PageTrackerLimits {
  /** Sockets kept per tab; closed ones of earlier page loads are evicted first. */
  maxSockets: number;
  /** Events buffered per socket while it is undecided. */
  maxBufferedEvents: number;
  /** Subscriptions kept per socket. */
  maxSubscriptionsPerSocket: number;
  /** Characters of subscription queries all sockets of the tab keep together; beyond it a query keeps its class only. */
  maxQueryChars: number;
}

export const DEFAULT_PAGE_TRACKER_LIMITS: PageTrackerLimits = {
  maxSockets: 200,
  maxBufferedEvents: 16,
  maxSubscriptionsPerSocket: 500,
  maxQueryChars: 1_000_000,
};

export interface PageTrackerOptions extends Partial<PageTrackerLimits> {
  /** Clock for records that no page event dates (navigation, gaps, restores). */
  now?: () => number;
  /**
   * When the previous service worker was last seen recording for this tab (this one started after it stopped): a
   * resumed socket's subscriptions may have missed events since then. Unknown: since the socket's last replayed event.
   */
  workerLastAlive?: number;
}

export interface SocketEventsOptions {
  /** Sockets a worker was sent before (maybe an earlier instance): rebuild unknown ones without recording again. */
  replay?: boolean;
  /** Events the relay had to drop before these. */
  dropped?: number;
  /** Events before these that happened while no panel watched and that the page's bounded summary did not keep. */
  notKept?: number;
}

interface Entry {
  id: string;
  frameId: number;
  frameUrl: string;
  url: string;
  generation: number;
  classifier: SocketClassifier;
  /** Events held until the classifier decides. */
  buffer: PageSocketEvent[];
  /** Set once recognised as LiveQuery. */
  socket?: PageSocket;
  /** Being rebuilt from a replay: its records are not emitted. */
  silent: boolean;
  /** The time of the last event applied. */
  lastEventTime: number;
}

export class PageTracker {
  private readonly entries = new Map<string, Entry>();
  /** The last document announced per frame. */
  private readonly documents = new Map<number, string>();
  private readonly limits: PageTrackerLimits;
  private readonly now: () => number;
  private readonly workerLastAlive: number | undefined;
  private generation = 0;
  private queryChars = 0;
  private readonly queryBudget = {
    take: (chars: number): boolean => {
      if (this.queryChars + chars > this.limits.maxQueryChars) return false;
      this.queryChars += chars;
      return true;
    },
    give: (chars: number): void => {
      this.queryChars -= chars;
    },
  };

  constructor(
    private readonly emit: (draft: RecordDraft) => void,
    options: PageTrackerOptions = {},
  ) {
    const { now, workerLastAlive, ...limits } = options;
    this.limits = { ...DEFAULT_PAGE_TRACKER_LIMITS, ...limits };
    this.now = now ?? (() => Date.now());
    this.workerLastAlive = workerLastAlive;
  }

  /**
   * A document announced itself in a frame of the tab; frame 0's is a new page load. The same document announces
   * itself again whenever a panel starts to watch the tab: nothing changes then.
   */
  onDocument(frameId: number, url: string, documentId: string, again = false, startedAt?: number): void {
    const known = this.documents.get(frameId);
    if (known === documentId) return;
    this.documents.set(frameId, documentId);
    // Announced before to an earlier instance of the worker: the panel has its page load already.
    if (again && known === undefined) return;
    if (frameId === 0) this.generation++;
    for (const entry of [...this.entries.values()]) {
      // A new top document replaces every frame; a new subframe document replaces that frame's.
      if (frameId !== 0 && entry.frameId !== frameId) continue;
      // The previous page load's sockets stay visible (closed) under Preserve log; older ones are forgotten.
      if (entry.socket && entry.generation >= this.generation - 1) entry.socket.close();
      else this.delete(entry);
    }
    if (frameId === 0) {
      const now = this.now();
      this.emit({
        // The page's own start time keeps the page load ahead of its sockets' records when the worker hears late.
        time: startedAt !== undefined && startedAt < now ? startedAt : now,
        source: { type: 'document', frameId: 0 },
        kind: 'connection',
        label: 'navigated',
        marker: { type: 'navigated', url, generation: this.generation },
        summary: url,
      });
    }
  }

  onSocketEvents(frameId: number, frameUrl: string, events: PageSocketEvent[], options: SocketEventsOptions = {}): void {
    if (options.dropped) {
      this.pageGap(
        frameId,
        'dropped',
        { type: 'relayDropped', count: options.dropped },
        `${options.dropped} page socket event(s) lost while the extension was unreachable`,
      );
    }
    if (options.notKept) {
      this.pageGap(
        frameId,
        'not kept',
        { type: 'pageNotKept', count: options.notKept },
        `${options.notKept} earlier page socket event(s) not kept: while no LiveQuery panel was open the page keeps only its sockets, subscriptions and latest events`,
      );
    }
    const rebuilt: Entry[] = [];
    for (const event of events) {
      const entry = this.entries.get(event.socketId);
      if (event.type === 'created') {
        if (entry) continue;
        const added = this.add(event, frameId, frameUrl, options.replay === true);
        if (added.silent) rebuilt.push(added);
        continue;
      }
      // Events of unknown sockets (never announced, evicted, or not LiveQuery) are ignored, as are replays of known ones.
      if (!entry || entry.frameId !== frameId || (options.replay && !entry.silent)) continue;
      entry.lastEventTime = Math.max(entry.lastEventTime, event.time);
      // One event that cannot be read must not cost the rest of the batch.
      try {
        this.apply(entry, event);
      } catch (error) {
        this.unreadable(entry, event, error);
      }
    }
    for (const entry of rebuilt) {
      entry.silent = false;
      if (entry.socket && this.entries.get(entry.id) === entry) this.resumed(entry, entry.socket);
    }
  }

  private unreadable(entry: Entry, event: PageSocketEvent, error: unknown): void {
    const draft: RecordDraft = {
      time: event.time,
      source: { type: 'pageSocket', socketId: entry.id, frameId: entry.frameId },
      kind: 'error',
      label: 'unreadable',
      summary: `a page socket ${event.type} event could not be read (${error instanceof Error ? error.message : String(error)})`,
    };
    try {
      if (event.type === 'frame' && typeof event.text === 'string') draft.raw = event.text;
    } catch {
      // Nothing of it can be read: the summary says what is known.
    }
    this.record(entry, draft);
  }

  private delete(entry: Entry): void {
    entry.socket?.dispose();
    this.entries.delete(entry.id);
  }

  /** A gap in a frame's page traffic (the frame's document is its source). */
  private pageGap(frameId: number, label: string, marker: MarkerOf<'relayDropped' | 'pageNotKept'>, summary: string): void {
    this.emit({ time: this.now(), source: { type: 'document', frameId }, kind: 'gap', label, marker, summary });
  }

  /** Views of the LiveQuery sockets, oldest first. */
  sockets(): PageSocketView[] {
    const views: PageSocketView[] = [];
    for (const entry of this.entries.values()) if (entry.socket) views.push(entry.socket.view());
    return views;
  }

  /** Where an injection goes (the socket's frame and clientId); throws the reason when it cannot go anywhere. */
  injectionTarget(socketId: string, requestId: number): { frameId: number; clientId?: string } {
    const socket = this.entries.get(socketId)?.socket;
    if (!socket) throw new Error(`unknown page socket ${socketId} (the page may have navigated): nothing was injected`);
    return { frameId: socket.origin.frameId, ...socket.injectionTarget(requestId) };
  }

  /** Adds the keys and tokens the tab's LiveQuery sockets carried to `into`. */
  collectSecrets(into: (string | undefined)[]): void {
    for (const entry of this.entries.values()) entry.socket?.collectSecrets(into);
  }

  /** Forgets every socket (their later events are ignored); the generation count goes on. */
  clear(): void {
    for (const entry of [...this.entries.values()]) this.delete(entry);
  }

  private add(event: Extract<PageSocketEvent, { type: 'created' }>, frameId: number, frameUrl: string, silent: boolean): Entry {
    if (this.entries.size >= this.limits.maxSockets) this.evict();
    const entry: Entry = {
      id: event.socketId,
      frameId,
      frameUrl,
      url: event.url,
      generation: this.generation,
      classifier: new SocketClassifier(),
      buffer: [event],
      silent,
      lastEventTime: event.time,
    };
    this.entries.set(entry.id, entry);
    return entry;
  }

  private apply(entry: Entry, event: PageSocketEvent): void {
    if (entry.socket) return this.record(entry, entry.socket.apply(event));
    entry.buffer.push(event);
    const classifier = entry.classifier;
    if (event.type === 'frame') classifier.observe(event.direction, event.text, event.truncatedFrom !== undefined);
    if (event.type === 'close' || entry.buffer.length >= this.limits.maxBufferedEvents) classifier.finish();
    if (classifier.verdict === 'other') {
      this.delete(entry);
    } else if (classifier.verdict === 'livequery') {
      const socket = new PageSocket(entry, this.limits.maxSubscriptionsPerSocket, this.queryBudget);
      entry.socket = socket;
      const buffered = entry.buffer;
      entry.buffer = [];
      for (const event of buffered) {
        try {
          this.record(entry, socket.apply(event));
        } catch (error) {
          this.unreadable(entry, event, error);
        }
      }
    }
  }

  private record(entry: Entry, draft: RecordDraft): void {
    if (!entry.silent) this.emit(draft);
  }

  private resumed(entry: Entry, socket: PageSocket): void {
    const view = socket.view();
    const marker: MarkerOf<'resumed'> = { type: 'resumed', url: view.url, state: view.state, subscriptions: socket.subscriptionCount };
    if (view.applicationId !== undefined) marker.applicationId = view.applicationId;
    if (view.clientId !== undefined) marker.clientId = view.clientId;
    const to = this.now();
    const source: RecordSource = { type: 'pageSocket', socketId: entry.id, frameId: entry.frameId };
    this.emit({
      time: to,
      source,
      kind: 'connection',
      label: 'resumed',
      marker,
      summary: `${entry.url}: state rebuilt after the extension restarted (${socket.subscriptionCount} subscription(s))`,
    });
    // The page's socket kept running while no worker recorded it: what was in flight to the stopped worker is lost.
    const from = Math.min(this.workerLastAlive ?? entry.lastEventTime, to);
    for (const sub of view.subscriptions) {
      if (sub.state !== 'subscribed') continue;
      this.emit({
        time: to,
        source,
        kind: 'gap',
        label: 'possible gap',
        marker: { type: 'gap', from, to, reason: 'workerRestarted' },
        subscriptionKey: subscriptionKey({ type: 'pageSocket', socketId: entry.id, requestId: sub.requestId }),
        className: sub.query.className,
        summary: gapSummary(from, to, 'the extension restarted'),
      });
    }
  }

  /** Drops one socket: closed ones of earlier page loads, then closed ones, then undecided, then the oldest. */
  private evict(): void {
    let victim: Entry | undefined;
    let best = Infinity;
    for (const entry of this.entries.values()) {
      const old = entry.generation < this.generation;
      const rank = entry.socket ? (entry.socket.closed ? (old ? 0 : 2) : 4) : old ? 1 : 3;
      if (rank < best) {
        best = rank;
        victim = entry;
        if (rank === 0) break;
      }
    }
    if (victim) this.delete(victim);
  }
}
