import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signal } from '@preact/signals';
import type { RecordDraft } from '../../src/timeline/record.js';
import { emptyCounts, type ServerSpec, type ServerView } from '../../src/views.js';
import { createFirstRun, FIRST_RUN_KEY, sanitizeDefaults, type Defaults } from './first-run.js';
import { memoryStorage, settle } from './fakes.js';

const demo: ServerSpec = { serverURL: 'ws://127.0.0.1:4040/parse', applicationId: 'lq-app', javascriptKey: 'js', label: 'demo (embedded)' };
const defaults: Defaults = { server: demo, query: { className: 'Message' }, firstRun: { addServer: true, subscribe: true } };

function setup(options: { defaults?: Defaults; stored?: Record<string, unknown>; failAdd?: boolean } = {}) {
  const servers = signal<ServerView[]>([]);
  const commands: unknown[] = [];
  const records: RecordDraft[] = [];
  const storage = memoryStorage(options.stored);
  const firstRun = createFirstRun({
    defaults: options.defaults ?? defaults,
    storage,
    connections: {
      servers,
      async addServer(spec) {
        commands.push({ type: 'addServer', spec });
        if (options.failAdd) throw new Error('refused');
        // The service worker reports the new server a little later.
        setTimeout(() => (servers.value = [{ id: 'srv-1', spec, enabled: true, state: 'connecting', attempt: 0, subscriptions: [] }]), 1);
      },
      async subscribe(serverId, query) {
        commands.push({ type: 'subscribe', serverId, query });
      },
    },
    addLocalRecord: (draft) => records.push(draft),
    now: () => 1,
  });
  return { firstRun, commands, records, storage, servers };
}

describe('createFirstRun', () => {
  it('adds the demo server and subscribes to its class on the first run, and notes that it did', async () => {
    const { firstRun, commands, storage } = setup();
    assert.equal(await firstRun.welcome([]), 'added');
    assert.deepEqual(commands, [
      { type: 'addServer', spec: demo },
      { type: 'subscribe', serverId: 'srv-1', query: { className: 'Message', where: {} } },
    ]);
    assert.equal((await storage.get([FIRST_RUN_KEY]))[FIRST_RUN_KEY], true);
    assert.equal(await firstRun.welcome([]), 'skipped', 'once per panel, even when the service worker says welcome again');
  });

  it('never again once done: a user who removed the demo server does not get it back', async () => {
    const { firstRun, commands } = setup({ stored: { [FIRST_RUN_KEY]: true } });
    assert.equal(await firstRun.welcome([]), 'skipped');
    assert.deepEqual(commands, []);
  });

  it('does nothing without the defaults asking for it, or when the tab already has servers', async () => {
    assert.equal(await setup({ defaults: { server: demo } }).firstRun.welcome([]), 'skipped');
    const existing: ServerView = { id: 's', spec: demo, enabled: true, state: 'connected', attempt: 0, subscriptions: [{ id: 'x', query: { className: 'A', where: {} }, state: 'subscribed', counts: emptyCounts() }] };
    const { firstRun, commands } = setup();
    assert.equal(await firstRun.welcome([existing]), 'skipped');
    assert.deepEqual(commands, []);
  });

  it('says in the timeline why the server could not be added, and does not try at every start', async () => {
    const { firstRun, records, storage } = setup({ failAdd: true });
    assert.equal(await firstRun.welcome([]), 'skipped');
    await settle();
    assert.equal(records.length, 1);
    assert.match(records[0]!.summary, /could not be added on this first run: refused/);
    assert.equal((await storage.get([FIRST_RUN_KEY]))[FIRST_RUN_KEY], true);
  });

  it('reads dev-defaults.json leaving malformed parts out', () => {
    assert.deepEqual(sanitizeDefaults('nope'), {});
    assert.deepEqual(sanitizeDefaults({ server: { serverURL: 'ws://x', applicationId: 7 }, query: { className: '' }, firstRun: { addServer: 'yes' } }), {
      firstRun: { addServer: false, subscribe: false },
    });
    assert.deepEqual(sanitizeDefaults(defaults), defaults);
    const withRest: Defaults = { ...defaults, server: { ...demo, restURL: 'http://127.0.0.1:4040/parse' } };
    assert.deepEqual(sanitizeDefaults(withRest), withRest, 'npm start --rest-url reaches the server entry');
  });
});
