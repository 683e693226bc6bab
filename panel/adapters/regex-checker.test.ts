import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PanelToRegexWorker } from '../../src/messages.js';
import { CHECK_TIMED_OUT, CHECK_TIMEOUT_MS, type RegexCostRequest } from '../../src/timeline/regex-cost.js';
import { createRegexChecker, type WorkerLike } from './regex-checker.js';

class FakeWorker implements WorkerLike {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly received: PanelToRegexWorker[] = [];
  terminated = false;
  postMessage(message: PanelToRegexWorker): void {
    this.received.push(message);
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(data: unknown): void {
    this.onmessage?.({ data });
  }
}

function setup() {
  const workers: FakeWorker[] = [];
  const timers = new Map<number, { callback: () => void; ms: number }>();
  let nextTimer = 0;
  const checker = createRegexChecker({
    createWorker: () => {
      const worker = new FakeWorker();
      workers.push(worker);
      return worker;
    },
    setTimer: (callback, ms) => {
      timers.set(++nextTimer, { callback, ms });
      return nextTimer;
    },
    clearTimer: (timer) => timers.delete(timer as number),
  });
  const fireTimers = () => [...timers.values()].forEach(({ callback }) => callback());
  return { checker, workers, timers, fireTimers };
}

const request: RegexCostRequest = { source: 'a+', flags: 'i', sample: [['aaa']], records: 1, longest: [] };
const fast = { ok: true, sampleMs: 0.1, longestMs: 0, probeMs: 0.1, probe: 'aaa\u0000' };
const settled = async <T>(promise: Promise<T>): Promise<T | 'pending'> => Promise.race([promise, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 10))]);

describe('createRegexChecker', () => {
  it('sends the request to one worker and passes on its verdict', async () => {
    const { checker, workers, timers } = setup();
    const answer = checker.check(request);
    assert.equal(workers.length, 1);
    assert.deepEqual(workers[0]!.received, [{ type: 'measureRegex', id: 1, request }]);
    assert.equal([...timers.values()][0]!.ms, CHECK_TIMEOUT_MS);
    workers[0]!.reply({ type: 'regexCost', id: 1, cost: fast });
    assert.equal(await answer, null);
    assert.equal(timers.size, 0, 'the timeout is cancelled');
    const slow = checker.check({ ...request, records: 1_000_000 });
    workers[0]!.reply({ type: 'regexCost', id: 2, cost: { ...fast, sampleMs: 1 } });
    assert.match((await slow) ?? '', /takes too long on these records \(about 1,000,000 ms\)/);
    assert.equal(workers.length, 1, 'the worker is reused');
  });

  it('starts the worker ahead of a check when asked, and warms it with a request nobody waits for', async () => {
    const { checker, workers } = setup();
    checker.warm();
    checker.warm();
    assert.equal(workers.length, 1);
    assert.equal(workers[0]!.received[0]!.id, 0);
    workers[0]!.reply({ type: 'regexCost', id: 0, cost: fast });
    const answer = checker.check(request);
    assert.equal(workers.length, 1, 'the check uses the warm worker');
    workers[0]!.reply({ type: 'regexCost', id: 1, cost: fast });
    assert.equal(await answer, null);
  });

  it('terminates a worker stuck in a pattern and refuses it', async () => {
    const { checker, workers, fireTimers } = setup();
    const answer = checker.check(request);
    fireTimers();
    assert.equal(await answer, CHECK_TIMED_OUT);
    assert.equal(workers[0]!.terminated, true);
    const next = checker.check(request);
    assert.equal(workers.length, 2, 'the next check starts a new worker');
    workers[1]!.reply({ type: 'regexCost', id: 2, cost: fast });
    assert.equal(await next, null);
  });

  it('starts over for a newer pattern: the old worker goes, the old check never settles', async () => {
    const { checker, workers, timers } = setup();
    const old = checker.check({ ...request, source: '(a+)+$' });
    const newer = checker.check(request);
    assert.equal(workers[0]!.terminated, true);
    assert.equal(timers.size, 1);
    workers[1]!.reply({ type: 'regexCost', id: 2, cost: fast });
    assert.equal(await newer, null);
    assert.equal(await settled(old), 'pending');
  });

  it('ignores malformed or stale replies; a worker that fails to load lets patterns run unchecked', async () => {
    const { checker, workers } = setup();
    const answer = checker.check(request);
    workers[0]!.reply({ type: 'regexCost', id: 7, cost: fast });
    workers[0]!.reply({ type: 'regexCost', id: 1, cost: { ok: true } });
    workers[0]!.reply('nonsense');
    assert.equal(await settled(answer), 'pending');
    workers[0]!.onerror?.(new Error('failed to load'));
    assert.equal(await answer, null);
    assert.equal(workers[0]!.terminated, true);
  });
});
