import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signal } from '@preact/signals';
import { exportRecording } from '../../src/timeline/export.js';
import type { FormerServer, ServerView } from '../../src/views.js';
import { manualFrames, workerRecords } from './fakes.js';
import type { TokenEntry } from './keyring.js';
import { createPageStore } from './page.js';
import { createRecordingFilesStore, describeFilter } from './recording-files.js';
import { createTimelineStore } from './timeline.js';

const TOKEN = 'r:0123456789abcdef0123456789abcdef';

function setup(extraSockets = false, importFormats?: () => Promise<typeof import('../../src/timeline/export.js')>) {
  const frames = manualFrames();
  const page = createPageStore({ settings: {}, worker: { setPreserveLog: () => undefined } });
  const timeline = createTimelineStore({ settings: {}, nextFrame: frames.nextFrame, page, clearBacklog: () => undefined });
  const records = workerRecords();
  timeline.receive([
    records.rec({ kind: 'sent', label: 'connect', raw: JSON.stringify({ op: 'connect', applicationId: 'app', sessionToken: TOKEN }) }),
    records.rec({ kind: 'create', className: 'Game', summary: `note of ${'custom-secret-1'}` }),
  ]);
  const servers = signal<ServerView[]>([
    { id: 's', spec: { serverURL: 'ws://a.test', applicationId: 'app', masterKey: 'master-key-1' }, enabled: true, state: 'connected', attempt: 0, subscriptions: [] },
    ...(extraSockets
      ? [{ id: 's~2', spec: { serverURL: 'ws://a.test', applicationId: 'app', masterKey: 'master-key-1' }, socketOf: { serverId: 's', index: 2 }, enabled: true, state: 'connected' as const, attempt: 0, subscriptions: [] }]
      : []),
  ]);
  const keyring = { entries: signal<TokenEntry[]>([{ id: 'k', serverKey: 'ws://a.test|app', name: 'x', token: 'custom-secret-1', origin: 'pasted' }]) };
  const files = createRecordingFilesStore({
    timeline,
    servers,
    pageSockets: page.sockets,
    sourceNames: signal(new Map([['server:s', 'a.test']])),
    keyring,
    clock: () => Date.UTC(2026, 0, 2, 3, 4, 5),
    ...(importFormats ? { importFormats } : {}),
  });
  return { files, timeline };
}

describe('createRecordingFilesStore', () => {
  it('exports a recording with secrets (and the keyring’s tokens) redacted unless asked', async () => {
    const { files } = setup();
    const redacted = await files.exportFile('recording', { scope: 'all', includeSecrets: false });
    assert.equal(redacted.fileName, 'livequery-2026-01-02T03-04-05.lqrec.json');
    assert.equal(redacted.count, 2);
    for (const secret of [TOKEN, 'master-key-1', 'custom-secret-1']) assert.ok(!redacted.text.includes(secret), secret);
    const open = await files.exportFile('recording', { scope: 'all', includeSecrets: true });
    for (const secret of [TOKEN, 'master-key-1', 'custom-secret-1']) assert.ok(open.text.includes(secret), secret);
  });

  it('lists a server entry once, not once per socket it opens', async () => {
    const { files } = setup(true);
    const recording = JSON.parse((await files.exportFile('recording', { scope: 'all', includeSecrets: false })).text) as { servers: unknown[] };
    assert.equal(recording.servers.length, 1);
  });

  it('exports only the filtered records, saying by which filter; or a HAR', async () => {
    const { files, timeline } = setup();
    timeline.setFilter({ kinds: ['create'], text: 'note' });
    const filtered = await files.exportFile('recording', { scope: 'filtered', includeSecrets: false });
    assert.equal(filtered.count, 1);
    assert.match(filtered.text, /"filter":"kinds create; text note"/);
    const har = await files.exportFile('har', { scope: 'all', includeSecrets: false });
    assert.equal(har.fileName, 'livequery-2026-01-02T03-04-05.har');
    assert.ok(!har.text.includes(TOKEN));
    assert.equal(describeFilter({ kinds: [], subscriptionKey: 'k', className: 'Game', source: 'page:p', text: 'a+', regex: true }), 'source page:p; subscription k; class Game; regex a+');
  });

  it('a HAR names a removed server’s socket by its URL, not "unknown"', async () => {
    const frames = manualFrames();
    const page = createPageStore({ settings: {}, worker: { setPreserveLog: () => undefined } });
    const timeline = createTimelineStore({ settings: {}, nextFrame: frames.nextFrame, page, clearBacklog: () => undefined });
    const records = workerRecords();
    timeline.receive([records.rec({ kind: 'sent', label: 'connect', source: { type: 'server', serverId: 'gone' }, raw: '{"op":"connect"}' })]);
    const files = createRecordingFilesStore({
      timeline,
      servers: signal<ServerView[]>([]),
      formerServers: signal<FormerServer[]>([{ id: 'gone', serverURL: 'wss://old.test/parse' }]),
      pageSockets: page.sockets,
      sourceNames: signal(new Map()),
      keyring: { entries: signal<TokenEntry[]>([]) },
    });
    const har = JSON.parse((await files.exportFile('har', { scope: 'all', includeSecrets: false })).text) as { log: { entries: { request: { url: string } }[] } };
    assert.deepEqual(har.log.entries.map((e) => e.request.url), ['wss://old.test/parse']);
  });

  it('opens a recording file in place of the timeline, or says why it cannot', async () => {
    const { files, timeline } = setup();
    const text = exportRecording(timeline.records('all'), { exportedAt: 0, appVersion: 'test' });
    assert.deepEqual(await files.open('a.json', text), { ok: true, count: 2 });
    assert.equal(timeline.imported.value?.name, 'a.json');
    const refused = await files.open('b.json', '{"format":"something else"}');
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.error, /not a LiveQuery DevTools recording/);
  });

  it('a formats chunk that fails to load is a clear message on export and on open', async () => {
    const { files } = setup(false, () => Promise.reject(new TypeError('Failed to fetch dynamically imported module')));
    await assert.rejects(files.exportFile('har', { scope: 'all', includeSecrets: false }), /^Error: Could not load the recording formats: Failed to fetch dynamically imported module\. If the extension was updated or reloaded, close and reopen DevTools\.$/);
    assert.deepEqual(await files.open('a.json', '{}'), {
      ok: false,
      error: 'Could not load the recording formats: Failed to fetch dynamically imported module. If the extension was updated or reloaded, close and reopen DevTools.',
    });
  });
});
