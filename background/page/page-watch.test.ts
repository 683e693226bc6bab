import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackgroundToRelay } from '../../src/messages.js';
import { PageWatch } from './page-watch.js';

function setup(preserved: number[] = []) {
  const told: [number, BackgroundToRelay][] = [];
  const flags: boolean[] = [];
  const saved: number[][] = [];
  const watch = new PageWatch(
    {
      tellTab: (tabId, message) => told.push([tabId, message]),
      setAnyWatched: (any) => flags.push(any),
      savePreserved: (tabIds) => saved.push(tabIds),
    },
    preserved,
  );
  return { watch, told, flags, saved };
}

describe('PageWatch', () => {
  it('watches a tab while a panel is open for it, and tells its pages when that changes', () => {
    const { watch, told, flags } = setup();
    assert.deepEqual(flags, [false]);
    watch.panelAttached(7, false);
    assert.equal(watch.isWatched(7), true);
    assert.equal(watch.isWatched(8), false);
    watch.panelAttached(7, false);
    watch.panelDetached(7);
    assert.equal(watch.isWatched(7), true, 'a second panel of the tab is still open');
    watch.panelDetached(7);
    assert.equal(watch.isWatched(7), false);
    assert.deepEqual(told, [
      [7, { type: 'watch', on: true }],
      [7, { type: 'watch', on: true }],
      [7, { type: 'watch', on: false }],
    ]);
    assert.deepEqual(flags, [false, true, false]);
  });

  it('keeps a tab watched after its panel closes while Preserve log is on, until it is turned off', () => {
    const { watch, told, saved } = setup();
    watch.panelAttached(3, true);
    watch.panelDetached(3);
    assert.equal(watch.isWatched(3), true);
    assert.deepEqual(saved, [[3]]);
    watch.setPreserveLog(3, false);
    assert.equal(watch.isWatched(3), false);
    assert.deepEqual(told.at(-1), [3, { type: 'watch', on: false }]);
    assert.deepEqual(saved, [[3], []]);
  });

  it('restores preserved tabs after a worker restart, and forgets a closed tab', () => {
    const { watch, flags, told } = setup([4]);
    assert.equal(watch.isWatched(4), true);
    assert.deepEqual(flags, [true]);
    assert.deepEqual(told, [[4, { type: 'watch', on: true }]], 'its relays, whose ports closed with the old worker, are asked again');
    watch.tabRemoved(4);
    assert.equal(watch.isWatched(4), false);
    assert.deepEqual(flags, [true, false]);
  });
});
