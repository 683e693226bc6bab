// Fleets in the real DevTools (issue 11, items 3-4): servers of one app shown as one fleet, the fan-out check's
// verdicts (delivered, missing, down), N sockets to one URL, and nothing left behind after a check.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startEmbeddedServer, type EmbeddedServer } from '../server/index.js';
import { createObject, deleteObject } from '../test/harness/rest.js';
import { DEFAULT_KEYS, startFleet, startTarget, type FleetTarget } from '../test/harness/targets.js';
import { byTestId, openPanelTab, type PanelHandle } from './harness/index.js';
import { useBrowserSession } from './support/browser-session.js';
import { allTimelineRows } from './support/page-apps.js';
import { addLabelledServer, checkFanout, fleetNodes, objectsWhere, reconnectNow, verdicts, waitForFleet } from './support/fleet-actions.js';

const session = useBrowserSession();
const openPanel = async (): Promise<PanelHandle> => (await session.openPanel()).panel;

describe('fleets without Redis', () => {
  test('two entries of one app and REST URL are one fleet; the check says delivered for both and leaves nothing behind; N sockets to one URL', { timeout: 90_000 }, async () => {
    const server: EmbeddedServer = await startTarget('embedded');
    try {
      const { page, panel } = await session.openPanel();
      const keys = { applicationId: server.applicationId, javascriptKey: server.javascriptKey, masterKey: server.masterKey };
      await addLabelledServer(panel, { serverURL: server.liveQueryURL, label: 'n1', ...keys });
      await addLabelledServer(panel, { serverURL: server.liveQueryURL, label: 'n2', ...keys });
      await waitForFleet(panel, 2);
      const nodes = await fleetNodes(panel);
      assert.deepEqual(nodes.map((n) => [n.name, n.state]), [['n1', 'connected'], ['n2', 'connected']]);
      assert.notEqual(nodes[0]!.clientId, nodes[1]!.clientId, 'each node has its own clientId');

      await checkFanout(panel, { className: 'Message', where: '{"room":"fanout-e2e"}', write: 'create' });
      assert.deepEqual(await verdicts(panel), [['n1', 'delivered'], ['n2', 'delivered']]);
      const rows = await allTimelineRows(panel);
      assert.ok(rows.some((r) => r.kind === 'create' && r.text.includes(`${server.applicationId} · n2`)), 'an event row names its source "fleet · node"');
      assert.ok(rows.some((r) => /fan-out check of lq-app \(Message\): 2 delivered/.test(r.text)), 'the result is in the timeline');
      assert.equal(await panel.count(byTestId('subscription')), 0, 'the check’s subscriptions are gone');
      assert.deepEqual(await objectsWhere(server, 'Message', { room: 'fanout-e2e' }), [], 'and its throwaway object');

      // N sockets to one URL: each socket is a node with its own clientId.
      await panel.fill(`${byTestId('server')} ${byTestId('fleet-sockets')}`, '2');
      await waitForFleet(panel, 3);
      const three = await fleetNodes(panel);
      assert.deepEqual(three.map((n) => n.name), ['n1 #1', 'n1 #2', 'n2']);
      assert.equal(new Set(three.map((n) => n.clientId)).size, 3);
      await panel.screenshot('fleet/fleet.png');
      assert.deepEqual(panel.errors, []);

      // At 400 px (DevTools docked to a side) the fleet and its check fit: nothing wider than the sidebar.
      const narrow = await openPanelTab(session.harness, page);
      await narrow.setViewportSize({ width: 400, height: 900 });
      await narrow.locator('[data-testid="fleet"]').waitFor();
      await narrow.evaluate(() => {
        for (const details of document.querySelectorAll<HTMLDetailsElement>('[data-testid="fanout"]')) details.open = true;
      });
      const overflow = await narrow.evaluate(() => {
        const sidebar = document.querySelector<HTMLElement>('[data-testid="sidebar"]')!.getBoundingClientRect();
        return [...document.querySelectorAll<HTMLElement>('[data-testid="fleet"] *, [data-testid="fleet-membership"] *')]
          .filter((el) => el.getBoundingClientRect().right > sidebar.right + 1)
          .map((el) => `${el.tagName} ${el.dataset.testid ?? ''} ${el.getBoundingClientRect().right} > ${sidebar.right}`);
      });
      await narrow.locator('[data-testid="fleets"]').screenshot({ path: 'artifacts/fleet/narrow-400.png' });
      assert.deepEqual(overflow, [], 'nothing of the fleet sticks out of a 400 px panel');
    } finally {
      await server.stop();
    }
  });

  test('two servers grouped by hand: the one that does not share writes is missing; a stopped one is shown down and named down', { timeout: 90_000 }, async () => {
    const one: EmbeddedServer = await startTarget('embedded');
    const two: EmbeddedServer = await startTarget('embedded');
    try {
      const panel = await openPanel();
      for (const [server, label] of [[one, 'one'], [two, 'two']] as const) {
        await addLabelledServer(panel, { serverURL: server.liveQueryURL, label, applicationId: server.applicationId, javascriptKey: server.javascriptKey, masterKey: server.masterKey });
      }
      await panel.waitFor(`document.querySelectorAll('[data-testid="server"]').length === 2`);
      assert.equal(await panel.count(byTestId('fleet')), 0, 'two REST URLs: no fleet by themselves');
      const firstId = await panel.evaluate(() => document.querySelector<HTMLElement>('[data-testid="server"]')!.dataset.serverId!);
      await panel.evaluate((id) => {
        const select = document.querySelectorAll<HTMLSelectElement>('[data-testid="fleet-choice"]')[1]!;
        select.value = id;
        select.dispatchEvent(new Event('change', { bubbles: true }));
      }, firstId);
      await waitForFleet(panel, 2);

      // Two embedded servers without Redis share nothing: the write on one's REST never reaches the other.
      await panel.fill(byTestId('fanout-wait'), '2');
      await checkFanout(panel, { className: 'Message', where: '{"room":"split"}', write: 'create' });
      assert.deepEqual(await verdicts(panel), [['one', 'delivered'], ['two', 'missing']]);

      await two.stop();
      await panel.waitFor(
        `[...document.querySelectorAll('[data-testid="fleet-node"]')].some((n) => n.dataset.state !== 'connected' && /down since|reconnecting|disconnected/.test(n.innerText))`,
        { timeoutMs: 15_000, message: 'the stopped node shown down' },
      );
      await checkFanout(panel, { className: 'Message', where: '{"room":"split"}', write: 'create' });
      const after = await verdicts(panel);
      assert.deepEqual(after[0], ['one', 'delivered']);
      assert.equal(after[1]![1], 'down');
      assert.equal(await panel.count(byTestId('subscription')), 0);
      assert.deepEqual(await objectsWhere(one, 'Message', { room: 'split' }), []);
    } finally {
      await one.stop();
      await two.stop().catch(() => undefined);
    }
  });
});

