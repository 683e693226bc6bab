// The inspected page's own LiveQuery sockets and subscriptions, as its SDK opened them.

import type { PageSocketView } from '../../src/timeline/record.js';
import type { AppState } from '../state/app-state.js';
import { formatCounts, hostOf } from './format.js';
import { Secret } from './Secret.js';

function PageSocket({ socket, state }: { socket: PageSocketView; state: AppState }) {
  return (
    <section class="page-socket" data-testid="page-socket" data-state={socket.state}>
      <div class="line">
        <strong title={socket.url}>{hostOf(socket.url)}</strong>
        <span class={`badge page-${socket.state}`}>{socket.state}{socket.closeCode !== undefined ? ` (${socket.closeCode})` : ''}</span>
      </div>
      <div class="line muted">
        {socket.applicationId ? <span>app {socket.applicationId}</span> : null}
        {socket.clientId ? <span>clientId {socket.clientId}</span> : null}
        {socket.frameId !== 0 ? <span title={socket.frameUrl}>frame {hostOf(socket.frameUrl)}</span> : null}
        {socket.sessionToken ? (
          <span>
            token <Secret value={socket.sessionToken} label="session token" />
          </span>
        ) : null}
      </div>
      <ul class="subscriptions">
        {socket.subscriptions.map((sub) => (
          <li class="subscription" data-testid="page-subscription" key={sub.requestId} data-state={sub.state}>
            <div class="line">
              <span>#{sub.requestId}</span>
              <strong>{sub.query.className}</strong>
              <code class="where">{JSON.stringify(sub.query.where)}</code>
              <span class={`badge sub-${sub.state}`}>{sub.state}</span>
            </div>
            <div class="line muted">
              <span data-testid="page-subscription-counts">{formatCounts(sub.counts)}</span>
              {sub.query.keys ? <span>keys {sub.query.keys.join(',')}</span> : null}
              {sub.query.watch ? <span>watch {sub.query.watch.join(',')}</span> : null}
              <span>
                token <Secret value={sub.sessionToken} label="session token" />
              </span>
            </div>
            {sub.lastError ? <div class="error-text">{sub.lastError}</div> : null}
            <div class="line actions">
              <button
                type="button"
                data-testid="page-subscription-filter"
                onClick={() => state.setFilter({ ...state.filter.value, subscriptionKey: `${socket.id}:${sub.requestId}` })}
              >
                Filter
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function PageSockets({ state }: { state: AppState }) {
  const sockets = state.visiblePageSockets.value;
  if (!sockets.length) {
    return <div class="muted small">The page has opened no LiveQuery socket (since this tab was inspected).</div>;
  }
  return (
    <div data-testid="page-sockets">
      {sockets.map((socket) => (
        <PageSocket key={socket.id} socket={socket} state={state} />
      ))}
    </div>
  );
}
