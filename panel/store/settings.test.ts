import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { signal } from '@preact/signals';
import { memoryStorage } from './fakes.js';
import { loadSettings, saveSettingsOnChange } from './settings.js';

describe('panel settings', () => {
  it('loads what is valid of the stored settings', async () => {
    const storage = memoryStorage({
      panelSettings: { preserveLog: true, capacity: 5, filter: { kinds: ['create', 'bogus'], text: 7, regex: true, source: 'page:p' } },
    });
    assert.deepEqual(await loadSettings(storage), {
      preserveLog: true,
      filter: { kinds: ['create'], text: undefined, regex: true, source: 'page:p', subscriptionKey: undefined, className: undefined },
    });
    assert.deepEqual(await loadSettings(memoryStorage({ panelSettings: 'junk' })), {});
    assert.deepEqual(await loadSettings(memoryStorage({ panelSettings: { fanout: { waitMs: 8000, lateMs: 250, x: 1 } } })), { fanout: { waitMs: 8000, lateMs: 250 } });
    assert.deepEqual(await loadSettings(memoryStorage({ panelSettings: { fanout: { waitMs: -1, lateMs: 250 } } })), {}, 'a fan-out wait window out of range is left out');
    const broken = memoryStorage();
    broken.broken = true;
    assert.deepEqual(await loadSettings(broken), {});
  });

  it('saves the latest settings once changes stop for the delay', async () => {
    const storage = memoryStorage();
    const capacity = signal(10_000);
    const stop = saveSettingsOnChange(storage, () => ({ capacity: capacity.value }), 20);
    capacity.value = 50_000;
    capacity.value = 100_000;
    assert.equal(storage.items.has('panelSettings'), false, 'not at once');
    await sleep(60);
    assert.deepEqual(storage.items.get('panelSettings'), { capacity: 100_000 });
    stop();
    capacity.value = 1000;
    await sleep(60);
    assert.deepEqual(storage.items.get('panelSettings'), { capacity: 100_000 }, 'stopped');
  });
});
