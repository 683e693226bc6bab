import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COLUMN_MAX, COLUMN_MIN, createLayoutStore, SIDEBAR_MIN, sanitizeLayout } from './layout.js';

describe('createLayoutStore', () => {
  it('starts from the saved layout, toggles the sidebar and keeps sizes within bounds', () => {
    const layout = createLayoutStore({ sidebarOpen: false, sidebarWidth: 300, columns: { kind: 150 } });
    assert.equal(layout.sidebarOpen.value, false);
    layout.toggleSidebar();
    assert.equal(layout.sidebarOpen.value, true);
    layout.setSidebarWidth(50, 800);
    assert.equal(layout.sidebarWidth.value, SIDEBAR_MIN);
    layout.setSidebarWidth(900, 500);
    assert.equal(layout.sidebarWidth.value, 500, 'never wider than the room there is');
    layout.setColumnWidth('time', 5);
    layout.setColumnWidth('source', 10_000);
    assert.deepEqual(layout.columns.value, { kind: 150, time: COLUMN_MIN, source: COLUMN_MAX });
    layout.resetColumns();
    assert.deepEqual(layout.settings().columns, {});
  });

  it('leaves malformed stored values out', () => {
    assert.deepEqual(sanitizeLayout(null), {});
    assert.deepEqual(sanitizeLayout({ sidebarOpen: 'yes', sidebarWidth: -4, sidebarHeight: NaN, columns: { time: 'wide', kind: 1e9, bogus: 3 } }), {
      columns: { kind: COLUMN_MAX },
    });
  });
});
