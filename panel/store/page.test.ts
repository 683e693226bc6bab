import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PageSocketView } from '../../src/views.js';
import { workerRecords } from './fakes.js';
import { createPageStore as createStore, isPageLoad } from './page.js';

function createPageStore(settings: { preserveLog?: boolean }, told: boolean[] = []) {
  return createStore({ settings, worker: { setPreserveLog: (on) => told.push(on) } });
}

const socket = (id: string, generation: number): PageSocketView => ({
  id,
  frameId: 0,
  frameUrl: 'https://app.test/',
  generation,
  url: 'ws://app.test/parse',
  state: 'open',
  subscriptions: [],
});

describe('createPageStore', () => {
  it('hides the sockets of older page loads unless preserve log is on', () => {
    const page = createPageStore({});
    const records = workerRecords();
    page.setSockets([socket('old', 1), socket('new', 2)]);
    assert.deepEqual(page.visibleSockets.value.map((s) => s.id), ['old', 'new'], 'generation 0: all');
    page.pageLoaded(records.pageLoad(2));
    assert.deepEqual(page.visibleSockets.value.map((s) => s.id), ['new']);
    page.setPreserveLog(true);
    assert.deepEqual(page.visibleSockets.value.map((s) => s.id), ['old', 'new']);
  });

  it('tells the service worker when preserve log changes', () => {
    const told: boolean[] = [];
    const page = createPageStore({ preserveLog: true }, told);
    page.setPreserveLog(true);
    page.setPreserveLog(false);
    page.setPreserveLog(true);
    assert.deepEqual(told, [false, true]);
  });

  it('takes the generation from the page load record, and never goes back', () => {
    const page = createPageStore({ preserveLog: true });
    const records = workerRecords();
    page.pageLoaded(records.pageLoad(3));
    assert.equal(page.generation.value, 3);
    page.pageLoaded(records.pageLoad(2));
    assert.equal(page.generation.value, 3);
    assert.equal(page.preserveLog.value, true);
  });

  it('restarts the count with a new service worker epoch only', () => {
    const page = createPageStore({});
    page.workerStarted('e1');
    page.pageLoaded(workerRecords().pageLoad(5));
    page.workerStarted('e1');
    assert.equal(page.generation.value, 5);
    page.workerStarted('e2');
    assert.equal(page.generation.value, 0);
  });

  it('recognises page loads by their marker, not by their label', () => {
    const records = workerRecords();
    assert.equal(isPageLoad(records.pageLoad(1)), true);
    assert.equal(isPageLoad(records.rec({ kind: 'connection', label: 'navigated', source: { type: 'document', frameId: 0 } })), false);
  });
});
