// The live result set of one subscription: the objects that match now, maintained from its events.

import { useMemo, useState } from 'preact/hooks';
import { subscriptionKey as keyOf } from '../../src/timeline/keys.js';
import { isSecretKey } from '../../src/timeline/redact.js';
import { columnsOf } from '../../src/timeline/result-set.js';
import { useConnections, useResultSets, useView } from '../store/index.js';
import { MAX_RESULT_SET_OBJECTS } from '../store/result-sets.js';
import { CELL_LIMIT, maskJSON, maskText, withNote } from './masked-text.js';

const MAX_COLUMNS = 8;

/** A cell's text; secret fields (e.g. a sessionToken column) and tokens inside values are masked, long ones cut. */
function cell(column: string, value: unknown): string {
  if (value === undefined) return '';
  if (isSecretKey(column) && typeof value === 'string') return '••••••••';
  return withNote(typeof value === 'string' ? maskText(value, CELL_LIMIT) : maskJSON(value, CELL_LIMIT));
}

export function ResultSetView({ subscriptionKey, title, serverId }: { subscriptionKey: string; title: string; serverId?: string }) {
  const resultSets = useResultSets();
  const view = useView();
  const servers = useConnections().servers.value;
  const results = resultSets.of(subscriptionKey).value;
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const objects = useMemo(() => results.objects(), [results]);
  const columns = useMemo(() => columnsOf(objects, MAX_COLUMNS), [objects]);
  const server = servers.find((s) => s.id === serverId);
  const sub = server?.subscriptions.find((s) => keyOf({ type: 'server', serverId: server.id, subscriptionId: s.id }) === subscriptionKey);

  const seed = async () => {
    if (!server || !sub) return;
    setMessage(null);
    try {
      const found = await resultSets.seed(subscriptionKey, { spec: server.spec, query: sub.query, sessionToken: sub.sessionToken });
      setMessage({ error: false, text: `Seeded with ${found} object(s) from one REST query; events keep it current` });
    } catch (error) {
      setMessage({ error: true, text: (error as Error).message });
    }
  };
  const reset = () => {
    setMessage(null);
    resultSets.reset(subscriptionKey);
  };

  return (
    <div class="result-set" data-testid="result-set">
      <div class="result-header">
        <strong>Live results: {title}</strong>
        <span class="muted" data-testid="result-count">
          {objects.length} object(s)
        </span>
        {results.forgotten ? (
          <span class="warn" data-testid="result-forgotten" title={`A result set keeps at most ${MAX_RESULT_SET_OBJECTS.toLocaleString('en-US')} objects`}>
            {results.forgotten} oldest object(s) not kept
          </span>
        ) : null}
        {server && sub ? (
          <button type="button" data-testid="seed-results" title="Run the query once through REST to include objects that existed before the subscription" onClick={seed}>
            Seed with a REST query
          </button>
        ) : null}
        <button type="button" data-testid="reset-results" title="Empty the set; the next events fill it again" onClick={reset}>
          Reset
        </button>
        <button type="button" data-testid="close-results" onClick={() => view.showTimeline()}>
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
                {columns.map((c) => {
                  const text = cell(c, object[c]);
                  return (
                    <td key={c} title={text}>
                      {text}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        {objects.length === 0 ? <div class="empty">No object matches yet: events (create, enter, update) add them, leave and delete remove them.</div> : null}
      </div>
    </div>
  );
}
