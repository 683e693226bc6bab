import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PAGE_FRAME_CHARS, type PageSocketEvent } from '../../src/messages.js';
import type { RecordDraft } from '../../src/timeline/record.js';
import type { PageSocketView } from '../../src/views.js';
import { fixtureEvents, fixtureSockets } from '../../src/inspect/fixtures/load.js';
import { PageTracker, type PageTrackerOptions } from './page-tracker.js';
import { ReplayLog } from '../../src/inspect/replay-log.js';

const FRAME_URL = 'http://app.test/';
const T = 1_800_000_000_000;

function setup(options: PageTrackerOptions = {}) {
  const records: RecordDraft[] = [];
  const tracker = new PageTracker((draft) => records.push(draft), { now: () => T, ...options });
  const view = (id: string): PageSocketView | undefined => tracker.sockets().find((s) => s.id === id);
  return { tracker, records, view };
}

/** Builds a socket's events the way the hook reports them. */
function socket(id: string, url = 'wss://app.test/parse') {
  let time = T;
  const events: PageSocketEvent[] = [{ type: 'created', socketId: id, url, time: time++ }];
  const api = {
    events,
    open: () => (events.push({ type: 'open', socketId: id, time: time++ }), api),
    sent: (text: string) => (events.push({ type: 'frame', socketId: id, direction: 'sent', text, time: time++ }), api),
    received: (text: string) => (events.push({ type: 'frame', socketId: id, direction: 'received', text, time: time++ }), api),
    /** A frame the hook passed on without content (its verdict was "not LiveQuery"). */
    withheld: (direction: 'sent' | 'received', length: number) => (
      events.push({ type: 'frame', socketId: id, direction, text: '', truncatedFrom: length, time: time++ }), api
    ),
    binary: (direction: 'sent' | 'received', size: number) => (
      events.push({ type: 'frame', socketId: id, direction, binarySize: size, time: time++ }), api
    ),
    close: (code = 1000, reason = '', wasClean = true) => (
      events.push({ type: 'close', socketId: id, code, reason, wasClean, time: time++ }), api
    ),
  };
  return api;
}

const CONNECT = '{"op":"connect","applicationId":"lq-app","javascriptKey":"lq-js"}';
const CONNECTED = '{"op":"connected","clientId":"client-1"}';
const sub = (id: number, className = 'Game') => `{"op":"subscribe","requestId":${id},"query":{"className":"${className}","where":{}}}`;
const subscribed = (id: number) => `{"op":"subscribed","clientId":"client-1","requestId":${id}}`;
const create = (id: number, objectId = 'o1') =>
  `{"op":"create","clientId":"client-1","requestId":${id},"object":{"className":"Game","objectId":"${objectId}"}}`;

