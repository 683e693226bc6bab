import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyCounts, type ServerView } from '../../src/views.js';
import { manualFrames } from './fakes.js';
import { createViewUpdates, VIEWS_FALLBACK_MS, type WorkerViews } from './view-updates.js';

const server = (id: string, creates = 0): ServerView => ({
  id,
  spec: { serverURL: `ws://${id}.test/parse`, applicationId: 'app' },
  enabled: true,
  state: 'connected',
  attempt: 0,
  subscriptions: [{ id: 's', query: { className: 'Game', where: {} }, state: 'subscribed', counts: { ...emptyCounts(), create: creates } }],
});

function setup() {
  const frames = manualFrames();
  const timers: { ms: number; run: () => void }[] = [];
  const applied: WorkerViews[] = [];
  const updates = createViewUpdates({
    nextFrame: frames.nextFrame,
    after: (ms, run) => void timers.push({ ms, run }),
    apply: (views) => applied.push(views),
  });
  return { frames, timers, applied, updates };
}

describe('createViewUpdates', () => {
  it('applies the views of several batches once per frame, the newest of each', () => {
    const { frames, applied, updates } = setup();
    updates.receive({ servers: [server('a', 1)] });
    updates.receive({ pageSockets: [] });
    updates.receive({ servers: [server('a', 3)] });
    assert.equal(applied.length, 0, 'nothing before the frame');
    assert.equal(frames.pending, 1, 'one frame asked for');
    frames.flush();
    assert.equal(applied.length, 1);
    assert.equal(applied[0]!.servers![0]!.subscriptions[0]!.counts.create, 3);
    assert.deepEqual(applied[0]!.pageSockets, []);
    assert.equal(applied[0]!.formerServers, undefined, 'a view no batch carried stays as it is');
  });

  it('ignores batches without views, and applies after a while when no frame comes (a hidden panel)', () => {
    const { frames, timers, applied, updates } = setup();
    updates.receive({});
    assert.equal(frames.pending + timers.length, 0);
    updates.receive({ servers: [server('a')] });
    assert.equal(timers[0]!.ms, VIEWS_FALLBACK_MS);
    timers[0]!.run();
    assert.equal(applied.length, 1);
    frames.flush();
    assert.equal(applied.length, 1, 'the frame finds nothing left to apply');
  });

  it('applies what waits on flush, and forgets it on drop', () => {
    const { frames, applied, updates } = setup();
    updates.receive({ servers: [server('a')] });
    updates.flush();
    assert.equal(applied.length, 1);
    updates.receive({ servers: [server('b')] });
    updates.drop();
    frames.flush();
    assert.equal(applied.length, 1);
  });
});
