import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFilter, EMPTY_FILTER, filterTexts, MAX_REGEX_TEXT, narrows, type TimelineFilter } from './filter.js';
import type { RecordKind, TimelineRecord } from './record.js';
import { RingBuffer } from './ring-buffer.js';
import { REORDER_WINDOW, TimelineStore } from './store.js';

let seq = 0;
function record(kind: RecordKind, extra: Partial<TimelineRecord> = {}): TimelineRecord {
  seq++;
  return {
    seq,
    epoch: 'e1',
    time: 1_700_000_000_000 + seq,
    source: { type: 'server', serverId: 's1' },
    kind,
    label: kind,
    summary: `record ${seq}`,
    ...extra,
  };
}

describe('RingBuffer', () => {
  it('keeps the newest items and counts the dropped ones', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    assert.deepEqual(ring.toArray(), [3, 4, 5]);
    assert.equal(ring.dropped, 2);
    assert.equal(ring.at(0), 3);
    assert.equal(ring.at(3), undefined);
    ring.resize(2);
    assert.deepEqual(ring.toArray(), [4, 5]);
    assert.equal(ring.dropped, 3);
    ring.clear();
    assert.equal(ring.size, 0);
    assert.throws(() => new RingBuffer(0), RangeError);
  });

  it('bounded by weight too: heavy items push out the oldest, the newest always stays', () => {
    const ring = new RingBuffer<string>(100, { weigh: (s) => s.length, max: 10 });
    for (const item of ['aaaa', 'bbbb', 'cc']) ring.push(item);
    assert.equal(ring.weight, 10);
    ring.push('dd');
    assert.deepEqual(ring.toArray(), ['bbbb', 'cc', 'dd']);
    assert.equal(ring.dropped, 1);
    ring.push('x'.repeat(50));
    assert.deepEqual(ring.toArray(), ['x'.repeat(50)], 'an item heavier than the budget is kept alone');
    assert.equal(ring.weight, 50);
    ring.trimTo(0);
    assert.equal(ring.size, 0);
    assert.equal(ring.weight, 0);
  });
});

describe('TimelineStore budget', () => {
  it('keeps records up to a character budget and counts the rest as dropped', () => {
    const store = new TimelineStore(1000, 10_000);
    const big = (seq: number) => record('received', { seq, raw: 'x'.repeat(3_000) });
    store.append([1, 2, 3, 4, 5].map(big));
    assert.equal(store.size, 3);
    assert.equal(store.dropped, 2);
    assert.deepEqual(store.all().map((r) => r.seq), [3, 4, 5]);
    assert.equal(store.matchCount, 3);
  });
});