describe('PageTracker with the recorded Parse Server 9.10 session', () => {
  it('recognises every socket, one record per event, each from its page socket', () => {
    const { tracker, records } = setup();
    const events = fixtureEvents();
    tracker.onSocketEvents(0, FRAME_URL, events);
    assert.deepEqual(
      tracker.sockets().map((s) => s.id).sort(),
      ['c1', 'c2', 'c3-badkey', 'c4-nokey', 'c5-badapp', 'c6-master', 'c7-alice', 'c8-bob', 'c9-badtok'],
    );
    assert.equal(records.length, events.length);
    for (const record of records) {
      assert.equal(record.source.type, 'pageSocket');
      assert.equal(record.source.type === 'pageSocket' && record.source.frameId, 0);
    }
  });

  it('describes c1’s frames with kinds, labels, requestIds, subscription keys, classes, object ids and raw text', () => {
    const { tracker, records } = setup();
    const events = fixtureSockets().get('c1')!;
    tracker.onSocketEvents(0, FRAME_URL, events);
    const rows = records.map((r) => [r.kind, r.label, r.marker?.type, r.requestId, r.subscriptionKey]);
    assert.deepEqual(rows.slice(0, 8), [
      ['connection', 'connecting', 'pageSocketCreated', undefined, undefined],
      ['connection', 'open', 'pageSocketOpen', undefined, undefined],
      ['sent', 'connect', undefined, undefined, undefined],
      ['received', 'connected', undefined, undefined, undefined],
      ['sent', 'subscribe', undefined, 1, 'pageSocket:c1/1'],
      ['received', 'subscribed', undefined, 1, 'pageSocket:c1/1'],
      ['sent', 'subscribe', undefined, 2, 'pageSocket:c1/2'],
      ['received', 'subscribed', undefined, 2, 'pageSocket:c1/2'],
    ]);
    const created = records[8]!;
    assert.deepEqual([created.kind, created.className, created.objectId, created.requestId], ['create', 'Game', '8PlpArSTvz', 1]);
    assert.equal(created.raw, (events[8] as { text: string }).text);
    assert.equal(created.time, events[8]!.time);
    const invalid = records.find((r) => r.raw === 'this is {not json')!;
    assert.deepEqual([invalid.kind, invalid.label], ['sent', 'invalid']);
    const bogusReply = records.find((r) => r.raw?.includes('No enum match'))!;
    assert.deepEqual([bogusReply.kind, bogusReply.label, bogusReply.subscriptionKey], ['error', 'error 1', undefined]);
    const closed = records.at(-1)!;
    assert.deepEqual([closed.kind, closed.label, closed.summary], ['connection', 'closed', 'code 1005']);
    assert.deepEqual(closed.marker, { type: 'pageSocketClosed', code: 1005, reason: '', wasClean: true });
    assert.equal(closed.raw, undefined, 'a marker record carries its details in the marker');
  });

  it('tracks c1’s state, keys, client id and subscriptions with their event counts', () => {
    const { tracker, view } = setup();
    const events = fixtureSockets().get('c1')!;
    tracker.onSocketEvents(0, FRAME_URL, events.slice(0, -1));
    const open = view('c1')!;
    assert.equal(open.state, 'open');
    assert.equal(open.url, 'ws://127.0.0.1:1338/parse');
    assert.equal(open.frameUrl, FRAME_URL);
    assert.equal(open.applicationId, 'lq-app');
    assert.equal(open.javascriptKey, 'lq-js');
    assert.equal(open.clientId, '6e58fdef-d573-4f84-8b1e-f0e990172291', 'the second connect on the socket wins');
    const byId = new Map(open.subscriptions.map((s) => [s.requestId, s]));
    assert.deepEqual([...byId.keys()], [1, 2, 9, 10, 11, 12], 'invalid subscribes (string id, no where) are not subscriptions');
    assert.deepEqual(byId.get(1)!.query, { className: 'Game', where: { name: 'x' } }, 'replaced by the update op');
    assert.equal(byId.get(1)!.state, 'subscribed');
    assert.deepEqual(byId.get(1)!.counts, { create: 1, enter: 1, update: 2, leave: 1, delete: 1 });
    assert.deepEqual(byId.get(2)!.query, { className: 'Game', where: { score: { $gt: 10 } }, keys: ['score'], watch: ['score'] });
    assert.equal(byId.get(2)!.state, 'closed', 'unsubscribed');
    assert.deepEqual(byId.get(2)!.counts, { create: 1, enter: 1, update: 1, leave: 1, delete: 1 });
    assert.equal(byId.get(9)!.state, 'pending', 'its error reply had requestId null');
    assert.equal(byId.get(12)!.state, 'subscribed');

    tracker.onSocketEvents(0, FRAME_URL, events.slice(-1));
    const closed = view('c1')!;
    assert.equal(closed.state, 'closed');
    assert.equal(closed.closeCode, 1005);
    assert.ok(closed.subscriptions.every((s) => s.state === 'closed'));
  });

  it('keeps connect-level secrets and per-subscription tokens, and errors on subscriptions', () => {
    const { tracker, view } = setup();
    tracker.onSocketEvents(0, FRAME_URL, fixtureEvents());
    assert.equal(view('c6-master')!.masterKey, 'lq-master');
    assert.equal(view('c7-alice')!.sessionToken, 'r:d5bf89315d0a5d4fdcf4d7149af12117');
    assert.equal(view('c7-alice')!.subscriptions[0]!.sessionToken, 'r:d5bf89315d0a5d4fdcf4d7149af12117');
    assert.deepEqual(view('c7-alice')!.subscriptions[0]!.counts.create, 1);
    const rejected = view('c9-badtok')!.subscriptions.find((s) => s.requestId === 2)!;
    assert.equal(rejected.state, 'error');
    assert.equal(rejected.lastError, 'Invalid session token (code 209)');
    assert.equal(view('c4-nokey')!.applicationId, 'lq-app');
    assert.equal(view('c4-nokey')!.clientId, undefined, 'rejected by the server');
    assert.equal(view('c2')!.subscriptions.length, 1, 'subscribed without connecting');
  });
});

