// The servers the panel owns, each with its live state, countdown, clientId, errors and subscriptions.

import { useEffect, useState } from 'preact/hooks';
import { subscriptionKey } from '../../src/timeline/keys.js';
import { VERDICT_TEXT, type ServerView, type SubscriptionView } from '../../src/views.js';
import { useComposer, useConnections, useKeyring, useTimeline, useView } from '../store/index.js';
import { serverKeyOf } from '../store/keyring.js';
import { panelLintSubject } from '../store/lint.js';
import { hostOf } from '../store/names.js';
import { ServerForm } from './AddServerForm.js';
import { FleetMembership } from './FleetMembership.js';
import { formatCounts, totalCount } from './format.js';
import { lazyComponent } from './lazy.js';
import { LintBadge } from './LintFindings.js';
import { jsonLine } from './masked-text.js';
import { RestURLLine } from './RestURL.js';
import { Secret } from './Secret.js';
import { serverSubscriptionProvenance } from '../store/token-provenance.js';
import { SubscriptionToken } from './TokenProvenance.js';
import { ServerCheckVerdict } from './ServerCheck.js';
import { TokenSelect } from './TokenSelect.js';
import { WhyNoEventButton } from './WhyNoEventButton.js';

// Inside the closed "Session tokens" of each card: it loads after the first paint, before anyone opens it.
const KeyringEditor = lazyComponent('the session tokens editor', () => import('./Keyring.js').then((m) => m.KeyringEditor));

/** Re-renders every 100 ms while `active`, for countdowns. */
function useTicker(active: boolean): number {
  const [tick, setTick] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setTick(Date.now()), 100);
    return () => clearInterval(timer);
  }, [active]);
  return tick;
}

function StateBadge({ server }: { server: ServerView }) {
  const nowMs = useTicker(server.state === 'reconnecting' && server.nextRetryAt !== undefined);
  let text: string = server.state;
  const verdict = server.verdict && server.state !== 'connected' && server.state !== 'disconnected' ? server.verdict : undefined;
  if (!server.enabled) text = 'off';
  else if (server.state === 'reconnecting' && server.nextRetryAt !== undefined) {
    const left = (Math.max(0, server.nextRetryAt - nowMs) / 1000).toFixed(1);
    text = verdict
      ? `${VERDICT_TEXT[verdict]} — retrying in ${left} s (attempt ${server.attempt})`
      : `reconnecting · attempt ${server.attempt} in ${left} s`;
  } else if (verdict) text = `${VERDICT_TEXT[verdict]} — retrying (attempt ${server.attempt})`;
  else if (server.state === 'connecting' && server.attempt > 1) text = `connecting · attempt ${server.attempt}`;
  return (
    <span
      class={`badge state-${server.enabled ? server.state : 'off'}`}
      data-testid="server-state"
      data-state={server.state}
      data-verdict={verdict}
    >
      {text}
    </span>
  );
}

