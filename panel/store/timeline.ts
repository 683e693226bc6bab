// The timeline on screen: live records (bounded, filtered), recording on/off, selection, clear, an opened recording.

import { batch, computed, signal, type ReadonlySignal } from '@preact/signals';
import { EMPTY_FILTER, REGEX_FLAGS, type TimelineFilter } from '../../src/timeline/filter.js';
import type { Recording } from '../../src/timeline/export.js';
import type { RecordDraft, RecordKind, TimelineRecord } from '../../src/timeline/record.js';
import { costRequest, sampleRecords, type RecordSample } from '../../src/timeline/regex-cost.js';
import { DEFAULT_CAPACITY, TimelineStore, type ClearedRecords } from '../../src/timeline/store.js';
import type { ResumePoint } from '../adapters/port.js';
import type { RegexChecker } from '../adapters/regex-checker.js';

const compiles = (source: string): boolean => {
  try {
    new RegExp(source, REGEX_FLAGS);
    return true;
  } catch {
    return false;
  }
};

/** Records the panel itself adds (e.g. a query it refused to send) are numbered in their own epoch. */
export const PANEL_EPOCH = 'panel';

/**
 * What the list shows, as of the last change: a new object per change (so that components re-render), with counts
 * frozen at that change and rows read from the store. Copying the records instead would cost O(100k) per frame.
 */
export interface TimelineRows {
  /** Records kept, of every kind. */
  size: number;
  /** Records that pass the filter. */
  matchCount: number;
  dropped: number;
  filterError: string | null;
  /** The i-th record that passes the filter. */
  at(index: number): TimelineRecord | undefined;
  indexOf(record: Pick<TimelineRecord, 'epoch' | 'seq'>): number;
}

function rowsOf(store: TimelineStore): TimelineRows {
  return {
    size: store.size,
    matchCount: store.matchCount,
    dropped: store.dropped,
    filterError: store.filterError,
    at: (index) => store.matchAt(index),
    indexOf: (record) => store.indexOf(record),
  };
}

/** The last Clear, while it can still be undone. */
export interface UndoableClear {
  count: number;
  /** Tells one Clear from the next, so that an old offer's timeout does not withdraw a newer one. */
  id: number;
}

export interface OpenedRecording {
  name: string;
  recording: Recording;
  store: TimelineStore;
}

/** The filter's scope: records of one subscription, source or class. */
export type FilterScope = Partial<Pick<TimelineFilter, 'subscriptionKey' | 'source' | 'className'>>;

export interface TimelineDeps {
  settings: { capacity?: number; filter?: TimelineFilter };
  /** Calls back before the next paint: every batch that arrives within one frame is rendered once. */
  nextFrame(callback: () => void): void;
  /** Page loads: the preserve-log rule clears the timeline when one starts. */
  page: {
    isPageLoad(record: TimelineRecord): boolean;
    pageLoaded(record: TimelineRecord): void;
    preserveLog: ReadonlySignal<boolean>;
  };
  /** Tells the service worker to forget its backlog, so a reopened panel does not bring cleared records back. */
  /** Asks the service worker to drop its backlog up to `through` (all of it when absent). */
  clearBacklog(through?: ResumePoint): void;
  /**
   * Checks a regex filter off the main thread before it runs there (a pattern can backtrack for minutes on a page's
   * frame). Without one, a regex filter applies at once.
   */
  regexChecker?: RegexChecker;
  /** A monotonic clock (ms) and a timer: renders are spaced out when they get expensive. Default: the platform's. */
  clock?: () => number;
  later?: (callback: () => void, ms: number) => void;
}

/**
 * Under a heavy stream (more than HEAVY_RECORDS_PER_SECOND), after a render that took `t` ms the next one waits until
 * `t × RENDER_SPACING` ms have passed: the list renders less often and the panel keeps up with the worker. A lighter
 * stream renders at every frame, for the lowest latency.
 */
export const RENDER_SPACING = 2;
export const HEAVY_RECORDS_PER_SECOND = 2_000;
/** The stream's rate is measured over windows of this length. */
const RATE_WINDOW_MS = 250;