describe('compileFilter', () => {
  const create = record('create', { className: 'Game', objectId: 'abc', raw: '{"op":"create","object":{"name":"Zelda"}}' });
  const sent = record('sent', { className: 'Note', raw: '{"op":"subscribe"}' });
  const page = record('update', { source: { type: 'pageSocket', socketId: 'x-1', frameId: 0 }, subscriptionKey: 'pageSocket:x-1/1' });

  it('filters by kind, source, subscription and class', () => {
    const test = (f: Parameters<typeof compileFilter>[0]) => {
      const c = compileFilter(f);
      assert.ok(c.ok);
      return [create, sent, page].filter(c.test).map((r) => r.kind);
    };
    assert.deepEqual(test({ kinds: [] }), ['create', 'sent', 'update']);
    assert.deepEqual(test({ kinds: ['create', 'update'] }), ['create', 'update']);
    assert.deepEqual(test({ kinds: [], source: 'pageSocket:x-1' }), ['update']);
    assert.deepEqual(test({ kinds: [], source: 'server:s1' }), ['create', 'sent']);
    assert.deepEqual(test({ kinds: [], subscriptionKey: 'pageSocket:x-1/1' }), ['update']);
    assert.deepEqual(test({ kinds: [], className: 'Note' }), ['sent']);
  });

  it('matches free text case-insensitively and regular expressions over the JSON', () => {
    const text = compileFilter({ kinds: [], text: 'zelda' });
    assert.ok(text.ok && text.test(create) && !text.test(sent));
    // A field exactly as long as the text still matches (short fields are skipped only when shorter).
    const whole = compileFilter({ kinds: [], text: 'gAmE' });
    assert.ok(whole.ok && whole.test(record('create', { className: 'Game', summary: '', label: '' })));
    assert.ok(whole.ok && !whole.test(record('create', { className: 'Gam', summary: 'e', label: '' })));
  });

  it('free text: the same answer as testing each field on its own, lower-cased (random ASCII records and texts)', () => {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
    const word = (max: number) => Array.from({ length: random(max) }, () => 'aAbB-1'[random(6)]).join('');
    const fields = ['label', 'summary', 'className', 'objectId', 'raw'] as const;
    for (let i = 0; i < 3_000; i++) {
      const objectId = random(3) ? word(6) : undefined;
      const summary = random(2) && objectId ? `${word(3)}${objectId}${word(3)}` : word(8);
      const r = record('create', { label: word(4), summary, className: random(2) ? word(4) : undefined, objectId, raw: random(2) ? word(12) : undefined });
      const text = word(5).trim() || 'a';
      const compiled = compileFilter({ kinds: [], text });
      const expected = fields.some((field) => r[field]?.toLowerCase().includes(text.toLowerCase()));
      assert.equal(compiled.ok && compiled.test(r), expected, `${JSON.stringify(text)} in ${JSON.stringify(fields.map((f) => r[f]))}`);
    }
    const regex = compileFilter({ kinds: [], text: '"op":"(create|subscribe)"', regex: true });
    assert.ok(regex.ok && regex.test(create) && regex.test(sent) && !regex.test(page));
  });

  it('matches free text in a marker’s details', () => {
    const gap = record('gap', { label: 'possible gap', marker: { type: 'gap', from: 1, to: 2, reason: 'connectionClosed' } });
    const text = compileFilter({ kinds: [], text: 'connectionclosed' });
    assert.ok(text.ok && text.test(gap) && !text.test(create));
  });

  it('matches a regular expression on the first MAX_REGEX_TEXT characters of each text, free text on all of it', () => {
    const long = record('received', { raw: 'x'.repeat(MAX_REGEX_TEXT) + 'needle' });
    const regex = compileFilter({ kinds: [], text: 'need+le', regex: true });
    assert.ok(regex.ok && !regex.test(long));
    const text = compileFilter({ kinds: [], text: 'needle' });
    assert.ok(text.ok && text.test(long));
    assert.deepEqual(filterTexts(long).map((t) => t.length), [MAX_REGEX_TEXT, 'received'.length, long.summary.length]);
  });

  it('reports an invalid regular expression', () => {
    const bad = compileFilter({ kinds: [], text: '(', regex: true });
    assert.equal(bad.ok, false);
    assert.match(!bad.ok ? bad.error : '', /Invalid regular expression/);
    assert.doesNotMatch(!bad.ok ? bad.error : '', /Invalid regular expression: Invalid/, 'said once');
  });
});

