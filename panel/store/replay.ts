// Replay: a recording's events played back into the page's matching subscriptions (class and where; requestIds
// remapped to the page's), at the recorded pace, faster, or step by step, through the same path as Inject.

import { computed, effect, signal, type ReadonlySignal } from '@preact/signals';
import type { InjectedEvent } from '../../src/inject/event-frame.js';
import type { ReplayPlan } from '../../src/inject/replay-plan.js';
import type { Recording } from '../../src/timeline/export.js';
import type { PageSocketView } from '../../src/views.js';
import { lazyModule } from '../lazy-module.js';

/** Times the recorded pace, or every event as soon as the previous one was delivered. */
export type ReplaySpeed = 1 | 2 | 10 | 'max';
export const REPLAY_SPEEDS: readonly ReplaySpeed[] = [1, 2, 10, 'max'];

export type ReplayState = 'empty' | 'ready' | 'playing' | 'paused' | 'done' | 'stopped';

/** A page subscription a recorded one plays into. */
export interface ReplayTarget {
  socketId: string;
  requestId: number;
}

export interface ReplayDeps {
  /** Injects one event (see the inject store); rejects with the reason it was not delivered. */
  deliver(target: ReplayTarget, event: InjectedEvent): Promise<void>;
  sockets: ReadonlySignal<PageSocketView[]>;
  /** The page load the panel shows: a new one stops a replay. */
  generation: ReadonlySignal<number>;
  setTimer(run: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Where reading a recording and matching its subscriptions come from (tests give a failing one); by default their own chunk. */
  importPlans?: () => Promise<ReplayPlans>;
}

type ReplayPlans = typeof import('./replay-targets.js');

export function createReplayStore({ importPlans = () => import('./replay-targets.js'), ...deps }: ReplayDeps) {
  // Reading a recording's plan and matching it to the page are a chunk of their own: only a loaded recording needs them.
  const plans = lazyModule('the replay reader', importPlans);

  const name = signal('');
  const plan = signal<ReplayPlan | null>(null);
  const loadError = signal<string | null>(null);
  const state = signal<ReplayState>('empty');
  /** The next step to play (0 … steps.length). */
  const position = signal(0);
  const speed = signal<ReplaySpeed>(1);
  /** Why the replay stopped, when it did not finish. */
  const stopReason = signal<string | null>(null);
  /** Steps whose recorded subscription has no match in the page (not played). */
  const skipped = signal(0);
  const delivered = signal(0);
  /** Empty until a plan is loaded (which loads the matching too). */
  const targets = computed(() => {
    const recorded = plan.value?.subscriptions;
    const loaded = recorded?.length ? plans.get() : undefined;
    return loaded ? loaded.matchTargets(recorded!, deps.sockets.value) : new Map<string, ReplayTarget>();
  });

  let timer: unknown;
  /** Each play run; a pause, stop or seek starts another, and the old one's pending step does nothing. */
  let run = 0;
  let startedAt = 0;

  const cancelTimer = (): void => {
    if (timer !== undefined) deps.clearTimer(timer);
    timer = undefined;
  };

  const halt = (next: ReplayState, reason?: string): void => {
    run++;
    cancelTimer();
    state.value = next;
    stopReason.value = reason ?? null;
  };

  /** Plays step `index`; false when the replay had to stop. */
  async function playStep(index: number, thisRun: number): Promise<boolean> {
    const steps = plan.peek()?.steps ?? [];
    const step = steps[index]!;
    const target = targets.peek().get(step.subscription);
    if (!target) {
      skipped.value++;
      return true;
    }
    try {
      await deps.deliver(target, step.event);
      delivered.value++;
      return true;
    } catch (error) {
      if (thisRun === run) halt('stopped', `stopped at event ${index + 1} of ${steps.length}: ${(error as Error).message}`);
      return false;
    }
  }

  async function advance(thisRun: number): Promise<void> {
    timer = undefined;
    const steps = plan.peek()?.steps ?? [];
    const index = position.peek();
    if (thisRun !== run) return;
    if (index >= steps.length) return halt('done');
    if (!(await playStep(index, thisRun)) || thisRun !== run) return;
    position.value = index + 1;
    if (index + 1 >= steps.length) return halt('done');
    scheduleNext(thisRun);
  }

  /** Waits, at the current speed, the recorded time between the last event played and the next. */
  function scheduleNext(thisRun: number): void {
    const steps = plan.peek()?.steps ?? [];
    const index = position.peek();
    const pace = speed.peek();
    const gap = index > 0 && steps[index] ? steps[index]!.time - steps[index - 1]!.time : 0;
    const wait = pace === 'max' ? 0 : Math.max(0, gap) / pace;
    timer = deps.setTimer(() => void advance(thisRun), wait);
  }

  // A new page load ends a replay: its subscriptions are gone, and what is left would go nowhere.
  effect(() => {
    const generation = deps.generation.value;
    if ((state.peek() === 'playing' || state.peek() === 'paused') && generation !== startedAt) {
      halt('stopped', `the page navigated: stopped at event ${position.peek() + 1} of ${plan.peek()?.steps.length ?? 0}`);
    }
  });

  const begin = (): number => {
    run++;
    cancelTimer();
    if (state.peek() !== 'paused' && state.peek() !== 'playing') startedAt = deps.generation.peek();
    stopReason.value = null;
    return run;
  };

  /**
   * Reads a recording file for playback; a file that is not a recording (or a reader that cannot be loaded) says why
   * and leaves the last one.
   */
  async function load(fileName: string, text: string): Promise<boolean> {
    let loaded: ReplayPlans;
    try {
      loaded = await plans.load();
    } catch (error) {
      loadError.value = `${fileName}: ${(error as Error).message}`;
      return false;
    }
    const read = loaded.readReplayPlan(text);
    if (!read.ok) {
      loadError.value = `${fileName}: ${read.error}`;
      return false;
    }
    halt(read.value.steps.length ? 'ready' : 'empty');
    loadError.value = read.value.steps.length ? null : `${fileName}: the recording has no event to play`;
    name.value = fileName;
    plan.value = read.value;
    position.value = 0;
    skipped.value = 0;
    delivered.value = 0;
    return read.value.steps.length > 0;
  }

  return {
    name,
    plan,
    loadError,
    state,
    position,
    speed,
    stopReason,
    skipped,
    delivered,
    targets,
    load,
    /** Loads a recording the panel has opened (Export / Import → Open recording…). */
    loadRecording(fileName: string, recording: Recording): Promise<boolean> {
      return load(fileName, JSON.stringify(recording));
    },
    play(): void {
      if (!plan.peek()?.steps.length) return;
      if (position.peek() >= plan.peek()!.steps.length) position.value = 0;
      const thisRun = begin();
      state.value = 'playing';
      void advance(thisRun);
    },
    pause(): void {
      if (state.peek() === 'playing') halt('paused');
    },
    /** Stops and goes back to the start. */
    stop(): void {
      if (!plan.peek()) return;
      halt('ready');
      position.value = 0;
    },
    /** Plays the next event only, then waits. */
    async step(): Promise<void> {
      const steps = plan.peek()?.steps ?? [];
      const index = position.peek();
      if (index >= steps.length) return;
      const thisRun = begin();
      state.value = 'paused';
      if (!(await playStep(index, thisRun)) || thisRun !== run) return;
      position.value = index + 1;
      if (index + 1 >= steps.length) halt('done');
    },
    /** Moves to event `index` (the scrubber); a playing replay goes on from there. */
    seek(index: number): void {
      const steps = plan.peek()?.steps ?? [];
      const next = Math.max(0, Math.min(steps.length, Math.round(index)));
      const playing = state.peek() === 'playing';
      run++;
      cancelTimer();
      position.value = next;
      if (playing) {
        const thisRun = run;
        void advance(thisRun);
      } else if (state.peek() === 'done' && next < steps.length) state.value = 'paused';
    },
    /** A playing replay waits for its next event at the new speed. */
    setSpeed(next: ReplaySpeed): void {
      speed.value = next;
      if (state.peek() !== 'playing' || timer === undefined) return;
      cancelTimer();
      scheduleNext(run);
    },
    unload(): void {
      halt('empty');
      plan.value = null;
      name.value = '';
      position.value = 0;
    },
  };
}

export type ReplayStore = ReturnType<typeof createReplayStore>;
