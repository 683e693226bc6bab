import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordDraft } from '../src/timeline/record.js';
import { MAX_RECORD_RAW_CHARS } from '../src/timeline/record-size.js';
import { BacklogBudget, Recorder } from './recorder.js';

const frame = (chars: number, n = 0): RecordDraft => ({
  time: n,
  source: { type: 'pageSocket', socketId: 's', frameId: 0 },
  kind: 'received',
  label: 'create',
  summary: `frame ${n}`,
  raw: 'x'.repeat(chars),
});

const sink = { recordAdded: () => undefined };

describe('Recorder', () => {
  it('cuts a frame to the record limit, copies it, and says how long it was', () => {
    const recorder = new Recorder('e', 1, sink);
    const record = recorder.record(frame(1_000_000));
    assert.equal(record.raw!.length, MAX_RECORD_RAW_CHARS);
    assert.equal(record.rawLength, 1_000_000);
    const small = recorder.record({ ...frame(10), rawLength: 5_000_000 });
    assert.equal(small.rawLength, 5_000_000, 'a frame already cut in the page keeps its original length');
  });

  it('keeps every tab under one character budget: the heaviest tab gives up its oldest records first', () => {
    const budget = new BacklogBudget(1_000_000);
    const quiet = new Recorder('e', 1, sink, budget);
    const flood = new Recorder('e', 2, sink, budget);
    for (let i = 0; i < 10; i++) quiet.record(frame(1_000, i));
    // 600 frames of 1 MB (each cut to 64 K): far over the budget.
    for (let i = 0; i < 600; i++) flood.record(frame(1_000_000, i));
    assert.ok(budget.usedChars <= 1_000_000, `used ${budget.usedChars}`);
    assert.equal(quiet.since().records.length, 10, 'the quiet tab keeps its history');
    const kept = flood.since();
    assert.ok(kept.records.length > 0 && kept.records.length < 20, `${kept.records.length} flood records kept`);
    assert.equal(kept.dropped + kept.records.length, 600, 'what was dropped is counted');
    assert.equal(kept.records.at(-1)!.summary, 'frame 599', 'the newest records stay');
  });

  it('a disposed tab leaves the budget', () => {
    const budget = new BacklogBudget(1_000_000);
    const gone = new Recorder('e', 1, sink, budget);
    for (let i = 0; i < 5; i++) gone.record(frame(50_000, i));
    assert.ok(budget.usedChars > 200_000);
    gone.dispose();
    assert.equal(budget.usedChars, 0);
  });

  it('clear(through) drops the records the panel cleared and keeps the newer ones', () => {
    const recorder = new Recorder('e', 1, sink);
    for (let i = 1; i <= 5; i++) recorder.record(frame(10, i));
    recorder.clear({ epoch: 'e', seq: 3 });
    assert.deepEqual(recorder.since().records.map((r) => r.seq), [4, 5]);
    recorder.clear({ epoch: 'older-worker', seq: 99 });
    assert.deepEqual(recorder.since().records.map((r) => r.seq), [4, 5], 'another epoch’s point covers none of these');
    recorder.clear();
    assert.equal(recorder.since().records.length, 0);
  });
});
