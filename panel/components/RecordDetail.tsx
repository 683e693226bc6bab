// The detail pane: the selected record's facts, its JSON as a tree, a field diff for update/enter/leave, the raw text.

import { useState } from 'preact/hooks';
import { isPlainObject } from '../../src/livequery/protocol.js';
import { diffObjects, type FieldChange } from '../../src/timeline/diff.js';
import { isSecretKey } from '../../src/timeline/redact.js';
import type { TimelineRecord } from '../../src/timeline/record.js';
import { useInject, useNames, useTimeline } from '../store/index.js';
import { formatClock, sourceName } from './format.js';
import { JsonTree } from './JsonTree.js';
import { WhyNoEventButton } from './WhyNoEventButton.js';
import { markerJSON, recordFacts } from './marker-facts.js';
import { CELL_LIMIT, hiddenNote, maskJSON, maskText, rawForDisplay, withNote } from './masked-text.js';

type Tab = 'tree' | 'diff' | 'raw';

function parseRaw(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function show(field: string, value: unknown): string {
  if (value === undefined) return '';
  if (isSecretKey(field) && typeof value === 'string') return '••••••••';
  return withNote(maskJSON(value, CELL_LIMIT));
}

function DiffTable({ changes }: { changes: FieldChange[] }) {
  if (!changes.length) return <div class="muted pad">No field changed (only metadata such as updatedAt).</div>;
  return (
    <table class="diff" data-testid="diff">
      <thead>
        <tr>
          <th>field</th>
          <th>original</th>
          <th>object</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.field} class={`diff-${c.change}`} data-change={c.change}>
            <td>
              <span class="diff-mark">{c.change === 'added' ? '+' : c.change === 'removed' ? '−' : '~'}</span> {c.field}
            </td>
            <td class="mono">{show(c.field, c.before)}</td>
            <td class="mono">{show(c.field, c.after)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The Raw tab's text: secrets masked unless revealed, and a long text cut with a note saying how much is left out. */
function RawText({ raw, reveal }: { raw: string | undefined; reveal: boolean }) {
  const shown = raw === undefined ? { text: '', hidden: 0 } : rawForDisplay(raw, reveal);
  return (
    <>
      <pre class="json" data-testid="detail-json">
        {shown.text}
      </pre>
      {shown.hidden ? (
        <div class="muted pad-small" data-testid="detail-hidden">
          {hiddenNote(shown.hidden)}
        </div>
      ) : null}
    </>
  );
}

/** "Send again" and "Edit & inject" for an event of one of the page's subscriptions. */
function InjectActions({ record }: { record: TimelineRecord }) {
  const inject = useInject();
  if (!inject.canSendAgain(record)) return null;
  const result = inject.sentAgain.value;
  const mine = result && result.record === `${record.epoch}:${record.seq}` ? result : null;
  return (
    <div class="line actions pad-small" data-testid="detail-inject">
      <button type="button" data-testid="send-again" title="Deliver this event to the page's subscription again (not to the server)" onClick={() => void inject.sendAgain(record)}>
        Send again
      </button>
      <button type="button" data-testid="edit-inject" title="Edit this event in the page's Inject editor" onClick={() => inject.openFrom(record)}>
        Edit &amp; inject…
      </button>
      {mine ? (
        <span role="status" data-testid="send-again-result" class={mine.ok ? 'muted' : 'error-text'}>
          {mine.message}
        </span>
      ) : null}
    </div>
  );
}

export function RecordDetail() {
  const timeline = useTimeline();
  const names = useNames();
  const labels = names.sourceNames.value;
  const record = timeline.selected.value;
  const [tab, setTab] = useState<Tab>('tree');
  const [revealRaw, setRevealRaw] = useState(false);
  if (!record) return null;
  // A frame shows its text; any other record its marker.
  const raw = record.raw ?? (record.marker ? markerJSON(record.marker) : undefined);
  const json = parseRaw(raw);
  const frame = isPlainObject(json) ? json : undefined;
  const diffable = frame && isPlainObject(frame.object) && isPlainObject(frame.original);
  const active: Tab = tab === 'diff' && !diffable ? 'tree' : json === undefined && tab === 'tree' ? 'raw' : tab;
  const tabButton = (id: Tab, label: string, enabled = true) => (
    <button type="button" role="tab" aria-selected={active === id} class={active === id ? 'active' : ''} disabled={!enabled} data-testid={`detail-tab-${id}`} onClick={() => setTab(id)}>
      {label}
    </button>
  );
  return (
    <div class="detail" data-testid="detail">
      <div class="detail-header">
        <strong>{record.label}</strong>
        <span class="muted"> · {formatClock(record.time)} · {sourceName(record, labels)}</span>
        {record.requestId !== undefined ? <span class="muted"> · requestId {record.requestId}</span> : null}
        {record.subscriptionKey && record.objectId ? (
          <WhyNoEventButton subscriptionKey={record.subscriptionKey} objectId={record.objectId} label="Why?" testId="why-record" />
        ) : null}
        {record.injected ? (
          <span class="badge injected" data-testid="detail-injected" title="The panel injected this event into the page; no server sent it">
            injected
          </span>
        ) : null}
        <button type="button" class="icon-button close" title="Close (Esc)" onClick={() => timeline.select(null)}>
          ✕
        </button>
      </div>
      <div class="detail-summary">{record.summary}</div>
      <InjectActions record={record} />
      {record.rawLength !== undefined && record.raw !== undefined ? (
        <div class="detail-cut" data-testid="detail-cut">
          Cut: the first {record.raw.length.toLocaleString()} of {record.rawLength.toLocaleString()} characters were kept.
        </div>
      ) : null}
      {record.marker ? (
        <table class="facts" data-testid="marker-facts" data-marker={record.marker.type}>
          <tbody>
            {recordFacts(record, names.subscriptionNames.value).map(([name, value]) => (
              <tr key={name}>
                <th>{name}</th>
                <td>{withNote(maskText(value, CELL_LIMIT))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div class="segmented tabs" role="tablist">
        {tabButton('tree', 'JSON', json !== undefined)}
        {tabButton('diff', 'Diff', !!diffable)}
        {tabButton('raw', 'Raw')}
      </div>
      <div class="detail-body">
        {active === 'tree' ? <JsonTree value={json} /> : null}
        {active === 'diff' && frame ? (
          <DiffTable changes={diffObjects(frame.original as Record<string, unknown>, frame.object as Record<string, unknown>, { ignore: ['updatedAt'] })} />
        ) : null}
        {active === 'raw' ? (
          <>
            <label class="check pad-small" title="Session tokens and keys are hidden unless revealed">
              <input type="checkbox" data-testid="reveal-secrets" checked={revealRaw} onChange={(e) => setRevealRaw(e.currentTarget.checked)} /> Reveal
              secrets
            </label>
            <RawText raw={raw} reveal={revealRaw} />
          </>
        ) : null}
      </div>
    </div>
  );
}