describe('a real fleet: Redis + Parse Server 9.10 (its own LiveQuery node) + the embedded node', () => {
  test('both nodes in one fleet, delivered on both; the killed node is shown down and named down; after a Redis restart events reach both again', { timeout: 240_000 }, async (t) => {
    const fleet: FleetTarget = await startFleet();
    let revived: EmbeddedServer | undefined;
    try {
      const panel = await openPanel();
      const keys = { applicationId: fleet.applicationId, javascriptKey: fleet.javascriptKey, masterKey: fleet.masterKey };
      await addLabelledServer(panel, { serverURL: fleet.parseServer.liveQueryURL, label: 'parse', restURL: fleet.parseServer.restURL, ...keys });
      await addLabelledServer(panel, { serverURL: fleet.node.liveQueryURL, label: 'node', restURL: fleet.parseServer.restURL, ...keys });
      await waitForFleet(panel, 2);
      assert.deepEqual((await fleetNodes(panel)).map((n) => n.name), ['parse', 'node'], 'one app, one REST URL: one fleet');

      await checkFanout(panel, { className: 'Message', where: '{"room":"fleet-e2e"}', write: 'create' });
      assert.deepEqual(await verdicts(panel), [['parse', 'delivered'], ['node', 'delivered']]);
      const rows = await allTimelineRows(panel);
      assert.ok(rows.some((r) => r.kind === 'create' && r.text.includes('lq-app · node')), 'the embedded node’s event row names "fleet · node"');

      // An existing match saved again as it is: Parse Server publishes an update all the same.
      const kept = await createObject(fleet.parseServer, 'Message', { room: 'fleet-keep', text: 'stays' }, { useMasterKey: true });
      try {
        await checkFanout(panel, { className: 'Message', where: '{"room":"fleet-keep"}', write: 'update' });
        assert.deepEqual(await verdicts(panel), [['parse', 'delivered'], ['node', 'delivered']]);
        assert.equal((await objectsWhere(fleet.parseServer, 'Message', { room: 'fleet-keep' })).length, 1, 'an existing object is kept');
      } finally {
        await deleteObject(fleet.parseServer, 'Message', kept.objectId, { useMasterKey: true });
      }

      // Kill the embedded node: its card and the fleet say down, and the check names it.
      const port = fleet.node.port;
      const before = (await fleetNodes(panel))[1]!.clientId;
      await fleet.node.stop();
      await panel.waitFor(
        `(() => { const n = document.querySelectorAll('[data-testid="fleet-node"]')[1]; return n && n.dataset.state !== 'connected' && /down since/.test(n.innerText); })()`,
        { timeoutMs: 20_000, message: 'the killed node shown down' },
      );
      await panel.fill(byTestId('fanout-wait'), '3');
      await checkFanout(panel, { className: 'Message', where: '{"room":"fleet-e2e"}', write: 'create' });
      const withDead = await verdicts(panel);
      assert.deepEqual(withDead[0], ['parse', 'delivered']);
      assert.equal(withDead[1]![1], 'down', 'the dead node is named down');
      await panel.screenshot('fleet/node-down.png');

      // A new node on the same port: the fleet shows it back, with a new clientId.
      revived = await startEmbeddedServer({ port, ...DEFAULT_KEYS, redisURL: fleet.redis.url, parseServerURL: fleet.parseServer.restURL, log: () => undefined });
      await reconnectNow(panel, 1);
      await waitForFleet(panel, 2, 40_000);
      const back = (await fleetNodes(panel))[1]!;
      assert.notEqual(back.clientId, before, 'a new clientId');
      assert.match(back.text, /back at/);

      // Restart Redis: both nodes resubscribe their channels; events reach both again.
      await fleet.redis.restart({ downMs: 1000 });
      let after: [string, string][] = [];
      let checks = 0;
      const seen: string[] = [];
      while (checks < 10) {
        checks++;
        await checkFanout(panel, { className: 'Message', where: '{"room":"fleet-e2e"}', write: 'create' });
        after = await verdicts(panel);
        seen.push((await panel.texts(byTestId('fanout-verdict'))).join(' | '));
        if (after.every(([, verdict]) => verdict === 'delivered')) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      t.diagnostic(`after the Redis restart: ${checks} check(s) until both delivered: ${seen.join(' ; ')}`);
      assert.deepEqual(after, [['parse', 'delivered'], ['node', 'delivered']], 'events reach both nodes after the Redis restart');
      assert.equal(await panel.count(byTestId('subscription')), 0, 'no check subscription left');
      assert.deepEqual(await objectsWhere(fleet.parseServer, 'Message', { room: 'fleet-e2e' }), [], 'no throwaway object left');
    } finally {
      await revived?.stop();
      await fleet.stop();
    }
  });
});