describe('PageTracker null session tokens', () => {
  it('says when a connect or subscribe frame carried "sessionToken": null (for the linter), and not otherwise', () => {
    const { tracker, view } = setup();
    const events = socket('n1')
      .open()
      .sent('{"op":"connect","applicationId":"lq-app","sessionToken":null}')
      .sent('{"op":"subscribe","requestId":1,"query":{"className":"Game","where":{}},"sessionToken":null}')
      .sent(sub(2)).events;
    tracker.onSocketEvents(0, FRAME_URL, events);
    const socketView = view('n1')!;
    assert.equal(socketView.nullSessionToken, true);
    assert.equal(socketView.sessionToken, undefined);
    assert.deepEqual(socketView.subscriptions.map((s) => [s.requestId, s.nullSessionToken]), [[1, true], [2, undefined]]);
    tracker.onSocketEvents(0, FRAME_URL, socket('n2').open().sent(CONNECT).received(CONNECTED).events);
    assert.equal(view('n2')!.nullSessionToken, undefined);
  });
});

describe('PageTracker with Moralis v1 frames', () => {
  it('recognises the socket and shows `fields` as keys', () => {
    const { tracker, records, view } = setup();
    const moralis = socket('m1', 'wss://abc.usemoralis.com:2053/server')
      .open()
      .sent('{"op":"connect","applicationId":"moralis-app","sessionToken":"r:m0r4l1s","installationId":"inst-1"}')
      .received('{"op":"connected","clientId":"0b9c3a2e-1111-4222-8333-444455556666"}')
      .sent(
        '{"op":"subscribe","requestId":1,"query":{"className":"EthTransactions","where":{"from_address":"0xabc"},"fields":["hash","value"]},"sessionToken":"r:m0r4l1s"}',
      )
      .received('{"op":"subscribed","clientId":"0b9c3a2e-1111-4222-8333-444455556666","requestId":1}')
      .received(
        '{"op":"create","clientId":"0b9c3a2e-1111-4222-8333-444455556666","requestId":1,"object":{"className":"EthTransactions","objectId":"tx1","hash":"0x1","value":"5","__type":"Object"}}',
      );
    tracker.onSocketEvents(0, FRAME_URL, moralis.events);
    const socketView = view('m1')!;
    assert.equal(socketView.applicationId, 'moralis-app');
    assert.equal(socketView.sessionToken, 'r:m0r4l1s');
    assert.deepEqual(socketView.subscriptions[0]!.query, {
      className: 'EthTransactions',
      where: { from_address: '0xabc' },
      keys: ['hash', 'value'],
    });
    assert.equal(socketView.subscriptions[0]!.counts.create, 1);
    assert.match(records.find((r) => r.label === 'subscribe')!.summary, /fields hash,value/);
  });
});

describe('PageTracker ignores other sockets', () => {
  it('keeps no view and emits no record for a socket whose first frame is not LiveQuery', () => {
    const { tracker, records } = setup();
    const chat = socket('chat').open().withheld('sent', 12);
    tracker.onSocketEvents(0, FRAME_URL, chat.events);
    tracker.onSocketEvents(0, FRAME_URL, socket('chat').open().close().events.slice(1));
    const graphql = socket('gql').open().sent('{"type":"connection_init"}').received('{"type":"connection_ack"}').close();
    tracker.onSocketEvents(0, FRAME_URL, graphql.events);
    assert.deepEqual(tracker.sockets(), []);
    assert.deepEqual(records, []);
  });

  it('ignores an echo socket, even one echoing LiveQuery frames', () => {
    const { tracker, records } = setup();
    tracker.onSocketEvents(0, FRAME_URL, socket('echo').open().sent(CONNECT).received(CONNECT).close().events);
    tracker.onSocketEvents(0, FRAME_URL, socket('echo2').open().sent(sub(1)).received(sub(1)).events);
    assert.deepEqual(tracker.sockets(), []);
    assert.deepEqual(records, []);
  });

  it('drops a socket that closes undecided, and one that only ever has binary frames', () => {
    const { tracker, records } = setup();
    tracker.onSocketEvents(0, FRAME_URL, socket('idle').open().close(1006, '', false).events);
    tracker.onSocketEvents(0, FRAME_URL, socket('bin').open().binary('received', 10).events);
    assert.deepEqual(tracker.sockets(), []);
    assert.deepEqual(records, []);
  });

  it('ignores events of unknown sockets, of another frame, and duplicate announcements', () => {
    const { tracker, records, view } = setup();
    tracker.onSocketEvents(0, FRAME_URL, socket('ghost').open().sent(CONNECT).received(CONNECTED).events.slice(1));
    assert.deepEqual(tracker.sockets(), []);
    const lq = socket('lq').open().sent(CONNECT).received(CONNECTED);
    tracker.onSocketEvents(0, FRAME_URL, lq.events);
    const before = records.length;
    tracker.onSocketEvents(3, 'http://other.test/', [{ type: 'close', socketId: 'lq', code: 1000, reason: '', wasClean: true, time: T }]);
    tracker.onSocketEvents(0, FRAME_URL, [lq.events[0]!]);
    assert.equal(records.length, before);
    assert.equal(view('lq')!.state, 'open');
  });
});