export function createTimelineStore({
  settings,
  nextFrame,
  page,
  clearBacklog,
  regexChecker,
  clock = () => performance.now(),
  later = (callback, ms) => void setTimeout(callback, ms),
}: TimelineDeps) {
  const live = new TimelineStore(settings.capacity ?? DEFAULT_CAPACITY);
  /** A recording opened from a file: shown read-only instead of the live timeline, which keeps recording meanwhile. */
  const imported = signal<OpenedRecording | null>(null);
  const rows = signal<TimelineRows>(rowsOf(live));
  /** Why the filter is invalid (null when it is valid); changes with the filter only, not with every batch. */
  const filterError = computed(() => rows.value.filterError);
  const filter = signal<TimelineFilter>(settings.filter ?? EMPTY_FILTER);
  /** Whether a regex filter is being checked: until it passes, the list keeps the previous filter. */
  const checking = signal(false);
  let lastCheck = 0;
  const capacity = signal(live.capacity);
  const recording = signal(true);
  const selected = signal<TimelineRecord | null>(null);
  const undoableClear = signal<UndoableClear | null>(null);
  /** The last Clear while it can be undone: its records, the selection, and the newest record it covered. */
  let cleared: (ClearedRecords & { selected: TimelineRecord | null; through?: ResumePoint }) | undefined;
  let clears = 0;
  /**
   * The offer to undo the last Clear ends. The service worker drops its backlog only now, unless the Clear was undone:
   * a panel opened later then gets back exactly what this one shows.
   */
  const forgetClear = (undone = false) => {
    if (cleared && !undone) clearBacklog(cleared.through);
    cleared = undefined;
    undoableClear.value = null;
  };
  /** Class names seen in recorded records, for suggestions. */
  const seenClasses = signal<ReadonlySet<string>>(new Set());
  let localSeq = 0;
  let refreshQueued = false;
  /**
   * The newest record received from the service worker, kept or not: a reconnect resumes after it, so that neither
   * cleared records nor those that arrived while recording was off come back. The panel's own records do not count
   * (the service worker knows no such epoch and would send everything again).
   */
  let newest: ResumePoint | undefined;

  /** The timeline on screen: the opened recording while there is one, else the live one. */
  const current = () => imported.peek()?.store ?? live;
  let recordsPerSecond = 0;
  let windowStart = -Infinity;
  let windowRecords = 0;
  const countArrivals = (count: number) => {
    const at = clock();
    if (at - windowStart >= RATE_WINDOW_MS) {
      recordsPerSecond = windowStart === -Infinity ? 0 : (windowRecords / (at - windowStart)) * 1000;
      windowStart = at;
      windowRecords = 0;
    }
    windowRecords += count;
  };
  let lastRenderEnd = -Infinity;
  let lastRenderCost = 0;
  const refresh = () => {
    const started = clock();
    rows.value = rowsOf(current());
    // Components re-render in a microtask queued by the assignment above; this one runs after them.
    queueMicrotask(() => {
      lastRenderEnd = clock();
      lastRenderCost = lastRenderEnd - started;
    });
  };
  const refreshBeforePaint = () => {
    if (refreshQueued) return;
    refreshQueued = true;
    const render = () =>
      nextFrame(() => {
        refreshQueued = false;
        refresh();
      });
    const heavy = recordsPerSecond > HEAVY_RECORDS_PER_SECOND;
    const wait = heavy ? lastRenderEnd + lastRenderCost * RENDER_SPACING - clock() : 0;
    if (wait > 1) later(render, wait);
    else render();
  };

  function noteClasses(records: readonly TimelineRecord[]): void {
    const known = seenClasses.peek();
    let added: Set<string> | undefined;
    for (const r of records) {
      if (r.className && !known.has(r.className) && !added?.has(r.className)) (added ??= new Set()).add(r.className);
    }
    if (added) seenClasses.value = new Set([...known, ...added]);
  }

  /** The sample a pattern is measured on, kept while the store's records stay the same (e.g. while the user types). */
  let sampled: { store: TimelineStore; key: string; sample: RecordSample } | undefined;
  const sampleOf = (store: TimelineStore): RecordSample => {
    const last = store.lastSeen();
    const key = `${store.size}/${store.dropped}/${last?.epoch}/${last?.seq}`;
    if (sampled?.store !== store || sampled.key !== key) sampled = { store, key, sample: sampleRecords(store.all()) };
    return sampled.sample;
  };

  /**
   * Applies a filter to a store; a valid regex first goes to the checker, and is applied (or refused with the reason)
   * when its answer comes, unless another filter came meanwhile.
   */
  function applyFilter(store: TimelineStore, next: TimelineFilter): void {
    const check = ++lastCheck;
    if (next.regex && regexChecker) {
      regexChecker.warm();
      sampleOf(store);
    }
    const source = next.regex ? next.text?.trim() : undefined;
    if (!regexChecker || !source || !compiles(source)) {
      checking.value = false;
      store.setFilter(next);
      refresh();
      return;
    }
    checking.value = true;
    void regexChecker.check(costRequest(source, REGEX_FLAGS, sampleOf(store))).then((problem) => {
      if (check !== lastCheck) return;
      batch(() => {
        checking.value = false;
        store.setFilter(next, problem ?? undefined);
        refresh();
      });
    });
  }

  function setFilter(next: TimelineFilter): void {
    filter.value = next;
    applyFilter(current(), next);
  }

  /** A store that has no filter yet shows its records without the regex until the checker lets it apply. */
  function applyToNewStore(store: TimelineStore, next: TimelineFilter): void {
    if (regexChecker && next.regex && next.text?.trim()) store.setFilter({ ...next, text: undefined });
    applyFilter(store, next);
  }
  applyToNewStore(live, filter.peek());

  return {
    rows,
    filterError,
    filter,
    checking,
    capacity,
    recording,
    selected,
    imported,
    seenClasses,
    undoableClear,

    /** Records from the service worker, in order; dropped while recording is off. */
    receive(records: readonly TimelineRecord[]): void {
      countArrivals(records.length);
      const last = records.at(-1);
      if (last) newest = { epoch: last.epoch, seq: last.seq };
      if (!recording.peek()) return;
      batch(() => {
        let from = 0;
        for (let i = 0; i < records.length; i++) {
          const record = records[i]!;
          if (!page.isPageLoad(record)) continue;
          live.append(records.slice(from, i));
          from = i;
          if (!live.isNew(record)) continue;
          page.pageLoaded(record);
          if (!page.preserveLog.peek()) {
            live.clear();
            selected.value = null;
            // A page load cleared after the user's Clear: undoing that one would bring an older page's records back.
            forgetClear();
          }
        }
        live.append(from === 0 ? records : records.slice(from));
        noteClasses(records);
      });
      refreshBeforePaint();
    },
    /** A record that only the panel knows about; kept even while recording is off. */
    addLocal(draft: RecordDraft): void {
      live.append([{ ...draft, epoch: PANEL_EPOCH, seq: ++localSeq }]);
      refreshBeforePaint();
    },
    /** Where a reconnect resumes from. */
    lastSeen(): ResumePoint | undefined {
      return newest;
    },
    /** Every record on screen, or only those that pass the filter. */
    records(scope: 'all' | 'filtered'): TimelineRecord[] {
      return scope === 'all' ? current().all() : current().matching();
    },

    setFilter,
    toggleKind(kind: RecordKind): void {
      const kinds = filter.value.kinds;
      setFilter({ ...filter.value, kinds: kinds.includes(kind) ? kinds.filter((k) => k !== kind) : [...kinds, kind] });
    },
    /** Narrows the filter to one subscription, source or class (undefined widens it again). */
    scope(scope: FilterScope): void {
      setFilter({ ...filter.value, ...scope });
    },
    showAll(): void {
      setFilter({ ...filter.value, subscriptionKey: undefined, source: undefined, className: undefined });
    },
    setCapacity(value: number): void {
      live.setCapacity(value);
      capacity.value = value;
      refresh();
    },
    /** Empties the live timeline; undoClear() puts the records back until forgetClear() or the next Clear. */
    clear(): void {
      if (imported.peek()) return;
      const before = selected.peek();
      const taken = live.clear();
      batch(() => {
        selected.value = null;
        forgetClear();
        if (taken.records.length) {
          cleared = { ...taken, selected: before, through: newest };
          undoableClear.value = { count: taken.records.length, id: ++clears };
        } else {
          clearBacklog(newest);
        }
        refresh();
      });
    },
    /** Puts the records of the last Clear back, before those that arrived since, and their selection. */
    undoClear(): void {
      if (!cleared || imported.peek()) return;
      const restoring = cleared;
      live.restore(restoring);
      batch(() => {
        forgetClear(true);
        if (restoring.selected && !selected.peek()) selected.value = restoring.selected;
        refresh();
      });
    },
    /** The offer to undo the last Clear ends (its time is up, or the user dismissed it). */
    forgetClear(id?: number): void {
      if (id === undefined || undoableClear.peek()?.id === id) forgetClear();
    },
    toggleRecording(): void {
      recording.value = !recording.value;
    },
    select(record: TimelineRecord | null): void {
      selected.value = record;
    },

    openRecording(name: string, opened: Recording): void {
      const store = new TimelineStore(Math.max(DEFAULT_CAPACITY, opened.records.length));
      store.load(opened.records);
      batch(() => {
        selected.value = null;
        imported.value = { name, recording: opened, store };
        forgetClear();
        applyToNewStore(store, filter.value);
      });
    },
    closeRecording(): void {
      batch(() => {
        imported.value = null;
        selected.value = null;
        applyFilter(live, filter.value);
      });
    },
  };
}

export type PanelTimeline = ReturnType<typeof createTimelineStore>;
