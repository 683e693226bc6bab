// The live result set of one subscription: the objects that match now, maintained from its events, with what may be
// wrong about it (stale since a gap) and the REST queries that load or check it.

import type { ReadonlySignal } from '@preact/signals';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { isSecretKey } from '../../src/timeline/redact.js';
import { columnsOf } from '../../src/timeline/result-set.js';
import { useConnections, usePage, useResultSets, useView } from '../store/index.js';
import { querySourceOf } from '../store/query-sources.js';
import { MAX_RESULT_SET_CAP, MIN_RESULT_SET_CAP, type CheckSummary, type ResultSetView as ResultSetState } from '../store/result-sets.js';
import { formatClock } from './format.js';
import { CELL_LIMIT, maskJSON, maskText, withNote } from './masked-text.js';
import { WhyNoEventButton } from './WhyNoEventButton.js';

const MAX_COLUMNS = 8;
/** Columns are chosen from the first objects: scanning 10,000 on every frame would cost more than the rows. */
const COLUMN_SAMPLE = 500;
const ROW_HEIGHT = 20;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 10;

const count = (n: number) => n.toLocaleString('en-US');

/** A cell's text; secret fields (e.g. a sessionToken column) and tokens inside values are masked, long ones cut. */
function cell(column: string, value: unknown): string {
  if (value === undefined) return '';
  if (isSecretKey(column) && typeof value === 'string') return '••••••••';
  return withNote(typeof value === 'string' ? maskText(value, CELL_LIMIT) : maskJSON(value, CELL_LIMIT));
}

/** The signal's value, taken at most once per frame: a flood of events re-renders the table once per paint. */
function usePerFrame<T>(source: ReadonlySignal<T>): T {
  const [value, setValue] = useState(source.peek());
  useEffect(() => {
    let queued = false;
    const stop = source.subscribe(() => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        setValue(source.peek());
      });
    });
    return () => stop();
  }, [source]);
  return value;
}

function checkText(check: CheckSummary): string {
  const parts = [`${count(check.appeared)} appeared`, `${count(check.changed)} changed`, `${count(check.left)} left`];
  const whole = check.more ? `; only the first ${count(check.found)} objects were compared: raise the cap` : '';
  return `Last checked ${formatClock(check.at).slice(0, 8)}: ${parts.join(', ')} (REST found ${count(check.found)})${whole}. Deletes during a gap cannot be known from REST.`;
}

function CheckButton({ stale, busy, onCheck }: { stale: boolean; busy: boolean; onCheck: () => void }) {
  return (
    <button type="button" data-testid="what-did-i-miss" disabled={busy} onClick={onCheck} title="Run the subscription's query over REST, compare it with the set and correct it">
      {stale ? 'What did I miss?' : 'Check over REST'}
    </button>
  );
}

function StaleBanner({ results, onCheck, busy }: { results: ResultSetState; onCheck?: () => void; busy: boolean }) {
  if (results.staleSince === undefined && !results.lastCheck) return null;
  return (
    <div class={results.staleSince !== undefined ? 'result-banner stale' : 'result-banner'} data-testid="result-stale" role="status">
      {results.staleSince !== undefined ? (
        <span data-testid="result-stale-since">
          May be stale since {formatClock(results.staleSince).slice(0, 8)}: events may have been missed (a reconnect, a restart or dropped records).
        </span>
      ) : null}
      {results.lastCheck ? <span data-testid="result-last-check">{checkText(results.lastCheck)}</span> : null}
      {onCheck ? <CheckButton stale={results.staleSince !== undefined} busy={busy} onCheck={onCheck} /> : null}
    </div>
  );
}

