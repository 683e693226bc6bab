import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effect } from '@preact/signals';
import type { Recording } from '../../src/timeline/export.js';
import type { TimelineRecord } from '../../src/timeline/record.js';
import type { RegexCostRequest } from '../../src/timeline/regex-cost.js';
import type { RegexChecker } from '../adapters/regex-checker.js';
import { manualFrames, settle, workerRecords } from './fakes.js';
import { createPageStore } from './page.js';
import { createTimelineStore, PANEL_EPOCH, RENDER_SPACING, type TimelineRows } from './timeline.js';

/** A recording file holding `records`, as the panel opens it. */
function recordingOf(records: TimelineRecord[]): Recording {
  return {
    format: 'livequery-devtools-recording',
    version: 2,
    exportedAt: '2026-01-01T00:00:00.000Z',
    app: { name: 'LiveQuery DevTools', version: '0.1.0' },
    redacted: true,
    records,
  };
}

function setup(settings: Parameters<typeof createTimelineStore>[0]['settings'] = {}, preserveLog = false) {
  const frames = manualFrames();
  const page = createPageStore({ settings: { preserveLog }, worker: { setPreserveLog: () => undefined } });
  const backlogClears: unknown[] = [];
  const timeline = createTimelineStore({ settings, nextFrame: frames.nextFrame, page, clearBacklog: (through) => backlogClears.push(through) });
  return { timeline, frames, page, records: workerRecords(), backlogClears: () => backlogClears };
}

const summaries = (rows: TimelineRows) => Array.from({ length: rows.matchCount }, (_, i) => rows.at(i)!.summary);

