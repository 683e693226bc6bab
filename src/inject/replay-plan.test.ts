import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportRecording } from '../timeline/export.js';
import type { TimelineRecord } from '../timeline/record.js';
import { matchesRecorded, readReplayPlan } from './replay-plan.js';

const T = 1_800_000_000_000;
const KEY = 'pageSocket:s1/1';
let seq = 0;
const rec = (partial: Partial<TimelineRecord> & Pick<TimelineRecord, 'kind'>): TimelineRecord => ({
  seq: ++seq,
  epoch: 'e',
  time: T + seq * 100,
  source: { type: 'pageSocket', socketId: 's1', frameId: 0 },
  label: partial.kind,
  summary: '',
  ...partial,
});
const subscribe = rec({ kind: 'sent', subscriptionKey: KEY, requestId: 1, raw: '{"op":"subscribe","requestId":1,"query":{"className":"Message","where":{"room":"lobby"}}}' });
const event = (op: string, objectId: string, extra: Partial<TimelineRecord> = {}) =>
  rec({ kind: op as TimelineRecord['kind'], subscriptionKey: KEY, requestId: 1, raw: JSON.stringify({ op, clientId: 'c', requestId: 1, object: { className: 'Message', objectId, room: 'lobby' } }), ...extra });

const file = (records: TimelineRecord[]) => exportRecording(records, { exportedAt: T, appVersion: 'test', redact: false });

describe('replay plan', () => {
  it('reads subscriptions from their subscribe frames and their events in time order, leaving injected ones out', () => {
    const later = event('create', 'b');
    const earlier = event('create', 'a', { time: T });
    const read = readReplayPlan(file([subscribe, later, earlier, event('create', 'x', { injected: true })]));
    assert.ok(read.ok);
    assert.deepEqual(read.value.subscriptions, [{ key: KEY, className: 'Message', where: { room: 'lobby' }, requestId: 1 }]);
    assert.deepEqual(read.value.steps.map((s) => s.event.object.objectId), ['a', 'b']);
    assert.deepEqual(read.value.warnings, []);
  });

  it('plays what it knows from another version with unknown kinds, and says what it skipped', () => {
    const json = JSON.parse(file([subscribe, event('create', 'a'), event('update', 'cut')])) as { version: number; records: unknown[] };
    json.version = 3;
    (json.records[2] as { raw: string }).raw = '{"op":"update","requ';
    json.records.push({ ...(json.records[1] as object), kind: 'teleport' }, { ...(json.records[1] as object), kind: 'teleport' });
    const read = readReplayPlan(JSON.stringify(json));
    assert.ok(read.ok);
    assert.equal(read.value.steps.length, 1);
    assert.deepEqual(read.value.warnings, [
      'recording format version 3 (this extension writes 2): playing the events it can read',
      'records of unknown kinds skipped: teleport (2)',
      '1 event record(s) skipped: not readable (cut, or not an event frame)',
    ]);
  });

  it('refuses what is not a recording, and matches by class and where (class only when no subscribe was recorded)', () => {
    assert.deepEqual(readReplayPlan('{'), { ok: false, error: 'the file is not valid JSON' });
    assert.equal(readReplayPlan('{"format":"other"}').ok, false);
    const read = readReplayPlan(file([event('create', 'a')]));
    assert.ok(read.ok);
    assert.match(read.value.warnings[0]!, /no subscribe frame recorded for Message: matched by class only/);
    const recorded = { key: KEY, className: 'Message', where: { room: 'lobby' } };
    assert.equal(matchesRecorded(recorded, { className: 'Message', where: { room: 'lobby' } }), true);
    assert.equal(matchesRecorded(recorded, { className: 'Message', where: { room: 'other' } }), false);
    const nested = { $or: [{ a: 1, b: [1, { c: 2 }] }], d: null };
    assert.equal(matchesRecorded({ key: KEY, className: 'Message', where: nested }, { className: 'Message', where: { d: null, $or: [{ b: [1, { c: 2 }], a: 1 }] } }), true);
    assert.equal(matchesRecorded({ key: KEY, className: 'Message', where: nested }, { className: 'Message', where: { d: null, $or: [{ b: [{ c: 2 }, 1], a: 1 }] } }), false);
    assert.equal(matchesRecorded({ key: KEY, className: 'Message', where: { a: [] } }, { className: 'Message', where: { a: {} } }), false);
    assert.equal(matchesRecorded({ key: KEY, className: 'Message' }, { className: 'Message', where: { any: 1 } }), true);
    assert.equal(matchesRecorded({ key: KEY, className: 'Message' }, { className: 'Note', where: {} }), false);
  });
});
