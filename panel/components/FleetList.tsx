// The fleets: servers of one app shown together, each node with its state, clientId (and when it changed), event
// latency and down/back, and the fan-out check.

import type { Fleet, FleetNode, LatencySummary, NodeStats } from '../store/fleets.js';
import { useFleets } from '../store/index.js';
import { ms } from './fleet-format.js';
import { formatClock } from './format.js';
import { lazyComponent } from './lazy.js';

const FleetCheck = lazyComponent('the fan-out check', () => import('./FleetCheck.js').then((m) => m.FleetCheck));

function latency(summary: LatencySummary | undefined): string {
  return summary ? `p50 ${ms(summary.p50)} · max ${ms(summary.max)} (${summary.count})` : '—';
}

function nodeState(node: FleetNode, stats: NodeStats | undefined): { text: string; cls: string } {
  const { server } = node;
  if (!server.enabled) return { text: 'off', cls: 'state-off' };
  if (server.state === 'connected') return { text: 'up', cls: 'state-connected' };
  if (stats?.downSince !== undefined) return { text: `down since ${formatClock(stats.downSince).slice(0, 8)}`, cls: 'state-disconnected' };
  return { text: server.state, cls: `state-${server.state}` };
}

function NodeRow({ node, stats }: { node: FleetNode; stats: NodeStats | undefined }) {
  const state = nodeState(node, stats);
  return (
    <li class="fleet-node" data-testid="fleet-node" data-server-id={node.server.id} data-state={node.server.state}>
      <div class="line">
        <strong>{node.name}</strong>
        <span class={`badge ${state.cls}`} data-testid="fleet-node-state">
          {state.text}
        </span>
        {stats?.lastDown && stats.downSince === undefined ? (
          <span class="muted" data-testid="fleet-node-back">
            back at {formatClock(stats.lastDown.to).slice(0, 8)} (down {((stats.lastDown.to - stats.lastDown.from) / 1000).toFixed(1)} s)
          </span>
        ) : null}
      </div>
      <div class="line muted">
        <span data-testid="fleet-node-client-id">clientId {node.server.clientId ?? '—'}</span>
        {stats?.clientIdChange ? (
          <span data-testid="fleet-node-client-change" title={`was ${stats.clientIdChange.from}`}>
            new at {formatClock(stats.clientIdChange.at).slice(0, 8)}
          </span>
        ) : null}
      </div>
      <div class="line muted" data-testid="fleet-node-latency">
        <span title="Event arrival in the browser minus the object's updatedAt on the Parse server: two clocks, which may differ">
          vs updatedAt (browser − server clock) {latency(stats?.vsUpdatedAt)}
        </span>
        <span title="Event arrival minus the fastest node's arrival of the same event, both on the browser's clock">
          vs fastest (browser clock) {latency(stats?.vsFastest)}
        </span>
      </div>
    </li>
  );
}

function describeFleet(fleet: Fleet): string {
  if (fleet.byHand) return 'grouped by hand';
  if (fleet.key.startsWith('auto:')) return `same app and REST URL · ${fleet.nodes.length} nodes`;
  return `${fleet.nodes.length} sockets to one URL`;
}

function FleetCard({ fleet }: { fleet: Fleet }) {
  const stats = useFleets().stats.value;
  return (
    <section class="fleet" data-testid="fleet" data-fleet-key={fleet.key}>
      <div class="line">
        <strong data-testid="fleet-name">{fleet.name}</strong>
        <span class="muted">{describeFleet(fleet)}</span>
      </div>
      <ul class="fleet-nodes">
        {fleet.nodes.map((node) => (
          <NodeRow key={node.server.id} node={node} stats={stats.get(node.server.id)} />
        ))}
      </ul>
      <FleetCheck fleet={fleet} />
    </section>
  );
}

export function FleetList() {
  const fleets = useFleets().fleets.value;
  if (!fleets.length) return null;
  return (
    <details open data-testid="fleets">
      <summary>Fleets ({fleets.length})</summary>
      {fleets.map((fleet) => (
        <FleetCard key={fleet.key} fleet={fleet} />
      ))}
    </details>
  );
}
