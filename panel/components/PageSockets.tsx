// The inspected page's own LiveQuery sockets and subscriptions, as its SDK opened them.

import { useState } from 'preact/hooks';
import { subscriptionKey } from '../../src/timeline/keys.js';
import type { PageSocketView, PageSubscriptionView } from '../../src/views.js';
import { useConnections, useInject, usePage, useTimeline, useView } from '../store/index.js';
import { lazyComponent } from './lazy.js';
import { hostOf } from '../store/names.js';
import { pageLintSubject } from '../store/lint.js';
import { formatCounts } from './format.js';
import { LintBadge } from './LintFindings.js';
import { jsonLine } from './masked-text.js';
import { Secret } from './Secret.js';
import { pageSubscriptionProvenance } from '../store/token-provenance.js';
import { SubscriptionToken } from './TokenProvenance.js';
import { WhyNoEventButton } from './WhyNoEventButton.js';

const InjectEditor = lazyComponent('the inject editor', () => import('./InjectEditor.js').then((m) => m.InjectEditor));

/** Turns the page's subscription into a panel-owned one on the same server, e.g. to try another session token. */
function AdoptButton({ socket, sub }: { socket: PageSocketView; sub: PageSubscriptionView }) {
  const connections = useConnections();
  const [message, setMessage] = useState<string | null>(null);
  if (!socket.applicationId || sub.queryOmitted) return null;
  const adopt = () => {
    connections
      .adoptPageSubscription(socket, sub)
      .then(
        () => setMessage('Subscribed from the panel: see Servers'),
        (error: Error) => setMessage(error.message),
      );
  };
  return (
    <>
      <button type="button" data-testid="adopt-page-subscription" title="Subscribe to the same query from the panel" onClick={adopt}>
        Subscribe from panel
      </button>
      {message ? <span class="muted" data-testid="adopt-result">{message}</span> : null}
    </>
  );
}

function PageSocket({ socket }: { socket: PageSocketView }) {
  const servers = useConnections().servers.value;
  const view = useView();
  const timeline = useTimeline();
  const inject = useInject();
  const injecting = inject.target.value;
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
              {sub.queryOmitted ? (
                <span class="muted" data-testid="page-query-omitted">
                  {sub.queryOmitted === 'tooDeep' ? 'query nested too deep to display' : 'query too large to keep'} (see its subscribe frame in the timeline)
                </span>
              ) : (
                <code class="where">{jsonLine(sub.query.where)}</code>
              )}
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
            {sub.queryOmitted ? null : <LintBadge subject={pageLintSubject(socket, sub, servers)} />}
            <SubscriptionToken
              provenance={pageSubscriptionProvenance(socket, sub, servers)}
              subscriptionKey={subscriptionKey({ type: 'pageSocket', socketId: socket.id, requestId: sub.requestId })}
            />
            {sub.lastError ? <div class="error-text">{sub.lastError}</div> : null}
            <div class="line actions">
              <AdoptButton socket={socket} sub={sub} />
              <button
                type="button"
                data-testid="page-show-results"
                onClick={() =>
                  view.showResults({
                    subscriptionKey: subscriptionKey({ type: 'pageSocket', socketId: socket.id, requestId: sub.requestId }),
                    title: `page #${sub.requestId} ${sub.query.className}`,
                  })
                }
              >
                Results
              </button>
              <button
                type="button"
                data-testid="page-subscription-filter"
                onClick={() => timeline.scope({ subscriptionKey: subscriptionKey({ type: 'pageSocket', socketId: socket.id, requestId: sub.requestId }) })}
              >
                Filter
              </button>
              <WhyNoEventButton subscriptionKey={subscriptionKey({ type: 'pageSocket', socketId: socket.id, requestId: sub.requestId })} />
              {socket.state === 'open' ? (
                <button
                  type="button"
                  data-testid="page-inject"
                  title="Deliver a synthetic event to this subscription, as if the server had sent it"
                  onClick={() => inject.open(socket.id, sub.requestId, sub.query.className)}
                >
                  Inject…
                </button>
              ) : null}
            </div>
            {injecting?.socketId === socket.id && injecting.requestId === sub.requestId ? <InjectEditor /> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function PageSockets() {
  const sockets = usePage().visibleSockets.value;
  if (!sockets.length) {
    return <div class="muted small">The page has opened no LiveQuery socket (since this tab was inspected).</div>;
  }
  return (
    <div data-testid="page-sockets">
      {sockets.map((socket) => (
        <PageSocket key={socket.id} socket={socket} />
      ))}
    </div>
  );
}