function SubscriptionRow({ server, sub }: { server: ServerView; sub: SubscriptionView }) {
  const connections = useConnections();
  const timeline = useTimeline();
  const view = useView();
  const composer = useComposer();
  const [error, setError] = useState<string | null>(null);
  const where = jsonLine(sub.query.where);
  const key = subscriptionKey({ type: 'server', serverId: server.id, subscriptionId: sub.id });
  const run = (p: Promise<void>) => p.catch((e: Error) => setError(e.message));
  return (
    <li class="subscription" data-testid="subscription" data-state={sub.state}>
      <div class="line">
        <strong>{sub.query.className}</strong>
        <code class="where" title={where}>
          {where}
        </code>
        <span class={`badge sub-${sub.state}`} data-testid="subscription-state">
          {sub.state}
        </span>
      </div>
      <div class="line muted">
        {sub.requestId !== undefined ? <span>#{sub.requestId}</span> : null}
        <span data-testid="subscription-counts" title="create / update / enter / leave / delete">
          {formatCounts(sub.counts)} ({totalCount(sub.counts)})
        </span>
        {sub.query.keys ? <span>keys {sub.query.keys.join(',')}</span> : null}
        {sub.query.watch ? <span>watch {sub.query.watch.join(',')}</span> : null}
        <span class="token-picker">
          token{' '}
          <TokenSelect
            serverKey={serverKeyOf(server.spec)}
            value={sub.sessionToken}
            testId="subscription-token"
            onChange={(token, name) => run(connections.setSubscriptionToken(server.id, sub.id, token, name))}
          />
          {sub.sessionToken ? <Secret value={sub.sessionToken} label="session token" /> : null}
        </span>
      </div>
      <LintBadge subject={panelLintSubject(server, sub)} />
      <SubscriptionToken provenance={serverSubscriptionProvenance(server, sub)} subscriptionKey={key} />
      {sub.lastError ? <div class="error-text">{sub.lastError}</div> : null}
      {error ? <div class="error-text">{error}</div> : null}
      <div class="line actions">
        <button
          type="button"
          data-testid="filter-subscription"
          title="Show only this subscription's records"
          onClick={() => timeline.scope({ subscriptionKey: key })}
        >
          Filter
        </button>
        <button
          type="button"
          data-testid="show-results"
          title="The objects that match now, kept up to date from the events"
          onClick={() =>
            view.showResults({ subscriptionKey: key, serverId: server.id, title: `${sub.query.className} ${where}` })
          }
        >
          Results
        </button>
        <button
          type="button"
          data-testid="edit-subscription"
          title="Edit the query and apply it in place (update op)"
          onClick={() => composer.edit(server.id, sub)}
        >
          Edit query
        </button>
        <WhyNoEventButton subscriptionKey={key} />
        <button
          type="button"
          data-testid="unsubscribe"
          onClick={() => run(connections.unsubscribe(server.id, sub.id))}
        >
          Unsubscribe
        </button>
      </div>
    </li>
  );
}

function ServerCard({ server }: { server: ServerView }) {
  const connections = useConnections();
  const view = useView();
  const keyring = useKeyring();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = (p: Promise<void>) => p.catch((e: Error) => setError(e.message));
  const selected = view.selectedServerId.value === server.id;
  return (
    <section
      class={`server ${selected ? 'selected' : ''}`}
      data-testid="server"
      data-server-id={server.id}
      onClick={() => view.selectServer(server.id)}
    >
      <div class="line">
        <strong title={server.spec.serverURL}>{server.spec.label || hostOf(server.spec.serverURL)}</strong>
        <StateBadge server={server} />
      </div>
      <div class="line muted">
        <span>app {server.spec.applicationId}</span>
        {server.clientId ? <span data-testid="client-id">clientId {server.clientId}</span> : null}
        {server.spec.javascriptKey ? (
          <span>
            js key <Secret value={server.spec.javascriptKey} label="JavaScript key" />
          </span>
        ) : null}
        {server.spec.masterKey ? (
          <span>
            master key <Secret value={server.spec.masterKey} label="master key" />
          </span>
        ) : null}
      </div>
      <RestURLLine server={server} />
      <ServerCheckVerdict spec={server.spec} />
      <FleetMembership server={server} />
      {server.lastError ? (
        <div class="error-text" role="alert" data-testid="server-error">
          {server.lastError}
        </div>
      ) : null}
      {error ? <div class="error-text">{error}</div> : null}
      <div class="line actions">
        {server.enabled && server.state !== 'disconnected' ? (
          <button type="button" data-testid="server-disconnect" onClick={() => run(connections.setServerEnabled(server.id, false))}>
            Disconnect
          </button>
        ) : (
          <button type="button" data-testid="server-connect" onClick={() => run(connections.setServerEnabled(server.id, true))}>
            Connect
          </button>
        )}
        <button type="button" data-testid="server-edit" onClick={() => setEditing(!editing)}>
          Edit
        </button>
        <button
          type="button"
          data-testid="server-remove"
          onClick={() => run(connections.removeServer(server.id))}
        >
          Remove
        </button>
      </div>
      <details class="nested" data-testid="tokens">
        <summary>Session tokens ({keyring.forServer(serverKeyOf(server.spec)).length})</summary>
        <KeyringEditor server={server} />
      </details>
      {editing ? <ServerForm initial={server.spec} serverId={server.id} onDone={() => setEditing(false)} /> : null}
      {server.subscriptions.length ? (
        <ul class="subscriptions">
          {server.subscriptions.map((sub) => (
            <SubscriptionRow key={sub.id} server={server} sub={sub} />
          ))}
        </ul>
      ) : (
        <div class="muted small">No subscriptions yet.</div>
      )}
    </section>
  );
}

export function ServerList() {
  // An entry's extra sockets are shown in its fleet, not as entries of their own.
  const servers = useConnections().servers.value.filter((server) => !server.socketOf);
  return (
    <div class="server-list" data-testid="servers">
      {servers.length === 0 ? <div class="muted small">No server yet: add one below.</div> : null}
      {servers.map((server) => (
        <ServerCard key={server.id} server={server} />
      ))}
    </div>
  );
}