describe('PageTracker decisions and odd frames', () => {
  it('holds a socket’s first events until it decides, then records them in order with their own times', () => {
    const { tracker, records } = setup();
    const lq = socket('s').open().sent(CONNECT);
    tracker.onSocketEvents(0, FRAME_URL, lq.events);
    assert.equal(records.length, 0, 'undecided: a connect waits for its reply');
    assert.deepEqual(tracker.sockets(), []);
    tracker.onSocketEvents(0, FRAME_URL, socket('s').open().sent(CONNECT).received(CONNECTED).events.slice(3));
    assert.deepEqual(records.map((r) => r.label), ['connecting', 'open', 'connect', 'connected']);
    assert.deepEqual(records.map((r) => r.time), [T, T + 1, T + 2, T + 3]);
  });

  it('records a socket whose connect was never answered when it closes', () => {
    const { tracker, records, view } = setup();
    tracker.onSocketEvents(0, FRAME_URL, socket('s').open().sent(CONNECT).close(1006, '', false).events);
    assert.deepEqual(records.map((r) => r.label), ['connecting', 'open', 'connect', 'closed']);
    assert.equal(records.at(-1)!.summary, 'code 1006 (not clean)');
    assert.equal(view('s')!.state, 'closed');
  });

  it('records malformed, unknown, binary and cut frames without changing state', () => {
    const { tracker, records, view } = setup();
    const long = create(1, 'big').slice(0, 60);
    const events = socket('s')
      .open()
      .sent(CONNECT)
      .received(CONNECTED)
      .sent(sub(1))
      .received(subscribed(1))
      .received('{"op":"create"}')
      .received('not json')
      .received('{"op":"surprise","requestId":1}')
      .sent('{"op":"query","requestId":1}')
      .binary('received', 64).events;
    events.push({ type: 'frame', socketId: 's', direction: 'received', text: long, truncatedFrom: MAX_PAGE_FRAME_CHARS + 5, time: T + 50 });
    tracker.onSocketEvents(0, FRAME_URL, events);
    const tail = records.slice(6).map((r) => [r.kind, r.label, r.requestId]);
    assert.deepEqual(tail, [
      ['error', 'invalid frame', undefined],
      ['error', 'invalid frame', undefined],
      ['error', 'invalid frame', undefined],
      ['sent', 'query', 1],
      ['received', 'binary', undefined],
      ['create', 'create', 1],
    ]);
    assert.equal(records.at(-1)!.summary, `#1: frame of ${MAX_PAGE_FRAME_CHARS + 5} characters, cut to ${long.length}`);
    assert.equal(records.at(-1)!.rawLength, MAX_PAGE_FRAME_CHARS + 5);
    assert.equal(records.at(-2)!.summary, 'binary frame, 64 bytes');
    const subscription = view('s')!.subscriptions[0]!;
    assert.equal(subscription.state, 'subscribed');
    assert.equal(subscription.counts.create, 1, 'the cut create still counts');
  });

  it('records lifecycle changes as connection records', () => {
    const { tracker, records } = setup();
    const events = socket('s').open().received(CONNECTED).events;
    events.push({ type: 'error', socketId: 's', time: T + 9 });
    tracker.onSocketEvents(0, FRAME_URL, [...events, ...socket('s').close(4000, 'bye', true).events.slice(1)]);
    assert.deepEqual(
      records.map((r) => [r.kind, r.label]),
      [
        ['connection', 'connecting'],
        ['connection', 'open'],
        ['received', 'connected'],
        ['connection', 'socket error'],
        ['connection', 'closed'],
      ],
    );
    assert.equal(records.at(-1)!.summary, 'code 4000 bye');
    assert.equal(records[0]!.summary, 'wss://app.test/parse');
  });
});

