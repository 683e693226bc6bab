import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParseJSON } from '../livequery/protocol.js';
import type { RecordKind, TimelineRecord } from './record.js';
import { applyEvent, columnsOf, resultSetFromRecords, seed, type ResultSet } from './result-set.js';

const obj = (objectId: string, extra: ParseJSON = {}): ParseJSON => ({ className: 'Game', objectId, ...extra });

let seq = 0;
function record(kind: RecordKind, raw: unknown, subscriptionKey = 's:1'): TimelineRecord {
  seq++;
  return {
    seq,
    epoch: 'e',
    time: 1_700_000_000_000 + seq,
    source: { type: 'pageSocket', socketId: 's', frameId: 0 },
    kind,
    label: kind,
    subscriptionKey,
    summary: '',
    raw: typeof raw === 'string' ? raw : JSON.stringify(raw),
  };
}
const event = (op: 'create' | 'enter' | 'update' | 'leave' | 'delete', object: ParseJSON, key?: string, original?: ParseJSON) =>
  record(op, { op, clientId: 'c', requestId: 1, object, ...(original ? { original } : {}) }, key);

describe('applyEvent / seed', () => {
  it('adds on create and enter, replaces on update, removes on leave and delete', () => {
    const set: ResultSet = new Map();
    assert.equal(applyEvent(set, 'create', obj('a', { v: 1 })), true);
    assert.equal(applyEvent(set, 'enter', obj('b', { v: 1 })), true);
    assert.equal(applyEvent(set, 'update', obj('a', { v: 2 })), true);
    assert.deepEqual([...set.keys()], ['a', 'b']);
    assert.deepEqual(set.get('a'), obj('a', { v: 2 }));
    assert.equal(applyEvent(set, 'leave', obj('a', { v: 3 })), true);
    assert.equal(applyEvent(set, 'delete', obj('b')), true);
    assert.equal(set.size, 0);
    assert.equal(applyEvent(set, 'delete', obj('zz')), false);
  });

  it('adds an update for an unknown object, since LiveQuery only sends updates for matching ones', () => {
    const set: ResultSet = new Map();
    applyEvent(set, 'update', obj('x', { v: 9 }));
    assert.deepEqual([...set.values()], [obj('x', { v: 9 })]);
  });

  it('ignores objects without a string objectId', () => {
    const set: ResultSet = new Map();
    assert.equal(applyEvent(set, 'create', { className: 'Game' }), false);
    assert.equal(applyEvent(set, 'create', { objectId: 5 }), false);
    assert.equal(applyEvent(set, 'create', { objectId: '' }), false);
    assert.equal(set.size, 0);
  });

  it('seed replaces the whole set, keeping the order of the objects', () => {
    const set: ResultSet = new Map([['old', obj('old')]]);
    seed(set, [obj('b'), obj('a'), { nope: true }]);
    assert.deepEqual([...set.keys()], ['b', 'a']);
  });
});

describe('resultSetFromRecords', () => {
  it('replays a subscription’s events in order and skips everything else', () => {
    const records = [
      record('sent', { op: 'subscribe', requestId: 1, query: { className: 'Game', where: {} } }),
      record('received', { op: 'subscribed', clientId: 'c', requestId: 1 }),
      event('create', obj('a', { v: 1 })),
      event('create', obj('other'), 's:2'),
      event('enter', obj('b', { v: 1 }), undefined, obj('b', { v: 0 })),
      event('update', obj('a', { v: 2 }), undefined, obj('a', { v: 1 })),
      record('error', 'not json'),
      record('update', { op: 'update', requestId: 1 }),
      event('leave', obj('b', { v: 5 }), undefined, obj('b', { v: 1 })),
      event('update', obj('c', { v: 1 }), undefined, obj('c', { v: 0 })),
      record('gap', { from: 1, to: 2 }),
    ];
    const set = resultSetFromRecords(records, 's:1');
    assert.deepEqual([...set.entries()], [
      ['a', obj('a', { v: 2 })],
      ['c', obj('c', { v: 1 })],
    ]);
    assert.deepEqual([...resultSetFromRecords(records, 's:2').keys()], ['other']);
    assert.equal(resultSetFromRecords(records, 'none').size, 0);
  });

  it('starts from initial objects and lets a result frame replace the set', () => {
    const records = [
      event('delete', obj('seeded')),
      event('create', obj('a')),
      record('received', { op: 'result', clientId: 'c', requestId: 1, results: [obj('r1'), obj('r2')] }),
      event('create', obj('b')),
    ];
    assert.deepEqual([...resultSetFromRecords(records.slice(0, 2), 's:1', [obj('seeded'), obj('kept')]).keys()], ['kept', 'a']);
    assert.deepEqual([...resultSetFromRecords(records, 's:1').keys()], ['r1', 'r2', 'b']);
  });

  it('skips records without raw text', () => {
    const bare: TimelineRecord = { ...event('create', obj('a')), raw: undefined };
    assert.equal(resultSetFromRecords([bare], 's:1').size, 0);
  });
});

