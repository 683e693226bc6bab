// The composer's history of queries subscribed to: load one into the composer, or subscribe to it again.

import { useState } from 'preact/hooks';
import { useComposer } from '../store/index.js';

export function QueryHistoryList({ serverId }: { serverId: string }) {
  const composer = useComposer();
  const entries = composer.history.entries.value;
  const [error, setError] = useState<string | null>(null);
  if (!entries.length) return <div class="muted small">Queries you subscribe to are kept here.</div>;
  return (
    <>
    {error ? <div class="error-text" role="alert">{error}</div> : null}
    <ul class="history" data-testid="query-history">
      {entries.map((entry) => {
        const text = `${entry.query.className} ${JSON.stringify(entry.query.where)}`;
        return (
          <li key={`${entry.time}`} data-testid="history-entry">
            <code title={text}>{text}</code>
            <button type="button" title="Load into the composer" onClick={() => composer.load(entry.query)}>
              Edit
            </button>
            <button
              type="button"
              data-testid="history-rerun"
              title="Subscribe again with this query"
              onClick={() => {
                setError(null);
                composer.rerun(serverId, entry.query).catch((e: Error) => setError(`Re-run failed: ${e.message}`));
              }}
            >
              Re-run
            </button>
          </li>
        );
      })}
    </ul>
    </>
  );
}
