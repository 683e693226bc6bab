import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signal } from '@preact/signals';
import type { InjectedEvent } from '../../src/inject/event-frame.js';
import { exportRecording, importRecording } from '../../src/timeline/export.js';
import type { TimelineRecord } from '../../src/timeline/record.js';
import { emptyCounts, type PageSocketView } from '../../src/views.js';
import { settle } from './fakes.js';
import { createReplayStore, type ReplayDeps, type ReplayTarget } from './replay.js';
import * as plans from './replay-targets.js';

const T = 1_800_000_000_000;
const KEY = 'pageSocket:old/1';

function recording(gapsMs: number[]): string {
  let seq = 0;
  let time = T;
  const base = { epoch: 'e', source: { type: 'pageSocket' as const, socketId: 'old', frameId: 0 }, summary: '', subscriptionKey: KEY, requestId: 1 };
  const records: TimelineRecord[] = [
    { ...base, seq: ++seq, time, kind: 'sent', label: 'subscribe', raw: '{"op":"subscribe","requestId":1,"query":{"className":"Message","where":{"room":"lobby"}}}' },
  ];
  for (const [i, gap] of [0, ...gapsMs].entries()) {
    time += gap;
    const raw = JSON.stringify({ op: 'create', clientId: 'c', requestId: 1, object: { className: 'Message', objectId: `m${i}`, room: 'lobby' } });
    records.push({ ...base, seq: ++seq, time, kind: 'create', label: 'create', raw });
  }
  return exportRecording(records, { exportedAt: T, appVersion: 'test', redact: false });
}

function pageSocket(where: Record<string, unknown> = { room: 'lobby' }): PageSocketView {
  return {
    id: 'now',
    frameId: 0,
    frameUrl: 'https://app.test/',
    generation: 1,
    url: 'wss://app.test/parse',
    state: 'open',
    subscriptions: [
      { requestId: 5, query: { className: 'Note', where: {} }, state: 'subscribed', counts: emptyCounts() },
      { requestId: 9, query: { className: 'Message', where }, state: 'subscribed', counts: emptyCounts() },
    ],
  };
}

/** Timers by hand: the test runs the next one and sees its delay. */
function setup(importPlans: ReplayDeps['importPlans'] = async () => plans) {
  const timers: { run: () => void; ms: number; id: number }[] = [];
  let ids = 0;
  const delivered: { target: ReplayTarget; event: InjectedEvent }[] = [];
  const failures: string[] = [];
  const sockets = signal<PageSocketView[]>([pageSocket()]);
  const generation = signal(1);
  const store = createReplayStore({
    deliver: async (target, event) => {
      const failure = failures.shift();
      if (failure) throw new Error(failure);
      delivered.push({ target, event });
    },
    sockets,
    generation,
    setTimer: (run, ms) => {
      timers.push({ run, ms, id: ++ids });
      return ids;
    },
    clearTimer: (id) => {
      const index = timers.findIndex((t) => t.id === id);
      if (index >= 0) timers.splice(index, 1);
    },
    importPlans,
  });
  const next = async (): Promise<number> => {
    const timer = timers.shift()!;
    timer.run();
    await settle();
    return timer.ms;
  };
  return { store, timers, delivered, failures, sockets, generation, next };
}

describe('replay store', () => {
  it('plays into the matching page subscription (requestId remapped) at the recorded pace, or faster', async () => {
    const { store, delivered, next } = setup();
    assert.equal(await store.load('rec.json', recording([1000, 3000])), true);
    assert.deepEqual([...store.targets.value], [[KEY, { socketId: 'now', requestId: 9 }]]);
    store.play();
    await settle();
    assert.deepEqual(delivered.map((d) => [d.target.requestId, d.event.object.objectId]), [[9, 'm0']]);
    assert.equal(await next(), 1000);
    store.setSpeed(10);
    assert.equal(await next(), 300, 'the pending wait of 3000 ms becomes 300 ms at 10×');
    assert.equal(store.state.value, 'done');
    assert.equal(store.position.value, 3);
  });

  it('steps one event at a time, scrubs, pauses and stops', async () => {
    const { store, delivered, timers, next } = setup();
    await store.load('rec.json', recording([1000, 1000, 1000]));
    await store.step();
    await store.step();
    assert.deepEqual([store.state.value, store.position.value, delivered.length], ['paused', 2, 2]);
    store.seek(0);
    store.setSpeed('max');
    store.play();
    await settle();
    assert.equal(await next(), 0);
    store.pause();
    assert.deepEqual([store.state.value, timers.length], ['paused', 0]);
    store.stop();
    assert.deepEqual([store.state.value, store.position.value], ['ready', 0]);
  });

  it('skips events without a matching page subscription, and stops with the reason when the page navigates or a delivery fails', async () => {
    const other = setup();
    other.sockets.value = [pageSocket({ room: 'other' })];
    await other.store.load('rec.json', recording([10]));
    assert.equal(other.store.targets.value.size, 0);
    await other.store.step();
    assert.deepEqual([other.store.skipped.value, other.delivered.length], [1, 0]);

    const { store, generation, failures, next } = setup();
    await store.load('rec.json', recording([10, 10, 10]));
    store.play();
    await settle();
    generation.value = 2;
    assert.equal(store.state.value, 'stopped');
    assert.match(store.stopReason.value!, /^the page navigated: stopped at event 2 of 4/);

    store.stop();
    store.play();
    await settle();
    failures.push('the page socket is closed: nothing was injected');
    await next();
    assert.equal(store.state.value, 'stopped');
    assert.equal(store.stopReason.value, 'stopped at event 2 of 4: the page socket is closed: nothing was injected');
  });

  it('loads a recording the panel opened (the Recording object, as the import read it)', async () => {
    const { store } = setup();
    const opened = importRecording(recording([10, 10]));
    assert.ok(opened.ok);
    assert.equal(await store.loadRecording('opened.json', opened.recording), true);
    assert.deepEqual([store.name.value, store.plan.value?.steps.length, store.targets.value.size], ['opened.json', 3, 1]);
  });

  it('refuses a file that is not a recording and keeps the last one', async () => {
    const { store } = setup();
    await store.load('rec.json', recording([]));
    assert.equal(await store.load('notes.txt', 'hello'), false);
    assert.equal(store.loadError.value, 'notes.txt: the file is not valid JSON');
    assert.equal(store.name.value, 'rec.json');
  });

  it('waits for the replay reader’s chunk, and says clearly when it cannot be loaded (the last recording stays)', async () => {
    let fail = false;
    const { store } = setup(() => (fail ? Promise.reject(new TypeError('Failed to fetch dynamically imported module')) : Promise.resolve(plans)));
    assert.equal(await store.load('rec.json', recording([10])), true);
    const fresh = setup(() => Promise.reject(new TypeError('Failed to fetch dynamically imported module')));
    assert.equal(await fresh.store.load('notes.json', recording([10])), false);
    assert.equal(
      fresh.store.loadError.value,
      'notes.json: Could not load the replay reader: Failed to fetch dynamically imported module. If the extension was updated or reloaded, close and reopen DevTools.',
    );
    assert.deepEqual([fresh.store.plan.value, fresh.store.state.value, fresh.store.targets.value.size], [null, 'empty', 0]);
    fail = true;
    assert.equal(await store.load('other.json', recording([10, 10])), true, 'once loaded, the reader stays');
  });
});
