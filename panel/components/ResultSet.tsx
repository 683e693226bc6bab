// The live result set of one subscription: the objects that match now, maintained from its events.

import { useMemo, useState } from 'preact/hooks';
import { subscriptionKey as keyOf } from '../../src/timeline/keys.js';
import { columnsOf, resultSetFromRecords } from '../../src/timeline/result-set.js';
import type { ParseJSON } from '../../src/livequery/protocol.js';
import type { AppState } from '../state/app-state.js';
import { findObjects, restURLFor } from '../state/parse-rest.js';
import { now } from '../../src/timeline/clock.js';
import { isSecretKey, Redactor } from '../../src/timeline/redact.js';

const MAX_COLUMNS = 8;

const masker = new Redactor();

/** A cell's text; secret fields (e.g. a sessionToken column) and tokens inside values are masked. */
function cell(column: string, value: unknown): string {
  if (value === undefined) return '';
  if (isSecretKey(column) && typeof value === 'string') return '••••••••';
  const text = typeof value === 'string' ? value : JSON.stringify(masker.value(value));
  return masker.text(text);
}

export function ResultSetView({ state, subscriptionKey, title, serverId }: { state: AppState; subscriptionKey: string; title: string; serverId?: string }) {
  state.timelineVersion.value;
  const [seeded, setSeed] = useState<{ objects: ParseJSON[]; at: number } | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const objects = useMemo(
    () => [...resultSetFromRecords(state.timeline.all(), subscriptionKey, seeded?.objects ?? [], seeded?.at).values()],
    [state.timelineVersion.value, subscriptionKey, seeded],
  );
  const columns = columnsOf(objects, MAX_COLUMNS);
  const server = state.servers.value.find((s) => s.id === serverId);
  const sub = server?.subscriptions.find((s) => keyOf({ type: 'server', serverId: server.id, subscriptionId: s.id }) === subscriptionKey);

  const seed = async () => {
    if (!server || !sub) return;
    setMessage(null);
    try {
      const at = now();
      const results = await findObjects(
        { restURL: restURLFor(server.spec.serverURL), applicationId: server.spec.applicationId, javascriptKey: server.spec.javascriptKey, sessionToken: sub.sessionToken },
        sub.query.className,
        sub.query.where,
      );
      setSeed({ objects: results.map((r) => ({ className: sub.query.className, ...r })), at });
      setMessage({ error: false, text: `Seeded with ${results.length} object(s) from one REST query; events keep it current` });
    } catch (error) {
      setMessage({ error: true, text: (error as Error).message });
    }
  };

  return (
    <div class="result-set" data-testid="result-set">
      <div class="result-header">
        <strong>Live results: {title}</strong>
        <span class="muted" data-testid="result-count">
          {objects.length} object(s)
        </span>
        {server && sub ? (
          <button type="button" data-testid="seed-results" title="Run the query once through REST to include objects that existed before the subscription" onClick={seed}>
            Seed with a REST query
          </button>
        ) : null}
        <button type="button" data-testid="close-results" onClick={() => (state.view.value = { type: 'timeline' })}>
          Back to timeline
        </button>
      </div>
      {message ? <div class={message.error ? 'error-text pad' : 'muted pad'}>{message.text}</div> : null}
      <div class="result-table-wrap">
        <table class="result-table">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {objects.map((object) => (
              <tr key={String(object.objectId)} data-testid="result-row">
                {columns.map((c) => (
                  <td key={c} title={cell(c, object[c])}>
                    {cell(c, object[c])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {objects.length === 0 ? <div class="empty">No object matches yet: events (create, enter, update) add them, leave and delete remove them.</div> : null}
      </div>
    </div>
  );
}