describe('PageTracker page loads', () => {
  it('stamps a page load with the time the document started (page clock), never later than the worker heard of it', () => {
    const { tracker, records } = setup();
    tracker.onDocument(0, 'http://app.test/one', 'doc-1', false, T - 500);
    tracker.onDocument(0, 'http://app.test/two', 'doc-2', false, T + 60_000);
    tracker.onDocument(0, 'http://app.test/three', 'doc-3');
    assert.deepEqual(records.filter((r) => r.marker?.type === 'navigated').map((r) => r.time), [T - 500, T, T]);
  });

  it('numbers page loads, records the navigation, and closes the previous page’s sockets', () => {
    const { tracker, records, view } = setup();
    tracker.onDocument(0, 'http://app.test/one', 'doc-1');
    tracker.onSocketEvents(0, FRAME_URL, socket('a').open().sent(CONNECT).received(CONNECTED).sent(sub(1)).events);
    tracker.onSocketEvents(0, FRAME_URL, socket('pending').open().events);
    assert.equal(view('a')!.generation, 1);
    tracker.onDocument(0, 'http://app.test/two', 'doc-2');
    const navigated = records.filter((r) => r.marker?.type === 'navigated');
    assert.deepEqual(
      navigated.map((r) => [r.kind, r.summary, r.source, r.marker]),
      [
        ['connection', 'http://app.test/one', { type: 'document', frameId: 0 }, { type: 'navigated', url: 'http://app.test/one', generation: 1 }],
        ['connection', 'http://app.test/two', { type: 'document', frameId: 0 }, { type: 'navigated', url: 'http://app.test/two', generation: 2 }],
      ],
    );
    assert.equal(navigated[0]!.time, T);
    assert.equal(view('a')!.state, 'closed');
    assert.equal(view('a')!.subscriptions[0]!.state, 'closed');
    tracker.onSocketEvents(0, FRAME_URL, [{ type: 'open', socketId: 'pending', time: T }, ...socket('pending').received(CONNECTED).events.slice(1)]);
    assert.equal(view('pending'), undefined, 'the undecided socket of the old page is gone');
    tracker.onSocketEvents(0, FRAME_URL, socket('b').open().received(CONNECTED).events);
    assert.deepEqual(tracker.sockets().map((s) => [s.id, s.generation]), [['a', 1], ['b', 2]]);
  });

  it('the same document announced again (a panel started watching) is not a page load', () => {
    const { tracker, records, view } = setup();
    tracker.onDocument(0, 'http://app.test/one', 'doc-1');
    tracker.onSocketEvents(0, FRAME_URL, socket('a').open().sent(CONNECT).received(CONNECTED).events);
    tracker.onDocument(0, 'http://app.test/one', 'doc-1');
    assert.equal(records.filter((r) => r.marker?.type === 'navigated').length, 1);
    assert.equal(view('a')!.state, 'open');
    assert.equal(view('a')!.generation, 1);
  });

  it('a document announced again to a restarted worker is not a page load', () => {
    const { tracker, records } = setup();
    tracker.onDocument(0, 'http://app.test/one', 'doc-1', true);
    assert.equal(records.length, 0);
    tracker.onDocument(0, 'http://app.test/two', 'doc-2');
    assert.equal(records.filter((r) => r.marker?.type === 'navigated').length, 1);
  });

  it('records the page events a watcher missed and the page did not keep', () => {
    const { tracker, records } = setup();
    tracker.onSocketEvents(0, FRAME_URL, socket('a').open().events, { notKept: 42 });
    const gap = records.find((r) => r.kind === 'gap');
    assert.ok(gap);
    assert.deepEqual(gap.marker, { type: 'pageNotKept', count: 42 });
    assert.match(gap.summary, /^42 earlier page socket event\(s\) not kept/);
  });

  it('a subframe’s new document closes only that frame’s sockets', () => {
    const { tracker, records, view } = setup();
    tracker.onSocketEvents(0, FRAME_URL, socket('top').received(CONNECTED).events);
    tracker.onSocketEvents(5, 'http://widget.test/', socket('sub').received(CONNECTED).events);
    const before = records.length;
    tracker.onDocument(5, 'http://widget.test/again', 'doc-w');
    assert.equal(records.length, before, 'no navigation record for a subframe');
    assert.equal(view('sub')!.state, 'closed');
    assert.equal(view('sub')!.frameId, 5);
    assert.equal(view('top')!.state, 'connecting');
    assert.equal(view('top')!.generation, 0);
  });

  it('clear() forgets every socket', () => {
    const { tracker } = setup();
    tracker.onSocketEvents(0, FRAME_URL, socket('a').received(CONNECTED).events);
    tracker.clear();
    assert.deepEqual(tracker.sockets(), []);
    tracker.onSocketEvents(0, FRAME_URL, socket('a').close().events.slice(1));
    assert.deepEqual(tracker.sockets(), []);
  });
});

