import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateWhere } from '../../src/composer/where-check.js';
import type { RecordDraft } from '../../src/timeline/record.js';
import { emptyCounts } from '../../src/views.js';
import { createComposerStore } from './composer.js';
import { createConnectionsStore } from './connections.js';
import { fakePort, memoryStorage, settle } from './fakes.js';
import { MAX_HISTORY } from './history.js';

function setup(storage = memoryStorage()) {
  const port = fakePort();
  const local: RecordDraft[] = [];
  const selected: string[] = [];
  const composer = createComposerStore({
    connections: createConnectionsStore(port),
    storage,
    addLocalRecord: (draft) => local.push(draft),
    selectServer: (id) => selected.push(id),
    now: () => 42,
  });
  return { composer, port, local, selected, storage };
}

describe('createComposerStore', () => {
  it('subscribes with the draft as a query and its token, and puts the query first in the history', async () => {
    const { composer, port, storage } = setup();
    composer.update({ className: ' Game ', where: '{"score": {"$gt": 1}}', keys: 'score, name', sessionToken: ' r:alice ' });
    assert.equal(await composer.submit('s'), 'subscribed');
    const query = { className: 'Game', where: { score: { $gt: 1 } }, keys: ['score', 'name'] };
    assert.deepEqual(port.commands, [{ type: 'subscribe', serverId: 's', query, sessionToken: 'r:alice' }]);
    assert.deepEqual(composer.history.entries.value.map((e) => e.query), [query]);
    await settle();
    assert.deepEqual((storage.items.get('queryHistory') as { query: unknown }[]).map((e) => e.query), [query]);
  });

  it('refuses an invalid draft with the reason, notes it in the timeline and sends nothing', async () => {
    const { composer, port, local } = setup();
    composer.update({ className: 'Game', where: '{"score": ' });
    assert.equal(composer.parsed.value.ok, false);
    await assert.rejects(composer.submit('s'), /"where" is not valid JSON/);
    assert.equal(port.commands.length, 0);
    assert.equal(local.length, 1);
    assert.equal(local[0]!.marker?.type, 'invalidQuery');
    assert.equal(local[0]!.time, 42);
    assert.match(local[0]!.summary, /^not sent: /);
    assert.equal(composer.history.entries.value.length, 0);
  });

  it('sends a where the linter flags (the user may want the server\'s answer); the builder\'s check goes along, not blocking', async () => {
    const { composer, port, local } = setup();
    composer.update({ className: 'Game', where: '{"score": {"$near": 1}}' });
    const parsed = composer.parsed.value;
    assert.ok(parsed.ok);
    assert.match(validateWhere(parsed.query.where) ?? '', /unknown operator \$near/, 'the builder’s check (shown with the lint) flags it');
    await composer.submit('s');
    assert.deepEqual(port.commands, [{ type: 'subscribe', serverId: 's', query: { className: 'Game', where: { score: { $near: 1 } } }, sessionToken: undefined }]);
    assert.equal(local.length, 0);
    composer.update({ where: '[1]' });
    assert.deepEqual(composer.parsed.value, { ok: false, field: 'where', error: '"where": where must be a JSON object' });
  });

  it('refuses a watch (or keys) field name that can never fire, on that field, in the where’s message style', async () => {
    const { composer, port } = setup();
    composer.update({ className: 'Game', watch: 'score, $bad field' });
    assert.deepEqual(composer.parsed.value, {
      ok: false,
      field: 'watch',
      error: '"watch": "$bad field" is not a field name (a field name starts with a letter and has only letters, digits and _)',
    });
    await assert.rejects(composer.submit('s'), /"watch": "\$bad field"/);
    assert.equal(port.commands.length, 0);
    composer.update({ watch: 'score', keys: 'name, bad-key' });
    assert.equal(composer.parsed.value.ok === false && composer.parsed.value.field, 'keys');
  });

  it('loads a where 50,000 levels deep (a page’s) without a stack overflow, and refuses to send it with the reason', async () => {
    const { composer, port } = setup();
    let where: Record<string, unknown> = { a: 1 };
    for (let i = 0; i < 50_000; i++) where = { $or: [where] };
    composer.load({ className: 'Game', where });
    assert.ok(composer.draft.value.where.startsWith('{"$or":[{"$or":['), 'written on one line');
    assert.deepEqual(composer.parsed.value, { ok: false, field: 'where', error: '"where": where nests deeper than 100 levels' });
    await assert.rejects(composer.submit('s'), /deeper than 100 levels/);
    assert.equal(port.commands.length, 0);
  });

  it('edits a live subscription in place with the update op, on its own server only', async () => {
    const { composer, port, selected } = setup();
    const sub = { id: 'sub', requestId: 3, query: { className: 'Game', where: { a: 1 } }, state: 'subscribed' as const, counts: emptyCounts() };
    composer.edit('s1', sub);
    assert.deepEqual(composer.editing.value, { serverId: 's1', subscriptionId: 'sub', requestId: 3 });
    assert.deepEqual(selected, ['s1']);
    assert.equal(composer.draft.value.className, 'Game');
    assert.equal(await composer.submit('s2'), 'subscribed', 'another server: a new subscription');
    composer.update({ where: '{"a": 2}' });
    assert.equal(await composer.submit('s1'), 'updated');
    assert.equal(composer.editing.value, null);
    assert.deepEqual(port.commands.map((c) => c.type), ['subscribe', 'updateSubscription']);
    assert.deepEqual(port.commands[1], { type: 'updateSubscription', serverId: 's1', subscriptionId: 'sub', query: { className: 'Game', where: { a: 2 } } });
  });

  it('keeps editing when the service worker refuses the update', async () => {
    const { composer, port } = setup();
    composer.edit('s', { id: 'sub', query: { className: 'Game', where: {} }, state: 'subscribed', counts: emptyCounts() });
    port.nextError = 'no such subscription';
    await assert.rejects(composer.submit('s'), /no such subscription/);
    assert.notEqual(composer.editing.value, null);
    composer.cancelEdit();
    assert.equal(composer.editing.value, null);
  });

  it('re-runs a query of the history with the draft’s token; loading a query stops editing', async () => {
    const { composer, port } = setup();
    composer.editing.value = { serverId: 's', subscriptionId: 'x' };
    composer.load({ className: 'Note', where: { tag: 't' } }, 'r:bob');
    assert.equal(composer.editing.value, null);
    assert.equal(composer.draft.value.sessionToken, 'r:bob');
    await composer.rerun('s', { className: 'Game', where: {} });
    assert.deepEqual(port.commands, [{ type: 'subscribe', serverId: 's', query: { className: 'Game', where: {} }, sessionToken: 'r:bob' }]);
  });

  it('loads the stored history without malformed entries; keeps each query once, at most MAX_HISTORY', async () => {
    const storage = memoryStorage({ queryHistory: [{ query: { className: 'A', where: {} }, time: 1 }, { query: 'nope', time: 2 }, null] });
    const { composer } = setup(storage);
    await composer.history.load();
    assert.deepEqual(composer.history.entries.value.map((e) => e.query.className), ['A']);
    for (let i = 0; i < MAX_HISTORY + 5; i++) composer.history.add({ className: `C${i}`, where: {} });
    composer.history.add({ className: 'C60', where: {} });
    const names = composer.history.entries.value.map((e) => e.query.className);
    assert.equal(names.length, MAX_HISTORY);
    assert.equal(names[0], 'C60');
    assert.equal(names.filter((n) => n === 'C60').length, 1);
    composer.history.clear();
    await settle();
    assert.equal(storage.items.has('queryHistory'), false);
  });
});