describe('TimelineStore', () => {
  it('keeps the filtered view in step with appends, drops and filter changes', () => {
    const store = new TimelineStore(5);
    store.setFilter({ kinds: ['create'] });
    const records = [record('create'), record('sent'), record('create'), record('update'), record('create'), record('create'), record('sent')];
    store.append(records);
    assert.equal(store.size, 5);
    assert.equal(store.dropped, 2);
    assert.deepEqual(store.matching().map((r) => r.seq), [records[2]!.seq, records[4]!.seq, records[5]!.seq]);
    store.setFilter({ kinds: [] });
    assert.equal(store.matchCount, 5);
    assert.equal(store.matchAt(0)!.seq, records[2]!.seq);
    assert.equal(store.indexOf(records[6]!), 4);
  });

  it('skips records it already has (catch-up after a reconnect) and remembers the last one across clear()', () => {
    const store = new TimelineStore(10);
    const a = record('sent');
    const b = record('received');
    assert.equal(store.append([a, b]), 2);
    assert.equal(store.append([a, b]), 0);
    store.clear();
    assert.deepEqual(store.lastSeen(), { epoch: 'e1', seq: b.seq });
    const other = { ...record('sent'), epoch: 'e2', seq: 1 };
    assert.equal(store.append([other]), 1);
  });

  it('places a record that arrives late in time order, and keeps the filtered view and catch-up in step', () => {
    const store = new TimelineStore(10);
    store.setFilter({ kinds: ['create'] });
    const at = (kind: RecordKind, time: number, epoch = 'old') => ({ ...record(kind), time, epoch });
    const shown = [at('create', 10), at('sent', 20), at('create', 30), at('update', 40)];
    store.append(shown);
    // A new worker epoch hands over page events older than rows already shown.
    const late = [at('create', 25, 'new'), at('sent', 5, 'new'), at('create', 50, 'new')];
    store.append(late);
    assert.deepEqual(store.all().map((r) => r.time), [5, 10, 20, 25, 30, 40, 50]);
    assert.deepEqual(store.matching().map((r) => r.time), [10, 25, 30, 50]);
    assert.equal(store.indexOf(late[0]!), 1);
    assert.deepEqual(store.lastSeen(), { epoch: 'new', seq: late[2]!.seq }, 'catch-up still resumes after the last arrival');
    store.setFilter({ kinds: [] });
    assert.deepEqual(store.matching().map((r) => r.time), [5, 10, 20, 25, 30, 40, 50]);
  });

  it('loads a recording as it is: records placed in time order come back in that order, none skipped', () => {
    const live = new TimelineStore(10);
    const first = record('connection');
    const second = record('received');
    // The later record of the epoch is earlier in time: the live store places it first.
    live.append([first, { ...second, time: first.time - 1 }]);
    const saved = live.all();
    assert.deepEqual(saved.map((r) => r.seq), [second.seq, first.seq]);
    const opened = new TimelineStore(10);
    opened.setFilter({ kinds: ['received'] });
    opened.load(saved);
    assert.deepEqual(opened.all(), saved);
    assert.deepEqual(opened.matching().map((r) => r.seq), [second.seq]);
    assert.equal(opened.append([first]), 0, 'what it loaded counts as seen');
  });

  it('a late record in a full store: the oldest goes, the rest stays in order', () => {
    const store = new TimelineStore(3);
    const at = (time: number) => ({ ...record('create'), time });
    store.append([at(10), at(20), at(30)]);
    store.append([at(15)]);
    assert.deepEqual(store.all().map((r) => r.time), [15, 20, 30]);
    store.append([at(1)]);
    assert.deepEqual(store.all().map((r) => r.time), [1, 20, 30], 'older than all kept: first');
    assert.deepEqual(store.matching().map((r) => r.time), [1, 20, 30]);
  });

  it('reorders within a bounded window only', () => {
    const store = new TimelineStore(REORDER_WINDOW * 3);
    const at = (time: number) => ({ ...record('create'), time });
    const many: TimelineRecord[] = [];
    for (let i = 1; i <= REORDER_WINDOW * 2; i++) many.push(at(1000 + i));
    store.append(many);
    store.append([at(0)]);
    const times = store.all().map((r) => r.time);
    assert.equal(times.indexOf(0), REORDER_WINDOW, 'placed at the start of the window, not searched beyond it');
  });

  it('hides everything while the filter is invalid and says why', () => {
    const store = new TimelineStore(10);
    store.append([record('sent')]);
    store.setFilter({ kinds: [], text: '[', regex: true });
    assert.equal(store.matchCount, 0);
    assert.match(store.filterError ?? '', /Invalid regular expression/);
  });

  it('refuses a filter with the reason it is given: nothing matches, the reason is its error', () => {
    const store = new TimelineStore(10);
    store.append([record('sent'), record('create')]);
    store.setFilter({ kinds: [], text: '(a+)+$', regex: true }, 'too slow');
    assert.equal(store.matchCount, 0);
    assert.equal(store.filterError, 'too slow');
    store.append([record('create')]);
    assert.equal(store.matchCount, 0);
    store.setFilter({ kinds: ['create'] });
    assert.equal(store.matchCount, 2);
    assert.equal(store.filterError, null);
  });

  it('a narrower filter tests only what the one before matched, and shows what a fresh store would', () => {
    // Which records a filter looked at: every test reads a record's kind or its label first.
    const touched = new Set<TimelineRecord>();
    const counted = (kind: RecordKind, summary: string) => {
      const r = record(kind, { summary });
      for (const field of ['kind', 'label'] as const) {
        const value = r[field];
        Object.defineProperty(r, field, { get: () => (touched.add(r), value), enumerable: true });
      }
      return r;
    };
    const texts = ['player-1', 'Player-12', 'player-123', 'other', 'player-2', 'PLAYER-12x'];
    const records = Array.from({ length: 60 }, (_, i) => counted(i % 2 ? 'update' : 'create', texts[i % texts.length]!));
    const store = new TimelineStore(100);
    store.append(records.slice(0, 50));
    // The filter box is typed into, with a kind chip and a late record in between; then a key is deleted.
    const steps: TimelineFilter[] = [
      { kinds: [], text: 'p' },
      { kinds: [], text: 'pla' },
      { kinds: [], text: 'player-1' },
      { kinds: ['create'], text: 'player-1' },
      { kinds: ['create'], text: 'player-12' },
      { kinds: ['create'], text: 'player-1' },
      { kinds: [], text: 'player-1' },
    ];
    for (const [i, filter] of steps.entries()) {
      if (i === 3) store.append(records.slice(50));
      const before = store.matchCount;
      touched.clear();
      store.setFilter(filter);
      const tested = touched.size;
      const fresh = new TimelineStore(100);
      fresh.append(store.all());
      fresh.setFilter(filter);
      assert.deepEqual(store.matching().map((r) => r.seq), fresh.matching().map((r) => r.seq), JSON.stringify(filter));
      if (i > 0 && narrows(filter, steps[i - 1]!)) assert.ok(tested <= before, `${JSON.stringify(filter)}: ${tested} records tested, ${before} matched before`);
      else assert.ok(tested >= store.size, `${JSON.stringify(filter)}: a wider filter tests every record`);
    }
    assert.ok(store.matchCount > 0);
  });

  it('narrows: typing on, a kind chip off, a scope; never a regex, a deleted key or a changed case', () => {
    const text = (t: string, regex = false): TimelineFilter => ({ kinds: [], text: t, regex });
    assert.ok(narrows(text('abc'), text('ab')));
    assert.ok(narrows(text('xabcx'), text('abc')));
    assert.ok(narrows(text('anything'), EMPTY_FILTER));
    assert.ok(narrows(text('a.c', true), EMPTY_FILTER), 'anything narrows no filter at all');
    assert.ok(narrows(text('ab'), text('  ab ')), 'the text is trimmed');
    assert.ok(!narrows(text('ab'), text('abc')), 'a key deleted');
    assert.ok(!narrows(text('ABC'), text('ab')), 'another case: the texts are not compared case-folded');
    assert.ok(!narrows(text('abc', true), text('ab', true)), 'a longer regex may match more');
    assert.ok(!narrows(text('abc'), text('ab', true)));
    assert.ok(!narrows(text(''), text('ab')));
    assert.ok(narrows({ kinds: ['create'] }, { kinds: ['create', 'update'] }));
    assert.ok(!narrows({ kinds: [] }, { kinds: ['create'] }), 'all kinds is wider than one');
    assert.ok(!narrows({ kinds: ['delete'] }, { kinds: ['create'] }));
    assert.ok(narrows({ kinds: [], source: 's', className: 'Game', subscriptionKey: 'k' }, EMPTY_FILTER));
    assert.ok(!narrows({ kinds: [], source: 't' }, { kinds: [], source: 's' }));
    assert.ok(!narrows({ kinds: [] }, { kinds: [], className: 'Game' }));
  });

  it('stays bounded with 100k records', () => {
    const store = new TimelineStore(100_000);
    const batch: TimelineRecord[] = [];
    for (let i = 0; i < 150_000; i++) batch.push(record(i % 3 ? 'update' : 'create'));
    store.append(batch);
    assert.equal(store.size, 100_000);
    assert.equal(store.dropped, 50_000);
    store.setFilter({ kinds: ['create'] });
    assert.ok(store.matchCount > 30_000 && store.matchCount < 35_000);
  });
});