describe('PageTracker bounds', () => {
  it('forgets the sockets of page loads before the previous one', () => {
    const { tracker } = setup();
    tracker.onDocument(0, 'http://app.test/1', 'doc-1');
    tracker.onSocketEvents(0, FRAME_URL, socket('one').received(CONNECTED).events);
    tracker.onDocument(0, 'http://app.test/2', 'doc-2');
    tracker.onSocketEvents(0, FRAME_URL, socket('two').received(CONNECTED).events);
    tracker.onDocument(0, 'http://app.test/3', 'doc-3');
    assert.deepEqual(tracker.sockets().map((s) => [s.id, s.state]), [['two', 'closed']]);
  });

  it('keeps only the class of a query nested too deep to send, and of queries beyond the tab’s budget', () => {
    const { tracker, view } = setup({ maxQueryChars: 2_000 });
    let where = '{"a":1}';
    for (let i = 0; i < 20_000; i++) where = `{"$or":[${where}]}`;
    const deep = `{"op":"subscribe","requestId":1,"query":{"className":"Deep","where":${where}}}`;
    const wide = (id: number) => `{"op":"subscribe","requestId":${id},"query":{"className":"Wide","where":{"text":"${'w'.repeat(900)}"}}}`;
    tracker.onSocketEvents(0, FRAME_URL, socket('s').open().sent(CONNECT).received(CONNECTED).sent(deep).sent(wide(2)).sent(wide(3)).sent(wide(4)).events);
    const subs = view('s')!.subscriptions;
    assert.deepEqual(subs[0], { requestId: 1, query: { className: 'Deep', where: {} }, queryOmitted: 'tooDeep', state: 'pending', counts: subs[0]!.counts });
    assert.deepEqual(subs.map((v) => v.queryOmitted), ['tooDeep', undefined, undefined, 'tooLarge']);
    assert.doesNotThrow(() => structuredClone(tracker.sockets()), 'the view can be sent');
    // A forgotten socket gives its budget back.
    tracker.clear();
    tracker.onSocketEvents(0, FRAME_URL, socket('t').open().sent(CONNECT).received(CONNECTED).sent(wide(2)).sent(wide(3)).events);
    assert.deepEqual(view('t')!.subscriptions.map((v) => v.queryOmitted), [undefined, undefined]);
  });

  it('an event that cannot be read becomes an error record and costs nothing else of the batch', () => {
    const { tracker, records } = setup();
    const events = socket('s').open().sent(CONNECT).received(CONNECTED).sent(sub(1)).received(create(1)).events;
    // A frame whose `text` getter throws stands for any event the tracker fails on.
    const poisoned = { ...events[4]!, get text(): string { throw new Error('boom'); } } as PageSocketEvent;
    tracker.onSocketEvents(0, FRAME_URL, [...events.slice(0, 4), poisoned, ...events.slice(5)]);
    assert.deepEqual(records.map((r) => r.label), ['connecting', 'open', 'connect', 'connected', 'unreadable', 'create']);
    assert.match(records[4]!.summary, /could not be read \(boom\)/);
  });

  it('evicts closed sockets of earlier page loads first, oldest first', () => {
    const { tracker } = setup({ maxSockets: 3 });
    tracker.onSocketEvents(0, FRAME_URL, socket('old-open').received(CONNECTED).events);
    tracker.onSocketEvents(0, FRAME_URL, socket('old-closed').received(CONNECTED).close().events);
    tracker.onSocketEvents(0, FRAME_URL, socket('undecided').open().events);
    tracker.onDocument(0, 'http://app.test/next', 'doc-n');
    tracker.onSocketEvents(0, FRAME_URL, socket('new-1').received(CONNECTED).events);
    tracker.onSocketEvents(0, FRAME_URL, socket('new-2').received(CONNECTED).events);
    // The navigation closed 'old-open' and dropped 'undecided'; 'old-open' was then the oldest closed one of an old load.
    assert.deepEqual(tracker.sockets().map((s) => s.id), ['old-closed', 'new-1', 'new-2'], 'the oldest of the old page went');
    tracker.onSocketEvents(0, FRAME_URL, socket('new-3').received(CONNECTED).events);
    assert.deepEqual(tracker.sockets().map((s) => s.id), ['new-1', 'new-2', 'new-3']);
  });

  it('prefers closed, then undecided sockets of this page load over open LiveQuery ones', () => {
    const { tracker } = setup({ maxSockets: 3 });
    tracker.onSocketEvents(0, FRAME_URL, socket('open-1').received(CONNECTED).events);
    tracker.onSocketEvents(0, FRAME_URL, socket('undecided').open().events);
    tracker.onSocketEvents(0, FRAME_URL, socket('closed').received(CONNECTED).close().events);
    tracker.onSocketEvents(0, FRAME_URL, socket('open-2').received(CONNECTED).events);
    assert.deepEqual(tracker.sockets().map((s) => s.id), ['open-1', 'open-2']);
    tracker.onSocketEvents(0, FRAME_URL, socket('open-3').received(CONNECTED).events);
    tracker.onSocketEvents(0, FRAME_URL, socket('undecided').received(CONNECTED).events.slice(1));
    assert.deepEqual(tracker.sockets().map((s) => s.id), ['open-1', 'open-2', 'open-3'], 'the undecided one was evicted');
  });

  it('decides an undecided socket whose buffer fills up', () => {
    const { tracker, records } = setup({ maxBufferedEvents: 4 });
    const events = socket('noisy').open().events;
    for (let i = 0; i < 10; i++) events.push({ type: 'error', socketId: 'noisy', time: T + i });
    tracker.onSocketEvents(0, FRAME_URL, events);
    tracker.onSocketEvents(0, FRAME_URL, socket('noisy').received(CONNECTED).events.slice(1));
    assert.deepEqual(tracker.sockets(), []);
    assert.deepEqual(records, []);
  });

  it('keeps at most maxSubscriptionsPerSocket subscriptions, dropping closed ones first', () => {
    const { tracker, view } = setup({ maxSubscriptionsPerSocket: 3 });
    const s = socket('s').received(CONNECTED).sent(sub(1)).sent(sub(2)).sent('{"op":"unsubscribe","requestId":2}');
    s.received('{"op":"unsubscribed","clientId":"client-1","requestId":2}').sent(sub(3)).sent(sub(4)).sent(sub(5));
    tracker.onSocketEvents(0, FRAME_URL, s.events);
    assert.deepEqual(view('s')!.subscriptions.map((x) => x.requestId), [3, 4, 5]);
  });
});

