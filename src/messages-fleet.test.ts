import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPanelToBackground } from './messages.js';

describe('panel → service worker: fleet commands', () => {
  const query = { className: 'Game', where: {} };
  it('accepts a panel-chosen subscription id, a fleet choice and a socket count', () => {
    assert.ok(isPanelToBackground({ type: 'subscribe', commandId: 'c', serverId: 's', query, subscriptionId: 'fanout-ab12' }));
    for (const fleet of [{ type: 'auto' }, { type: 'alone' }, { type: 'group', groupId: 'g-1' }]) {
      assert.ok(isPanelToBackground({ type: 'setServerFleet', commandId: 'c', serverId: 's', fleet }));
    }
    assert.ok(isPanelToBackground({ type: 'setServerSockets', commandId: 'c', serverId: 's', sockets: 8 }));
  });

  it('refuses malformed ones', () => {
    assert.ok(!isPanelToBackground({ type: 'subscribe', commandId: 'c', serverId: 's', query, subscriptionId: '../x' }));
    assert.ok(!isPanelToBackground({ type: 'subscribe', commandId: 'c', serverId: 's', query, subscriptionId: 7 }));
    for (const fleet of [undefined, 'auto', { type: 'group' }, { type: 'group', groupId: '' }, { type: 'mine' }]) {
      assert.ok(!isPanelToBackground({ type: 'setServerFleet', commandId: 'c', serverId: 's', fleet }), JSON.stringify(fleet));
    }
    for (const sockets of [0, 9, 1.5, '2', NaN]) {
      assert.ok(!isPanelToBackground({ type: 'setServerSockets', commandId: 'c', serverId: 's', sockets }), String(sockets));
    }
  });
});
