import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KEEP_ALIVE_MS, KeepAlive } from './keep-alive.js';

function setup(ping: () => Promise<unknown> = () => Promise.resolve()) {
  const timers = new Map<number, { callback: () => void; ms: number }>();
  let nextTimer = 1;
  let pings = 0;
  const keepAlive = new KeepAlive({
    ping: () => {
      pings++;
      return ping();
    },
    setInterval: (callback, ms) => {
      timers.set(nextTimer, { callback, ms });
      return nextTimer++;
    },
    clearInterval: (timer) => void timers.delete(timer as number),
  });
  const tick = () => [...timers.values()].forEach((t) => t.callback());
  return { keepAlive, timers, tick, pings: () => pings };
}

describe('KeepAlive', () => {
  it('pings at once and then on an interval well under Firefox’s 30 s idle timeout, while on', () => {
    const { keepAlive, timers, tick, pings } = setup();
    assert.equal(pings(), 0, 'nothing while there is no work');
    keepAlive.set(true);
    assert.equal(pings(), 1);
    assert.equal(timers.size, 1);
    assert.ok([...timers.values()][0]!.ms <= 20_000 && KEEP_ALIVE_MS <= 20_000);
    tick();
    tick();
    assert.equal(pings(), 3);
    keepAlive.set(true);
    assert.equal(timers.size, 1, 'on again: still one timer');
    assert.equal(pings(), 3);
  });

  it('stops when the work is done, so that an idle background may sleep', () => {
    const { keepAlive, timers, pings } = setup();
    keepAlive.set(true);
    keepAlive.set(false);
    assert.equal(timers.size, 0);
    assert.equal(keepAlive.active, false);
    keepAlive.set(false);
    keepAlive.set(true);
    assert.equal(pings(), 2);
  });

  it('a failed ping is not an unhandled rejection and the next one still runs', async () => {
    const { keepAlive, tick, pings } = setup(() => Promise.reject(new Error('extension context invalidated')));
    keepAlive.set(true);
    tick();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(pings(), 2);
  });
});