describe('PageTracker after the background restarted', () => {
  it('rebuilds sockets from the relay’s replay with one "resumed" record each, then records live frames', () => {
    const log = new ReplayLog();
    const all = setup();
    for (const event of fixtureEvents()) {
      if (event.socketId !== 'c1' || event.type !== 'close') {
        log.observe(event);
        all.tracker.onSocketEvents(0, FRAME_URL, [event]);
      }
    }
    const { tracker, records, view } = setup();
    tracker.onSocketEvents(0, FRAME_URL, log.snapshot(), { replay: true });
    const subscribedIds = all.view('c1')!.subscriptions.filter((s) => s.state === 'subscribed').map((s) => s.requestId);
    assert.ok(subscribedIds.length > 0);
    assert.deepEqual(records.map((r) => [r.label, r.source]), [
      ['resumed', { type: 'pageSocket', socketId: 'c1', frameId: 0 }],
      ...subscribedIds.map(() => ['possible gap', { type: 'pageSocket', socketId: 'c1', frameId: 0 }]),
    ]);
    assert.deepEqual(
      records.slice(1).map((r) => r.subscriptionKey),
      subscribedIds.map((id) => `pageSocket:c1/${id}`),
      'each subscription the page holds may have missed events while no worker recorded it',
    );
    assert.deepEqual(records[0]!.marker, {
      type: 'resumed',
      url: 'ws://127.0.0.1:1338/parse',
      state: 'open',
      subscriptions: 5,
      applicationId: all.view('c1')!.applicationId,
      clientId: all.view('c1')!.clientId,
    });
    assert.match(records[0]!.summary, /ws:\/\/127\.0\.0\.1:1338\/parse: state rebuilt .* \(5 subscription\(s\)\)/);
    const rebuilt = view('c1')!;
    const original = all.view('c1')!;
    assert.deepEqual(
      rebuilt.subscriptions.map((s) => [s.requestId, s.query, s.state]),
      original.subscriptions.filter((s) => s.state !== 'closed').map((s) => [s.requestId, s.query, s.state]),
    );
    assert.deepEqual(
      [rebuilt.state, rebuilt.applicationId, rebuilt.clientId, rebuilt.javascriptKey],
      [original.state, original.applicationId, original.clientId, original.javascriptKey],
    );
    tracker.onSocketEvents(0, FRAME_URL, [{ type: 'frame', socketId: 'c1', direction: 'received', text: create(10), time: T }]);
    assert.equal(records.at(-1)!.label, 'create');
    assert.equal(view('c1')!.subscriptions.find((s) => s.requestId === 10)!.counts.create, 1);
  });

  it('marks the time since the previous worker was last alive as a possible gap on each subscribed subscription', () => {
    const events = socket('s').open().sent(CONNECT).received(CONNECTED).sent(sub(1)).received(subscribed(1)).sent(sub(2)).events;
    const { tracker, records } = setup({ workerLastAlive: T - 5_000 });
    tracker.onSocketEvents(0, FRAME_URL, events, { replay: true });
    const gaps = records.filter((r) => r.kind === 'gap');
    assert.deepEqual(
      gaps.map((r) => [r.subscriptionKey, r.className, r.marker]),
      [['pageSocket:s/1', 'Game', { type: 'gap', from: T - 5_000, to: T, reason: 'workerRestarted' }]],
      'only the confirmed subscription (2 was still pending)',
    );
    assert.match(gaps[0]!.summary, /^the extension restarted: events between .* \(5\.0 s\) may have been missed/);
    // Without a known time: since the socket's last replayed event.
    const unknown = setup({ now: () => T + 100 });
    unknown.tracker.onSocketEvents(0, FRAME_URL, events, { replay: true });
    const gap = unknown.records.find((r) => r.kind === 'gap')!;
    assert.deepEqual(gap.marker, { type: 'gap', from: events.at(-1)!.time, to: T + 100, reason: 'workerRestarted' });
  });

  it('ignores a replay of sockets it already knows, and records dropped events as a gap', () => {
    const { tracker, records } = setup();
    const events = socket('s').open().sent(CONNECT).received(CONNECTED).events;
    tracker.onSocketEvents(0, FRAME_URL, events);
    const before = records.length;
    tracker.onSocketEvents(0, FRAME_URL, events, { replay: true });
    assert.equal(records.length, before);
    tracker.onSocketEvents(2, 'http://frame.test/', [], { dropped: 7 });
    assert.deepEqual(
      [records.at(-1)!.kind, records.at(-1)!.marker, records.at(-1)!.source],
      ['gap', { type: 'relayDropped', count: 7 }, { type: 'document', frameId: 2 }],
    );
    assert.match(records.at(-1)!.summary, /^7 page socket event/);
  });

  it('keeps a replayed socket that is still undecided, and records it once it decides', () => {
    const { tracker, records } = setup();
    tracker.onSocketEvents(0, FRAME_URL, socket('s').open().sent(CONNECT).events, { replay: true });
    assert.equal(records.length, 0);
    tracker.onSocketEvents(0, FRAME_URL, socket('s').open().sent(CONNECT).received(CONNECTED).events.slice(3));
    assert.deepEqual(records.map((r) => r.label), ['connecting', 'open', 'connect', 'connected']);
  });
});

