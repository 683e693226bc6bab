import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signal } from '@preact/signals';
import type { QueryJSON } from '../../src/livequery/protocol.js';
import { emptyCounts, type FormerServer, type PageSocketView, type ServerView } from '../../src/views.js';
import { createNamesStore, hostOf } from './names.js';
import type { OpenedRecording } from './timeline.js';

function setup() {
  const deps = {
    servers: signal<ServerView[]>([
      {
        id: 's1',
        spec: { serverURL: 'wss://api.test/parse', applicationId: 'app' },
        enabled: true,
        state: 'connected',
        attempt: 0,
        subscriptions: [{ id: 'x', query: { className: 'Score', where: {} }, state: 'subscribed', counts: emptyCounts() }],
      },
      { id: 's2', spec: { serverURL: 'ws://b.test/', applicationId: 'app', label: 'staging' }, enabled: true, state: 'connected', attempt: 0, subscriptions: [] },
    ]),
    pageSockets: signal<PageSocketView[]>([
      {
        id: 'p',
        frameId: 2,
        frameUrl: 'https://app.test/frame',
        generation: 0,
        url: 'ws://app.test/lq',
        state: 'open',
        subscriptions: [{ requestId: 1, query: { className: 'Note', where: {} }, state: 'subscribed', counts: emptyCounts() }],
      },
    ]),
    imported: signal<OpenedRecording | null>(null),
    seenClasses: signal<ReadonlySet<string>>(new Set(['Game'])),
    historyEntries: signal<{ query: QueryJSON }[]>([{ query: { className: 'Archive', where: {} } }]),
  };
  return { deps, names: createNamesStore(deps) };
}

describe('createNamesStore', () => {
  it('names sources by server label or host, and page sockets by frame and host', () => {
    const { names } = setup();
    assert.deepEqual([...names.sourceNames.value], [
      ['server:s1', 'api.test/parse'],
      ['server:s2', 'staging'],
      ['pageSocket:p', 'page frame 2 app.test/lq'],
    ]);
    assert.equal(hostOf('not a url'), 'not a url');
  });

  it('keeps the name of a removed server for the records it left', () => {
    const { deps } = setup();
    const formerServers = signal<FormerServer[]>([{ id: 'gone', serverURL: 'wss://old.test/parse' }, { id: 's9', serverURL: 'ws://x/', label: 'was prod' }]);
    const names = createNamesStore({ ...deps, formerServers });
    assert.equal(names.sourceNames.value.get('server:gone'), 'old.test/parse');
    assert.equal(names.sourceNames.value.get('server:s9'), 'was prod');
    assert.equal(names.sourceNames.value.get('server:s1'), 'api.test/parse', 'current servers as before');
  });

  it('tells apart page sockets of several page loads (Preserve log) and any two sources that would read the same', () => {
    const { deps, names } = setup();
    const socket = deps.pageSockets.value[0]!;
    deps.pageSockets.value = [
      { ...socket, id: 'p1', frameId: 0, generation: 1 },
      { ...socket, id: 'p2', frameId: 0, generation: 2 },
      { ...socket, id: 'p3', frameId: 0, generation: 2 },
    ];
    deps.servers.value = [...deps.servers.value, { ...deps.servers.value[0]!, id: 's3', subscriptions: [] }];
    const listed = [...names.sourceNames.value.values()];
    assert.deepEqual(listed, ['api.test/parse', 'staging', 'api.test/parse (2)', 'page app.test/lq · load 1', 'page app.test/lq · load 2', 'page app.test/lq · load 2 (2)']);
    assert.equal(new Set(listed).size, listed.length, 'no two alike');
  });

  it('names subscriptions as the lists do: #requestId and class', () => {
    const { deps, names } = setup();
    deps.servers.value = deps.servers.value.map((server) => ({ ...server, subscriptions: server.subscriptions.map((sub) => ({ ...sub, requestId: 1 })) }));
    assert.deepEqual([...names.subscriptionNames.value], [
      ['server:s1/x', '#1 Score'],
      ['pageSocket:p/1', '#1 Note'],
    ]);
  });

  it('keeps the same names map while no name changes (a batch with new counts does not re-render every row)', () => {
    const { names, deps } = setup();
    const before = names.sourceNames.value;
    deps.servers.value = deps.servers.value.map((server) => ({ ...server, attempt: server.attempt + 1 }));
    assert.equal(names.sourceNames.value, before);
    deps.servers.value = deps.servers.value.map((server) => ({ ...server, spec: { ...server.spec, label: 'renamed' } }));
    assert.notEqual(names.sourceNames.value, before);
    assert.equal(names.sourceNames.value.get('server:s1'), 'renamed');
  });

  it('uses an opened recording’s own source names', () => {
    const { deps, names } = setup();
    deps.imported.value = {
      name: 'f',
      store: undefined as never,
      recording: { format: 'livequery-devtools-recording', version: 2, exportedAt: '', app: { name: '', version: '' }, redacted: true, records: [], sources: { 'pageSocket:q': 'their page' } },
    };
    assert.deepEqual([...names.sourceNames.value], [['pageSocket:q', 'their page']]);
  });

  it('suggests every class name it knows of, sorted', () => {
    const { deps, names } = setup();
    assert.deepEqual(names.knownClasses.value, ['Archive', 'Game', 'Note', 'Score']);
    deps.seenClasses.value = new Set(['Game', 'Zebra']);
    assert.deepEqual(names.knownClasses.value, ['Archive', 'Game', 'Note', 'Score', 'Zebra']);
  });

  it('hands out the same names and classes while the servers view changes only its counters', () => {
    const { deps, names } = setup();
    const before = { sources: names.sourceNames.value, subscriptions: names.subscriptionNames.value, classes: names.knownClasses.value };
    const [first, ...rest] = deps.servers.value;
    const sub = first!.subscriptions[0]!;
    deps.servers.value = [{ ...first!, subscriptions: [{ ...sub, counts: { ...sub.counts, create: 5 } }] }, ...rest];
    assert.equal(names.sourceNames.value, before.sources);
    assert.equal(names.subscriptionNames.value, before.subscriptions);
    assert.equal(names.knownClasses.value, before.classes);
    deps.servers.value = [{ ...first!, subscriptions: [{ ...sub, id: 'y', query: { className: 'Other', where: {} } }] }, ...rest];
    assert.notEqual(names.subscriptionNames.value, before.subscriptions);
    assert.notEqual(names.knownClasses.value, before.classes);
    assert.ok(names.knownClasses.value.includes('Other'));
  });
});
