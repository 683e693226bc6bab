import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ParseJSON } from '../../src/livequery/protocol.js';
import type { TimelineRecord } from '../../src/timeline/record.js';
import { emptyCounts, type PageSocketView, type ServerView } from '../../src/views.js';
import { fakePage, fakePort, fakeRest, manualFrames, memoryStorage, workerRecords } from './fakes.js';
import { BACKLOG_ANSWER_MS, createPanelStore } from './panel-store.js';
import type { PanelSettings } from './settings.js';

const server = (id: string, subscriptionIds: string[] = []): ServerView => ({
  id,
  spec: { serverURL: `ws://${id}.test/parse`, applicationId: 'app' },
  enabled: true,
  state: 'connected',
  attempt: 0,
  subscriptions: subscriptionIds.map((subId) => ({ id: subId, query: { className: 'Game', where: {} }, state: 'subscribed', counts: emptyCounts() })),
});

const pageSocket = (id: string, generation: number, requestIds: number[] = []): PageSocketView => ({
  id,
  frameId: 0,
  frameUrl: 'https://app.test/',
  generation,
  url: 'ws://app.test/parse',
  state: 'open',
  subscriptions: requestIds.map((requestId) => ({ requestId, query: { className: 'Note', where: {} }, state: 'subscribed', counts: emptyCounts() })),
});

function setup(settings: PanelSettings = {}) {
  const port = fakePort();
  const frames = manualFrames();
  const store = createPanelStore({
    port,
    local: memoryStorage(),
    rest: fakeRest(),
    page: fakePage(new Error('no page')),
    nextFrame: frames.nextFrame,
    now: () => 1_746_093_600_000,
    settings,
  });
  const records = workerRecords();
  const welcome = (overrides: { servers?: ServerView[]; pageSockets?: PageSocketView[]; backlog?: TimelineRecord[]; backlogDropped?: number; epoch?: string } = {}) =>
    port.emit({ type: 'welcome', epoch: 'epoch-1', servers: [], pageSockets: [], backlog: [], backlogDropped: 0, ...overrides });
  const batch = (batchRecords: TimelineRecord[], views: { servers?: ServerView[]; pageSockets?: PageSocketView[] } = {}) =>
    port.emit({ type: 'batch', records: batchRecords, ...views });
  return { store, port, frames, records, welcome, batch };
}

const game = (objectId: string): ParseJSON => ({ className: 'Game', objectId });
const resultIds = (store: ReturnType<typeof setup>['store'], key: string) => store.resultSets.of(key).value.objects().map((o) => o.objectId);

