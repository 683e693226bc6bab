// One line on a server card: which fleet the entry is in (automatic, alone, or grouped by hand) and how many sockets
// it opens to its URL.

import { useState } from 'preact/hooks';
import { MAX_SOCKETS_PER_SERVER, type ServerView } from '../../src/views.js';
import { useConnections, useFleets } from '../store/index.js';
import { hostOf } from '../store/names.js';

export function FleetMembership({ server }: { server: ServerView }) {
  const fleets = useFleets();
  const others = useConnections().servers.value.filter((s) => s.id !== server.id && !s.socketOf);
  const [error, setError] = useState<string | null>(null);
  const member = fleets.membership.value.get(server.id);
  const choice = server.fleet?.type ?? 'auto';
  const value = choice === 'group' ? (others.find((o) => o.fleet?.type === 'group' && server.fleet?.type === 'group' && o.fleet.groupId === server.fleet.groupId)?.id ?? 'auto') : choice;
  const run = (p: Promise<void>) => p.then(() => setError(null)).catch((e: Error) => setError(e.message));
  const choose = (next: string) => {
    if (next === 'auto' || next === 'alone') run(fleets.setChoice(server.id, next));
    else run(fleets.groupWith(server.id, next));
  };
  return (
    <div class="line muted fleet-membership" data-testid="fleet-membership" onClick={(e) => e.stopPropagation()}>
      <label>
        fleet{' '}
        <select data-testid="fleet-choice" value={value} onChange={(e) => choose(e.currentTarget.value)}>
          <option value="auto">same app + REST URL</option>
          <option value="alone">alone</option>
          {others.map((o) => (
            <option key={o.id} value={o.id}>
              with {o.spec.label || hostOf(o.spec.serverURL)}
            </option>
          ))}
        </select>
      </label>
      {member ? <span data-testid="fleet-of">in {member.fleet.name} as {member.name}</span> : null}
      <label title="Connections to this URL (a fleet behind one load-balanced URL: each may land on another node)">
        sockets{' '}
        <input
          type="number"
          class="sockets-input"
          data-testid="fleet-sockets"
          min={1}
          max={MAX_SOCKETS_PER_SERVER}
          value={server.sockets ?? 1}
          onChange={(e) => {
            const n = Number(e.currentTarget.value);
            if (Number.isInteger(n) && n >= 1 && n <= MAX_SOCKETS_PER_SERVER) run(fleets.setSockets(server.id, n));
            else setError(`Sockets: 1 to ${MAX_SOCKETS_PER_SERVER}`);
          }}
        />
      </label>
      {error ? <span class="error-text">{error}</span> : null}
    </div>
  );
}