describe('createTimelineStore', () => {
  it('shows a batch at the next frame, once for every batch of that frame', () => {
    const { timeline, frames, records } = setup();
    const before = timeline.rows.value;
    timeline.receive([records.rec({ kind: 'connection' }), records.rec({ kind: 'sent' })]);
    timeline.receive([records.rec({ kind: 'received' })]);
    assert.equal(timeline.rows.value, before, 'nothing new on screen before the frame');
    assert.equal(frames.pending, 1, 'one frame asked for two batches');
    frames.flush();
    assert.notEqual(timeline.rows.value, before);
    assert.equal(timeline.rows.value.size, 3);
    assert.deepEqual(summaries(timeline.rows.value), ['record 1', 'record 2', 'record 3']);
  });

  it('under a heavy stream spaces renders out by their cost; a light stream renders at the next frame', async () => {
    const frames = manualFrames();
    const page = createPageStore({ settings: {}, worker: { setPreserveLog: () => undefined } });
    let now = 0;
    const timers: number[] = [];
    const timeline = createTimelineStore({
      settings: {},
      nextFrame: frames.nextFrame,
      page,
      clearBacklog: () => undefined,
      clock: () => now,
      later: (callback, ms) => {
        timers.push(ms);
        now += ms;
        callback();
      },
    });
    const records = workerRecords();
    const burst = (count: number) => Array.from({ length: count }, () => records.rec({ kind: 'create' }));
    // What rendering the rows costs, as the components would spend it after each update.
    const stop = effect(() => {
      void timeline.rows.value.size;
      now += 30;
    });
    const render = async () => {
      frames.flush();
      await Promise.resolve();
    };
    // A light stream: 100 records in 300 ms.
    timeline.receive(burst(50));
    await render();
    now += 300;
    timeline.receive(burst(50));
    await render();
    timeline.receive(burst(1));
    assert.deepEqual(timers, [], 'light: no wait, however long the last render took');
    assert.equal(frames.pending, 1);
    await render();
    // A heavy stream: 3,000 records in 300 ms.
    now += 300;
    timeline.receive(burst(3000));
    await render();
    now += 300;
    timeline.receive(burst(1));
    assert.deepEqual(timers, [], 'the rate is known once a window of it has passed');
    await render();
    timeline.receive(burst(1));
    assert.deepEqual(timers, [30 * RENDER_SPACING], 'heavy: after a 30 ms render the next waits twice as long');
    assert.equal(frames.pending, 1, 'then renders before a paint');
    stop();
  });

  it('drops what arrives while recording is off, but keeps the panel’s own records', () => {
    const { timeline, frames, records } = setup();
    timeline.toggleRecording();
    assert.equal(timeline.recording.value, false);
    timeline.receive([records.rec({ kind: 'create' })]);
    timeline.addLocal({ time: 1, source: { type: 'server', serverId: 's' }, kind: 'error', label: 'invalid query', summary: 'not sent' });
    frames.flush();
    assert.deepEqual(summaries(timeline.rows.value), ['not sent']);
    assert.equal(timeline.rows.value.at(0)!.epoch, PANEL_EPOCH);
    assert.deepEqual(timeline.lastSeen(), { epoch: 'epoch-1', seq: 1 }, 'what was received, not the panel’s own record');
  });

  it('clear empties the list and the selection; the service worker drops what was cleared once it cannot be undone', () => {
    const { timeline, frames, records, backlogClears } = setup();
    const kept = records.rec({ kind: 'create' });
    timeline.receive([kept]);
    frames.flush();
    timeline.select(kept);
    timeline.clear();
    assert.equal(timeline.rows.value.size, 0, 'cleared at once, not at the next frame');
    assert.equal(timeline.selected.value, null);
    assert.deepEqual(backlogClears(), [], 'kept while Undo is offered: a panel opened meanwhile would lose it');
    timeline.forgetClear();
    assert.deepEqual(backlogClears(), [{ epoch: 'epoch-1', seq: 1 }], 'only the cleared records, not those after them');
    assert.deepEqual(timeline.lastSeen(), { epoch: 'epoch-1', seq: 1 }, 'a reconnect does not bring cleared records back');
    timeline.toggleRecording();
    timeline.receive([records.rec({ kind: 'update' })]);
    assert.deepEqual(timeline.lastSeen(), { epoch: 'epoch-1', seq: 2 }, 'nor records that arrived while recording was off');
  });

  it('an undone Clear leaves the service worker’s backlog whole', () => {
    const { timeline, frames, records, backlogClears } = setup();
    timeline.receive([records.rec({ kind: 'create' })]);
    frames.flush();
    timeline.clear();
    timeline.undoClear();
    timeline.forgetClear();
    assert.deepEqual(backlogClears(), []);
    timeline.clear();
    timeline.clear();
    assert.deepEqual(backlogClears(), [{ epoch: 'epoch-1', seq: 1 }, { epoch: 'epoch-1', seq: 1 }], 'a second Clear ends the first one’s offer');
  });

  it('undoes a Clear: the same records back, before those that came since, with the filter, counts and selection', () => {
    const { timeline, frames, records } = setup({ capacity: 3 });
    const all = [records.rec({ kind: 'create' }), records.rec({ kind: 'update' }), records.rec({ kind: 'create' }), records.rec({ kind: 'delete' })];
    timeline.receive(all);
    frames.flush();
    assert.equal(timeline.rows.value.dropped, 1);
    timeline.setFilter({ kinds: ['create', 'delete'] });
    timeline.select(all[2]!);
    timeline.clear();
    assert.deepEqual(timeline.undoableClear.value && timeline.undoableClear.value.count, 3, 'the offer counts what was cleared');
    const later = records.rec({ kind: 'create' });
    timeline.receive([later]);
    frames.flush();
    assert.deepEqual(summaries(timeline.rows.value), ['record 5']);

    timeline.undoClear();
    const rows = timeline.rows.value;
    assert.deepEqual(summaries(rows), ['record 3', 'record 4', 'record 5'], 'filtered, oldest dropped by the capacity of 3');
    assert.equal(rows.size, 3);
    assert.equal(rows.dropped, 2, 'the one dropped before the Clear and the one the restore pushed out');
    assert.equal(timeline.selected.value, all[2]);
    assert.equal(timeline.undoableClear.value, null, 'an undo is done once');
    timeline.undoClear();
    assert.equal(timeline.rows.value.size, 3, 'a second undo changes nothing');
  });

  it('withdraws the undo offer when its time is up (not a newer one), at a page load that clears, and offers none for nothing', () => {
    const { timeline, records } = setup();
    const offer = () => timeline.undoableClear.value;
    timeline.clear();
    assert.equal(offer(), null, 'nothing cleared, nothing to undo');
    timeline.receive([records.rec({ kind: 'create' })]);
    timeline.clear();
    const first = offer()!.id;
    timeline.receive([records.rec({ kind: 'create' })]);
    timeline.clear();
    timeline.forgetClear(first);
    assert.ok(offer(), 'the first offer’s timeout leaves the second one');
    timeline.forgetClear(offer()!.id);
    assert.equal(offer(), null);

    timeline.receive([records.rec({ kind: 'create' })]);
    timeline.clear();
    timeline.receive([records.pageLoad(2)]);
    assert.equal(offer(), null, 'a page load cleared since: undo would mix page loads');
  });

  it('clears at a new page load unless preserve log is on', () => {
    const { timeline, frames, records, page } = setup();
    const before = records.rec({ kind: 'create' });
    const load = records.pageLoad(2);
    timeline.receive([before, load, records.rec({ kind: 'update' })]);
    frames.flush();
    assert.deepEqual(summaries(timeline.rows.value), ['record 2', 'record 3'], 'the page load and what follows it');
    assert.equal(page.generation.value, 2);

    timeline.receive([load]);
    frames.flush();
    assert.equal(timeline.rows.value.size, 2, 'the same page load again (a replay) clears nothing');

    page.setPreserveLog(true);
    timeline.receive([records.pageLoad(3), records.rec({ kind: 'create' })]);
    frames.flush();
    assert.equal(timeline.rows.value.size, 4);
    assert.equal(page.generation.value, 3);
  });

  it('filters: text, kinds, a scope, and its error only when the filter changes', () => {
    const { timeline, frames, records } = setup();
    timeline.receive([
      records.rec({ kind: 'create', subscriptionKey: 'a', className: 'Game' }),
      records.rec({ kind: 'update', subscriptionKey: 'b', className: 'Note' }),
      records.rec({ kind: 'sent', subscriptionKey: 'a', className: 'Game' }),
    ]);
    frames.flush();
    const errors: (string | null)[] = [];
    const stop = effect(() => {
      errors.push(timeline.filterError.value);
    });
    timeline.toggleKind('create');
    timeline.toggleKind('update');
    assert.deepEqual(summaries(timeline.rows.value), ['record 1', 'record 2']);
    timeline.toggleKind('create');
    assert.deepEqual(summaries(timeline.rows.value), ['record 2']);
    timeline.setFilter({ kinds: [] });
    timeline.scope({ subscriptionKey: 'a' });
    assert.deepEqual(summaries(timeline.rows.value), ['record 1', 'record 3']);
    timeline.scope({ className: 'Note' });
    assert.equal(timeline.rows.value.matchCount, 0);
    timeline.showAll();
    assert.equal(timeline.rows.value.matchCount, 3);
    assert.deepEqual(errors, [null], 'valid filters: no new error');
    timeline.setFilter({ kinds: [], text: '(', regex: true });
    assert.match(timeline.filterError.value ?? '', /Invalid regular expression/);
    timeline.receive([records.rec({ kind: 'create' })]);
    frames.flush();
    assert.equal(errors.length, 2, 'a batch does not announce the same error again');
    stop();
  });

  it('keeps at most `capacity` records and counts the dropped ones', () => {
    const { timeline, frames, records } = setup({ capacity: 1000 });
    timeline.receive(Array.from({ length: 1003 }, () => records.rec({ kind: 'create' })));
    frames.flush();
    assert.equal(timeline.rows.value.size, 1000);
    assert.equal(timeline.rows.value.dropped, 3);
    timeline.setCapacity(500);
    assert.equal(timeline.capacity.value, 500);
    assert.equal(timeline.rows.value.size, 500);
    assert.equal(timeline.rows.value.at(0)!.summary, 'record 504');
  });

  it('shows an opened recording instead of the live timeline, which goes on recording', () => {
    const { timeline, frames, records } = setup();
    timeline.receive([records.rec({ kind: 'create' })]);
    frames.flush();
    const opened: TimelineRecord[] = [{ ...records.rec({ kind: 'update' }), epoch: 'file', summary: 'from the file' }];
    const recording = recordingOf(opened);
    timeline.openRecording('a.lqrec.json', recording);
    assert.deepEqual(summaries(timeline.rows.value), ['from the file']);
    assert.deepEqual(timeline.records('all').map((r) => r.summary), ['from the file']);
    timeline.receive([records.rec({ kind: 'delete' })]);
    timeline.clear();
    frames.flush();
    assert.deepEqual(summaries(timeline.rows.value), ['from the file'], 'Clear does not touch an opened recording');
    timeline.closeRecording();
    assert.equal(timeline.imported.value, null);
    assert.deepEqual(summaries(timeline.rows.value), ['record 1', 'record 3']);
  });

  it('notes the class names of recorded records', () => {
    const { timeline, records } = setup();
    timeline.receive([records.rec({ kind: 'create', className: 'Game' }), records.rec({ kind: 'create', className: 'Game' })]);
    const first = timeline.seenClasses.value;
    timeline.receive([records.rec({ kind: 'create', className: 'Game' })]);
    assert.equal(timeline.seenClasses.value, first, 'no new set for a known class');
    timeline.receive([records.rec({ kind: 'update', className: 'Note' })]);
    assert.deepEqual([...timeline.seenClasses.value], ['Game', 'Note']);
  });

  it('starts with the saved filter and capacity', () => {
    const { timeline } = setup({ capacity: 50_000, filter: { kinds: ['error'] } });
    assert.equal(timeline.capacity.value, 50_000);
    assert.deepEqual(timeline.filter.value, { kinds: ['error'] });
  });

  describe('with a regex checker', () => {
    /** A checker whose answers the test gives, in the order the checks were asked. */
    function manualChecker() {
      const asked: { request: RegexCostRequest; answer: (problem: string | null) => void }[] = [];
      const warmed: number[] = [];
      const checker: RegexChecker = {
        warm: () => warmed.push(asked.length),
        check: (request) => new Promise((answer) => asked.push({ request, answer })),
      };
      return { checker, asked, warmed };
    }
    function setupChecked(settings: Parameters<typeof createTimelineStore>[0]['settings'] = {}) {
      const frames = manualFrames();
      const page = createPageStore({ settings: {}, worker: { setPreserveLog: () => undefined } });
      const { checker, asked, warmed } = manualChecker();
      const timeline = createTimelineStore({ settings, nextFrame: frames.nextFrame, page, clearBacklog: () => undefined, regexChecker: checker });
      return { timeline, frames, asked, warmed, records: workerRecords() };
    }

    it('applies a regex only once the checker has measured it on the records; meanwhile the list keeps the previous filter', async () => {
      const { timeline, frames, asked, warmed, records } = setupChecked();
      timeline.receive([records.rec({ kind: 'create', raw: '{"n":"aaaa"}' }), records.rec({ kind: 'create', raw: '{"n":"b"}' })]);
      frames.flush();
      timeline.setFilter({ kinds: [], regex: true });
      assert.deepEqual([warmed, asked.length], [[0], 0], 'ticking the regex box starts the checker, with nothing to check yet');
      timeline.setFilter({ kinds: [], text: 'a{4}', regex: true });
      assert.equal(asked.length, 1);
      assert.equal(asked[0]!.request.source, 'a{4}');
      assert.equal(asked[0]!.request.records, 2);
      assert.equal(timeline.checking.value, true);
      assert.equal(timeline.rows.value.matchCount, 2, 'not applied yet');
      asked[0]!.answer(null);
      await settle();
      assert.equal(timeline.checking.value, false);
      assert.deepEqual(summaries(timeline.rows.value), ['record 1']);
      assert.equal(timeline.filterError.value, null);
    });

    it('refuses a regex the checker finds too slow: nothing matches and the filter says why', async () => {
      const { timeline, frames, asked, records } = setupChecked();
      timeline.receive([records.rec({ kind: 'create', raw: `{"n":"${'a'.repeat(100)}"}` })]);
      frames.flush();
      timeline.setFilter({ kinds: [], text: '(a+)+$', regex: true });
      asked[0]!.answer('This expression takes too long on these records (stopped after 1 s)');
      await settle();
      assert.equal(timeline.rows.value.matchCount, 0);
      assert.match(timeline.filterError.value ?? '', /takes too long on these records/);
      timeline.setFilter({ kinds: [], text: 'a', regex: false });
      assert.equal(asked.length, 1, 'free text needs no check');
      assert.equal(timeline.filterError.value, null);
      assert.equal(timeline.rows.value.matchCount, 1);
    });

    it('keeps only the newest filter: a late answer for an older pattern is dropped', async () => {
      const { timeline, asked, records } = setupChecked();
      timeline.receive([records.rec({ kind: 'create', raw: 'x' })]);
      timeline.setFilter({ kinds: [], text: 'x+', regex: true });
      timeline.setFilter({ kinds: [], text: 'y+', regex: true });
      asked[1]!.answer(null);
      asked[0]!.answer('too slow');
      await settle();
      assert.deepEqual(timeline.filter.value, { kinds: [], text: 'y+', regex: true });
      assert.equal(timeline.filterError.value, null);
      assert.equal(timeline.rows.value.matchCount, 0);
      assert.equal(asked[1]!.request.sample, asked[0]!.request.sample, 'the same records: the same sample, not taken again');
      timeline.receive([records.rec({ kind: 'create', raw: 'y' })]);
      timeline.setFilter({ kinds: [], text: 'y', regex: true });
      assert.notEqual(asked[2]!.request.sample, asked[0]!.request.sample);
      assert.equal(asked[2]!.request.records, 2);
      timeline.setFilter({ kinds: [], text: '(', regex: true });
      assert.equal(asked.length, 3, 'an invalid pattern is refused at once, unchecked');
      assert.match(timeline.filterError.value ?? '', /Invalid regular expression/);
    });

    it('checks a saved regex filter, and the filter of an opened recording, before running them', async () => {
      const { timeline, frames, asked, records } = setupChecked({ filter: { kinds: ['create'], text: 'z+', regex: true } });
      assert.equal(asked.length, 1, 'the saved filter is checked');
      assert.equal(asked[0]!.request.records, 0);
      timeline.receive([records.rec({ kind: 'create', raw: 'b' }), records.rec({ kind: 'sent', raw: 'a' })]);
      frames.flush();
      assert.deepEqual(summaries(timeline.rows.value), ['record 1'], 'until then, the filter without its text');
      asked[0]!.answer(null);
      await settle();
      assert.equal(timeline.rows.value.matchCount, 0);
      const recording = recordingOf([{ ...records.rec({ kind: 'create', raw: 'aaa' }), epoch: 'file' }]);
      timeline.openRecording('a.lqrec.json', recording);
      assert.equal(asked.length, 2);
      assert.equal(asked[1]!.request.records, 1);
      asked[1]!.answer('too slow');
      await settle();
      assert.equal(timeline.filterError.value, 'too slow');
    });
  });
});