describe('createPanelStore', () => {
  it('"Why no event?" opens on a subscription the service worker reports, finds its recorded event in the timeline, and closes back to it', () => {
    const { store, frames, records, welcome } = setup();
    const key = 'pageSocket:p1/4';
    const created = records.event('create', key, { className: 'Note', objectId: 'n1' });
    welcome({ pageSockets: [{ ...pageSocket('p1', 0, [4]), applicationId: 'app' }], backlog: [created] });
    frames.flush();
    assert.equal(store.why.open('server:gone/x'), false, 'a subscription that is gone');
    assert.equal(store.view.main.value.type, 'timeline');
    assert.equal(store.why.open(key, 'n1'), true);
    assert.deepEqual(store.view.main.value, { type: 'why', subscriptionKey: key, title: 'page #4 Note' });
    assert.equal(store.why.recorded.value?.op, 'create');
    store.why.close();
    assert.equal(store.view.main.value.type, 'timeline');
  });

  it('takes servers, page sockets and the backlog from the welcome, and selects a server', () => {
    const { store, frames, records, welcome } = setup();
    welcome({ servers: [server('a'), server('b')], pageSockets: [pageSocket('p1', 0)], backlog: [records.rec({ kind: 'connection' })] });
    frames.flush();
    assert.deepEqual(store.connections.servers.value.map((s) => s.id), ['a', 'b']);
    assert.deepEqual(store.page.sockets.value.map((s) => s.id), ['p1']);
    assert.equal(store.view.selectedServerId.value, 'a');
    assert.equal(store.timeline.rows.value.size, 1);
  });

  it('says so in the timeline when the service worker’s backlog dropped records', () => {
    const { store, frames, records, welcome } = setup();
    welcome({ backlog: [records.rec({ kind: 'create' })], backlogDropped: 7 });
    frames.flush();
    const gap = store.timeline.rows.value.at(1)!;
    assert.deepEqual(gap.marker, { type: 'backlogDropped', count: 7 });
    assert.deepEqual(gap.source, { type: 'extension' });
    assert.match(gap.summary, /^7 older record\(s\) were dropped/);
  });

  it('keeps the counters it showed when the service worker restarts and counts from 0 again', () => {
    const { store, frames, welcome, batch } = setup();
    const counted = (n: number) => ({ ...emptyCounts(), create: n });
    const withCounts = (view: ServerView, n: number): ServerView => ({
      ...view,
      subscriptions: view.subscriptions.map((sub) => ({ ...sub, counts: counted(n) })),
    });
    const socketWithCounts = (view: PageSocketView, n: number): PageSocketView => ({
      ...view,
      subscriptions: view.subscriptions.map((sub) => ({ ...sub, counts: counted(n) })),
    });
    welcome({ servers: [withCounts(server('a', ['s1']), 3)], pageSockets: [socketWithCounts(pageSocket('p1', 0, [1]), 2)] });
    welcome({ servers: [withCounts(server('a', ['s1']), 4)], pageSockets: [socketWithCounts(pageSocket('p1', 0, [1]), 2)] });
    assert.equal(store.connections.servers.value[0]!.subscriptions[0]!.counts.create, 4, 'same worker: its counts as they are');
    // The worker restarts: its counts start again from 0, the rows of the earlier one are still on screen.
    welcome({ epoch: 'epoch-2', servers: [server('a', ['s1', 's2'])], pageSockets: [pageSocket('p1', 0, [1])] });
    assert.deepEqual(store.connections.servers.value[0]!.subscriptions.map((s) => s.counts.create), [4, 0]);
    assert.equal(store.page.sockets.value[0]!.subscriptions[0]!.counts.create, 2);
    batch([], { servers: [withCounts(server('a', ['s1', 's2']), 1)], pageSockets: [socketWithCounts(pageSocket('p1', 0, [1]), 5)] });
    frames.flush();
    assert.deepEqual(store.connections.servers.value[0]!.subscriptions.map((s) => s.counts.create), [5, 1]);
    assert.equal(store.page.sockets.value[0]!.subscriptions[0]!.counts.create, 7);
    // A second restart adds to what was shown.
    welcome({ epoch: 'epoch-3', servers: [withCounts(server('a', ['s1']), 1)] });
    assert.equal(store.connections.servers.value[0]!.subscriptions[0]!.counts.create, 6);
  });

  it('counts page loads from zero again when the service worker restarted (a new epoch)', () => {
    const { store, records, welcome, batch } = setup();
    welcome();
    batch([records.pageLoad(4)]);
    assert.equal(store.page.generation.value, 4);
    welcome();
    assert.equal(store.page.generation.value, 4, 'same worker: a reconnect keeps the generation');
    welcome({ epoch: 'epoch-2' });
    assert.equal(store.page.generation.value, 0);
  });

  it('answers each backlog part once its frame is painted, or after a while when no frame comes (a hidden panel)', () => {
    const port = fakePort();
    const frames = manualFrames();
    const timers: { ms: number; run(): void; done: boolean }[] = [];
    const after = (ms: number, run: () => void) => {
      const timer = { ms, run, done: false };
      timers.push(timer);
      return () => void (timer.done = true);
    };
    const fire = (ms: number) => {
      for (const timer of timers.filter((t) => t.ms === ms && !t.done)) {
        timer.done = true;
        timer.run();
      }
    };
    createPanelStore({ port, local: memoryStorage(), rest: fakeRest(), page: fakePage(new Error('no page')), nextFrame: frames.nextFrame, now: () => 1, settings: {}, after });
    const records = workerRecords();
    const answers = () => port.sent.filter((m) => m.type === 'backlogReceived');

    port.emit({ type: 'welcome', epoch: 'epoch-1', servers: [], pageSockets: [], backlog: [records.rec({ kind: 'create' })], backlogDropped: 0, backlogPart: 0 });
    fire(0);
    assert.deepEqual(answers(), [], 'not before the frame');
    frames.flush();
    fire(0);
    assert.deepEqual(answers(), [{ type: 'backlogReceived', part: 0 }], 'after the frame that shows it');
    fire(BACKLOG_ANSWER_MS);
    assert.equal(answers().length, 1, 'once');

    port.emit({ type: 'batch', records: [records.rec({ kind: 'update' })], backlogPart: 1 });
    fire(BACKLOG_ANSWER_MS);
    assert.deepEqual(answers().at(-1), { type: 'backlogReceived', part: 1 }, 'no frame came: answered after a while');
    frames.flush();
    fire(0);
    assert.equal(answers().length, 2, 'a late frame answers nothing more');

    port.emit({ type: 'batch', records: [records.rec({ kind: 'delete' })] });
    frames.flush();
    fire(0);
    fire(BACKLOG_ANSWER_MS);
    assert.equal(answers().length, 2, 'live batches need no answer');
  });

  it('says hello with the newest record received and preserve log, and tells the worker when it changes', () => {
    const { store, port, records, batch } = setup({ preserveLog: true });
    store.connect();
    assert.deepEqual(port.hello!(), { resumeFrom: undefined, preserveLog: true });
    batch([records.rec({ kind: 'create' }), records.rec({ kind: 'update' })]);
    store.page.setPreserveLog(false);
    assert.deepEqual(port.hello!(), { resumeFrom: { epoch: 'epoch-1', seq: 2 }, preserveLog: false });
    assert.deepEqual(port.sent, [{ type: 'setPreserveLog', on: false }]);
  });

  it('keeps result sets apart from the timeline: Clear, pausing and the capacity limit leave them unchanged', () => {
    const { store, port, frames, records, welcome, batch } = setup({ capacity: 1000 });
    welcome({ servers: [server('srv', ['sub'])] });
    const sub = 'server:srv/sub';
    batch([records.event('create', sub, game('a')), records.event('create', sub, game('b'))]);
    frames.flush();
    const before = store.resultSets.of(sub).value;

    store.timeline.clear();
    assert.equal(store.timeline.rows.value.size, 0);
    assert.deepEqual(port.sent, [], 'the worker keeps its backlog while Undo is offered');
    store.timeline.forgetClear();
    assert.deepEqual(port.sent, [{ type: 'clearBacklog', through: store.timeline.lastSeen() }]);
    assert.equal(store.resultSets.of(sub).value, before, 'Clear: the same set');
    assert.deepEqual(resultIds(store, sub), ['a', 'b']);

    store.timeline.toggleRecording();
    batch([records.event('create', sub, game('while-paused')), records.event('delete', sub, game('a'))]);
    frames.flush();
    assert.equal(store.timeline.rows.value.size, 0, 'the paused timeline kept nothing');
    assert.deepEqual(resultIds(store, sub), ['b', 'while-paused'], 'the result set followed the events');
    store.timeline.toggleRecording();

    batch(Array.from({ length: 1200 }, (_, i) => records.rec({ kind: 'received', label: 'noise', summary: `noise ${i}` })));
    frames.flush();
    assert.equal(store.timeline.rows.value.dropped, 200);
    assert.deepEqual(resultIds(store, sub), ['b', 'while-paused'], 'the capacity limit dropped records, not objects');
  });

  it('forgets the result sets of subscriptions the service worker no longer reports, but not the one on screen', () => {
    const { store, frames, records, welcome, batch } = setup();
    welcome({ servers: [server('srv', ['s1', 's2', 's3'])], pageSockets: [pageSocket('p', 0, [1])] });
    batch([
      records.event('create', 'server:srv/s1', game('a')),
      records.event('create', 'server:srv/s2', game('b')),
      records.event('create', 'server:srv/s3', game('c')),
      records.event('create', 'pageSocket:p/1', game('d')),
    ]);
    store.view.showResults({ subscriptionKey: 'server:srv/s3', title: 's3', serverId: 'srv' });
    batch([], { servers: [server('srv', ['s1'])] });
    frames.flush();
    assert.deepEqual(resultIds(store, 'server:srv/s1'), ['a']);
    assert.deepEqual(resultIds(store, 'server:srv/s2'), [], 'unsubscribed: forgotten');
    assert.deepEqual(resultIds(store, 'server:srv/s3'), ['c'], 'still on screen');
    assert.deepEqual(resultIds(store, 'pageSocket:p/1'), ['d'], 'the page subscription is still reported');
  });

  it('follows the worker’s view updates in batches and the port’s status', () => {
    const { store, port, frames, welcome, batch } = setup();
    port.setStatus(true);
    assert.equal(store.connections.connected.value, true);
    welcome({ servers: [server('a')] });
    batch([], { servers: [server('a'), server('b', ['s'])], pageSockets: [pageSocket('p', 1, [1])] });
    frames.flush();
    assert.deepEqual(store.connections.servers.value.map((s) => s.id), ['a', 'b']);
    assert.equal(store.page.sockets.value.length, 1);
    assert.deepEqual(store.names.knownClasses.value, ['Game', 'Note']);
    port.setStatus(false);
    assert.equal(store.connections.connected.value, false);
  });

  it('notes a query the composer refuses in the timeline, for the selected server', async () => {
    const { store, port, frames, welcome } = setup();
    welcome({ servers: [server('a')] });
    store.composer.update({ className: 'Game', where: '{ nope' });
    await assert.rejects(store.composer.submit('a'), /not valid JSON/);
    frames.flush();
    assert.equal(port.commands.length, 0);
    const refused = store.timeline.rows.value.at(0)!;
    assert.equal(refused.marker?.type, 'invalidQuery');
    assert.deepEqual(refused.source, { type: 'server', serverId: 'a' });
  });

  it('loads the query history from storage, and shows the keyring the service worker sends', async () => {
    const port = fakePort();
    const local = memoryStorage({ queryHistory: [{ query: { className: 'Game', where: {} }, time: 5 }] });
    const store = createPanelStore({
      port,
      local,
      rest: fakeRest(),
      page: fakePage(new Error('no page')),
      nextFrame: () => undefined,
      now: () => 0,
      settings: {},
    });
    await store.load();
    assert.deepEqual(store.composer.history.entries.value.map((e) => e.time), [5]);
    const alice = { id: 'k1', serverKey: 'ws://a|app', name: 'alice', token: 'r:a', origin: 'pasted' as const };
    port.emit({ type: 'keyring', keyring: { entries: [alice], persisted: true } });
    assert.deepEqual(store.keyring.entries.value, [alice]);
    assert.equal(store.keyring.persisted.value, true);
    await store.keyring.setPersisted(false);
    assert.deepEqual(port.commands, [{ type: 'keyringSetPersisted', persisted: false }], 'a command to the owner, not a write');
    assert.deepEqual([...local.items.keys()], ['queryHistory']);
  });
});

describe('panel store: fleets', () => {
  it('names the records of a fleet node "fleet · node", follows down/back, and sweeps a closed panel’s check subscriptions', () => {
    const { store, port, frames, welcome, batch } = setup();
    const a = { ...server('a'), spec: { serverURL: 'ws://a.test/parse', applicationId: 'app', restURL: 'http://api.test/parse' } };
    const b = { ...server('b', ['fanout-old']), spec: { serverURL: 'ws://b.test/parse', applicationId: 'app', restURL: 'http://api.test/parse' } };
    welcome({ servers: [a, b] });
    assert.equal(store.names.sourceNames.value.get('server:a'), 'app · a.test/parse');
    assert.equal(store.names.sourceNames.value.get('server:b'), 'app · b.test/parse');
    assert.deepEqual(port.commands, [{ type: 'unsubscribe', serverId: 'b', subscriptionId: 'fanout-old' }]);
    batch([], { servers: [a, { ...b, state: 'reconnecting' }] });
    frames.flush();
    assert.equal(store.fleets.stats.value.get('b')!.downSince, 1_746_093_600_000);
  });
});
