// The detail pane: the selected record's facts and its raw JSON.

import type { AppState } from '../state/app-state.js';
import { formatClock, hostOf, prettyJSON, sourceName } from './format.js';

export function RecordDetail({ state }: { state: AppState }) {
  const record = state.selected.value;
  if (!record) {
    return (
      <div class="detail empty" data-testid="detail">
        Select a record to see its JSON.
      </div>
    );
  }
  const labels = new Map(state.servers.value.map((s) => [s.id, s.spec.label || hostOf(s.spec.serverURL)]));
  return (
    <div class="detail" data-testid="detail">
      <div class="detail-header">
        <strong>{record.label}</strong>
        <span class="muted"> · {formatClock(record.time)} · {sourceName(record, labels)}</span>
        {record.requestId !== undefined ? <span class="muted"> · requestId {record.requestId}</span> : null}
        <button type="button" class="icon-button close" title="Close" onClick={() => (state.selected.value = null)}>
          ✕
        </button>
      </div>
      <div class="detail-summary">{record.summary}</div>
      <pre class="json" data-testid="detail-json">{prettyJSON(record.raw)}</pre>
    </div>
  );
}