function CapInput() {
  const resultSets = useResultSets();
  const [error, setError] = useState<string | null>(null);
  return (
    <label class="check" title={`Objects a result set keeps and a REST query loads (${count(MIN_RESULT_SET_CAP)}–${count(MAX_RESULT_SET_CAP)})`}>
      cap
      <input
        type="number"
        class="cap-input"
        data-testid="result-cap"
        min={MIN_RESULT_SET_CAP}
        max={MAX_RESULT_SET_CAP}
        step={1000}
        value={resultSets.cap.value}
        onChange={(e) => {
          try {
            resultSets.setCap(Number(e.currentTarget.value));
            setError(null);
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      />
      {error ? <span class="error-text" data-testid="result-cap-error">{error}</span> : null}
    </label>
  );
}

/** Only the rows in view are in the DOM: 10,000 objects cost as much as 60. */
function ResultTable({ results, subscriptionKey }: { results: ResultSetState; subscriptionKey: string }) {
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const total = results.size;
  const columns = useMemo(() => columnsOf(results.slice(0, COLUMN_SAMPLE), MAX_COLUMNS), [results]);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(total, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  return (
    <div
      class="result-table-wrap"
      data-testid="result-table"
      ref={(el) => {
        if (el && el.clientHeight && el.clientHeight !== height) setHeight(el.clientHeight);
      }}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <table class="result-table">
        <thead>
          <tr>
            <th aria-label="Why?" />
            {columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {first > 0 ? <tr style={{ height: `${first * ROW_HEIGHT}px` }} aria-hidden="true" /> : null}
          {results.slice(first, last).map((object) => (
            <tr key={String(object.objectId)} data-testid="result-row" style={{ height: `${ROW_HEIGHT}px` }}>
              <td>{typeof object.objectId === 'string' ? <WhyNoEventButton subscriptionKey={subscriptionKey} objectId={object.objectId} label="Why?" testId="why-result" /> : null}</td>
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
          {last < total ? <tr style={{ height: `${(total - last) * ROW_HEIGHT}px` }} aria-hidden="true" /> : null}
        </tbody>
      </table>
      {total === 0 ? <div class="empty">No object matches yet: events (create, enter, update) add them, leave and delete remove them.</div> : null}
    </div>
  );
}

export function ResultSetView({ subscriptionKey, title }: { subscriptionKey: string; title: string; serverId?: string }) {
  const resultSets = useResultSets();
  const view = useView();
  const servers = useConnections().servers.value;
  const sockets = usePage().sockets.value;
  const results = usePerFrame(resultSets.of(subscriptionKey));
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const queryable = querySourceOf(subscriptionKey, servers, sockets) !== undefined;

  const run = async (action: () => Promise<string>) => {
    setMessage(null);
    try {
      setMessage({ error: false, text: await action() });
    } catch (error) {
      setMessage({ error: true, text: (error as Error).message });
    }
  };
  const seed = () =>
    run(async () => {
      const { loaded, more } = await resultSets.seed(subscriptionKey);
      return more
        ? `Loaded the first ${count(loaded)} of more: raise the cap to load them all`
        : `Seeded with ${count(loaded)} object${loaded === 1 ? '' : 's'} over REST; events keep it current`;
    });
  const check = () =>
    run(async () => {
      const found = await resultSets.check(subscriptionKey);
      return found.appeared + found.changed + found.left === 0 ? 'Nothing missed: REST agrees with the set' : 'Corrected: the recovered changes are in the timeline';
    });
  const reset = () => {
    setMessage(null);
    resultSets.reset(subscriptionKey);
  };

  return (
    <div class="result-set" data-testid="result-set">
      <div class="result-header">
        <strong>Live results: {title}</strong>
        <span class="muted" data-testid="result-count">
          {count(results.size)} object(s)
        </span>
        {results.forgotten ? (
          <span class="warn" data-testid="result-forgotten" title={`A result set keeps at most ${count(resultSets.cap.value)} objects (the cap)`}>
            {count(results.forgotten)} oldest object(s) not kept
          </span>
        ) : null}
        {queryable ? (
          <button type="button" data-testid="seed-results" disabled={results.busy} title="Run the query over REST (every page, up to the cap) to include objects that existed before the subscription" onClick={seed}>
            Seed with a REST query
          </button>
        ) : null}
        {queryable && results.staleSince === undefined && !results.lastCheck ? <CheckButton stale={false} busy={results.busy} onCheck={check} /> : null}
        <CapInput />
        <label class="check" title="Run What did I miss? by itself after each gap">
          <input type="checkbox" data-testid="auto-check" checked={resultSets.autoCheck.value} onChange={(e) => resultSets.setAutoCheck(e.currentTarget.checked)} />
          check after gaps
        </label>
        <button type="button" data-testid="reset-results" title="Empty the set; the next events fill it again" onClick={reset}>
          Reset
        </button>
        <button type="button" data-testid="close-results" onClick={() => view.showTimeline()}>
          Back to timeline
        </button>
      </div>
      <StaleBanner results={results} busy={results.busy} onCheck={queryable ? check : undefined} />
      {results.busy ? <div class="muted pad" data-testid="result-busy">Running the query over REST…</div> : null}
      {message ? (
        <div class={message.error ? 'error-text pad' : 'muted pad'} role={message.error ? 'alert' : 'status'} data-testid="result-message">
          {message.text}
        </div>
      ) : null}
      {results.checkError ? (
        <div class="error-text pad" role="alert" data-testid="result-check-error">
          {results.checkError}
        </div>
      ) : null}
      <ResultTable results={results} subscriptionKey={subscriptionKey} />
    </div>
  );
}