describe('PageTracker: injected frames', () => {
  it('records an injected frame as the event it is, marked injected, and counts it as the page saw it', () => {
    const { tracker, records, view } = setup();
    const s = socket('inj').open().sent(CONNECT).received(CONNECTED).sent(sub(1)).received(subscribed(1));
    s.events.push({ type: 'frame', socketId: 'inj', direction: 'received', text: create(1), injected: true, time: T + 99 });
    s.received(create(1, 'o2'));
    tracker.onSocketEvents(0, FRAME_URL, s.events);
    const events = records.filter((r) => r.kind === 'create');
    assert.deepEqual(events.map((r) => [r.injected, r.objectId]), [[true, 'o1'], [undefined, 'o2']]);
    assert.match(events[0]!.summary, /^injected · /);
    assert.equal(view('inj')!.subscriptions[0]!.counts.create, 2);
  });

  it('says where an injection goes, or why it cannot go anywhere', () => {
    const { tracker } = setup();
    tracker.onSocketEvents(3, FRAME_URL, socket('t').open().sent(CONNECT).received(CONNECTED).sent(sub(4)).events);
    assert.deepEqual(tracker.injectionTarget('t', 4), { frameId: 3, clientId: 'client-1' });
    assert.throws(() => tracker.injectionTarget('t', 5), /no subscription with requestId 5: nothing was injected/);
    assert.throws(() => tracker.injectionTarget('gone', 4), /unknown page socket gone \(the page may have navigated\)/);
    tracker.onSocketEvents(3, FRAME_URL, socket('t').close().events.slice(1));
    assert.throws(() => tracker.injectionTarget('t', 4), /is closed: nothing was injected/);
  });
});
