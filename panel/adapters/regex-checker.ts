// Checks a filter pattern in a dedicated worker before the panel runs it on its main thread: a pattern that takes too
// long there is refused with the reason, and a worker stuck in it is terminated.

import { isRegexWorkerToPanel, type PanelToRegexWorker } from '../../src/messages.js';
import { CHECK_TIMED_OUT, CHECK_TIMEOUT_MS, costProblem, type RegexCostRequest } from '../../src/timeline/regex-cost.js';

export interface RegexChecker {
  /** Starts the worker ahead of a first check (e.g. when the regex box is ticked), so that the check is quick. */
  warm(): void;
  /**
   * Resolves with why the pattern must not run on the main thread, or null when it may. Never rejects; a check that a
   * newer one supersedes never settles (only the newest answer matters).
   */
  check(request: RegexCostRequest): Promise<string | null>;
}

/** The part of a Worker this uses (a fake one in tests). */
export interface WorkerLike {
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  postMessage(message: PanelToRegexWorker): void;
  terminate(): void;
}

export interface RegexCheckerDeps {
  createWorker(): WorkerLike;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(timer: unknown): void;
}

const browserDeps: RegexCheckerDeps = {
  createWorker: () => new Worker('regex-worker.js') as unknown as WorkerLike,
  setTimer: (callback, ms) => setTimeout(callback, ms),
  clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

export function createRegexChecker(deps: RegexCheckerDeps = browserDeps): RegexChecker {
  let worker: WorkerLike | undefined;
  let nextId = 0;
  let pending: { id: number; request: RegexCostRequest; timer: unknown; resolve: (problem: string | null) => void } | undefined;

  const stopWorker = () => {
    worker?.terminate();
    worker = undefined;
  };
  const finish = (problem: string | null) => {
    if (!pending) return;
    const { resolve, timer } = pending;
    pending = undefined;
    deps.clearTimer(timer);
    resolve(problem);
  };
  const start = (): WorkerLike => {
    const created = deps.createWorker();
    created.onmessage = ({ data }) => {
      if (!isRegexWorkerToPanel(data) || data.id !== pending?.id) return;
      finish(costProblem(data.cost, pending.request));
    };
    // A worker that cannot run (it failed to load) must not make regex filters unusable: the pattern then runs
    // unchecked, on texts cut to MAX_REGEX_TEXT as always.
    created.onerror = () => {
      stopWorker();
      finish(null);
    };
    return created;
  };

  /** A tiny request whose answer nobody waits for (id 0): the worker loads and compiles its code. */
  const WARM_UP: PanelToRegexWorker = { type: 'measureRegex', id: 0, request: { source: 'a', flags: 'i', sample: [['a']], records: 1, longest: ['a'] } };

  return {
    warm() {
      if (worker) return;
      try {
        worker = start();
        worker.postMessage(WARM_UP);
      } catch {
        // No worker: the check says so.
      }
    },
    check(request) {
      if (pending) {
        // The worker may be stuck in the superseded pattern: a new one starts clean.
        stopWorker();
        deps.clearTimer(pending.timer);
        pending = undefined;
      }
      return new Promise((resolve) => {
        const id = ++nextId;
        try {
          worker ??= start();
        } catch {
          resolve(null);
          return;
        }
        const timer = deps.setTimer(() => {
          stopWorker();
          finish(CHECK_TIMED_OUT);
        }, CHECK_TIMEOUT_MS);
        pending = { id, request, timer, resolve };
        worker.postMessage({ type: 'measureRegex', id, request });
      });
    },
  };
}