describe('columnsOf', () => {
  it('puts className and objectId first, then the most common keys', () => {
    const objects = [
      { __type: 'Object', score: 1, className: 'Game', name: 'x', objectId: 'a' },
      { objectId: 'b', className: 'Game', name: 'y', extra: true, score: 2 },
      { objectId: 'c', className: 'Game', name: 'z', rare: 1 },
    ];
    assert.deepEqual(columnsOf(objects, 10), ['className', 'objectId', 'name', 'score', 'extra', 'rare']);
    assert.deepEqual(columnsOf(objects, 3), ['className', 'objectId', 'name']);
    assert.deepEqual(columnsOf(objects, 0), []);
    assert.deepEqual(columnsOf([], 5), []);
  });

  it('orders ties by first appearance and leaves out absent leading columns', () => {
    assert.deepEqual(columnsOf([{ b: 1, a: 1 }, { c: 1, objectId: 'x' }], 10), ['objectId', 'b', 'a', 'c']);
  });
});

describe('resultSetFromRecords after a seed, an update op and a token switch', () => {
  const frame = (op: string, objectId: string, time: number, extra: Record<string, unknown> = {}): TimelineRecord => ({
    seq: time,
    epoch: 'e',
    time,
    source: { type: 'server', serverId: 's' },
    kind: op as TimelineRecord['kind'],
    label: op,
    summary: '',
    subscriptionKey: 'k',
    raw: JSON.stringify({ op, requestId: 1, object: { className: 'A', objectId, ...extra } }),
  });
  const updateOp = (time: number): TimelineRecord => ({
    seq: time,
    epoch: 'e',
    time,
    source: { type: 'server', serverId: 's' },
    kind: 'sent',
    label: 'update',
    summary: '',
    subscriptionKey: 'k',
    raw: JSON.stringify({ op: 'update', requestId: 1, query: { className: 'A', where: {} } }),
  });
  const tokenSwitched = (time: number, label = 'token switched'): TimelineRecord => ({
    seq: time,
    epoch: 'e',
    time,
    source: { type: 'server', serverId: 's' },
    kind: 'connection',
    label,
    marker: { type: 'tokenSwitched', subscriptionId: 'k', anonymous: true },
    summary: '',
    subscriptionKey: 'k',
  });

  it('does not replay events older than the seed on top of it', () => {
    const records = [frame('create', 'x', 1, { score: 1 }), frame('leave', 'y', 2)];
    const set = resultSetFromRecords(records, 'k', [{ className: 'A', objectId: 'x', score: 5 }, { className: 'A', objectId: 'y' }], 3);
    assert.deepEqual([...set.values()].map((o) => [o.objectId, o.score]), [['x', 5], ['y', undefined]]);
  });

  it('starts over when the query is updated or the token switched', () => {
    const records = [frame('create', 'x', 1), updateOp(2), frame('create', 'y', 3), tokenSwitched(4, 'any text'), frame('enter', 'z', 5)];
    assert.deepEqual([...resultSetFromRecords(records, 'k').keys()], ['z']);
    const labelOnly: TimelineRecord = { ...tokenSwitched(4), marker: undefined };
    assert.deepEqual([...resultSetFromRecords([frame('create', 'x', 1), labelOnly], 'k').keys()], ['x'], 'a label alone means nothing');
  });
});

