// The fan-out check of one fleet: its form (query, event, wait window, late threshold) and its last result.

import { useState } from 'preact/hooks';
import type { FanoutWrite } from '../../src/timeline/record.js';
import type { FanoutResult } from '../store/fanout-check.js';
import type { Fleet } from '../store/fleets.js';
import { useFanoutCheck, useNames } from '../store/index.js';
import { latencyClock, verdictText } from './fleet-format.js';

const PHASE_TEXT = {
  idle: '',
  subscribing: 'subscribing on every node…',
  writing: 'writing…',
  waiting: 'waiting for the event on every node…',
  cleaning: 'removing its subscriptions and objects…',
} as const;

function parseWhere(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`where is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('where must be a JSON object, e.g. {"room":"lobby"}');
  return value as Record<string, unknown>;
}

function CheckResult({ result }: { result: FanoutResult }) {
  return (
    <div class="fanout-result" data-testid="fanout-result" data-finished={result.finishedAt} role="status">
      <div class="line">
        <strong>
          {result.className}
          {result.objectId ? ` ${result.objectId}` : ''}
        </strong>
        {result.error ? (
          <span class="error-text" data-testid="fanout-error">
            stopped: {result.error}
          </span>
        ) : null}
      </div>
      <ul class="fanout-verdicts">
        {result.nodes.map((node) => (
          <li key={node.serverId} data-testid="fanout-verdict" data-server-id={node.serverId} data-verdict={node.verdict} class={`verdict-${node.verdict}`}>
            <strong>{node.node}</strong> {verdictText(node)}
          </li>
        ))}
      </ul>
      {result.leftovers.length ? <div class="error-text">Not cleaned up: {result.leftovers.join('; ')}</div> : null}
      <div class="muted small">latency: {latencyClock(result.write)}</div>
    </div>
  );
}

export function FleetCheck({ fleet }: { fleet: Fleet }) {
  const check = useFanoutCheck();
  const classes = useNames().knownClasses.value;
  const firstClass = fleet.nodes.flatMap((n) => n.server.subscriptions.map((s) => s.query.className)).find((c) => c) ?? classes[0] ?? '';
  const [className, setClassName] = useState(firstClass);
  const [where, setWhere] = useState('{}');
  const [write, setWrite] = useState<FanoutWrite>('create');
  const [error, setError] = useState<string | null>(null);
  const settings = check.settings.value;
  const runningHere = check.running.value === fleet.key;
  const busy = check.running.value !== null;
  const result = check.results.value.get(fleet.key);

  const start = () => {
    setError(null);
    try {
      if (!className.trim()) throw new Error('Name the class to check');
      check.run({ fleetKey: fleet.key, className: className.trim(), where: parseWhere(where), write }).catch((e: Error) => setError(e.message));
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const setSetting = (next: { waitMs?: number; lateMs?: number }) => {
    try {
      check.setSettings({ ...settings, ...next });
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <details class="nested fanout" data-testid="fanout" open={runningHere || result !== undefined}>
      <summary>Fan-out check</summary>
      <div class="field">
        <label>class</label>
        <input data-testid="fanout-class" list="known-classes" value={className} onInput={(e) => setClassName(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label>where</label>
        <input data-testid="fanout-where" value={where} onInput={(e) => setWhere(e.currentTarget.value)} spellcheck={false} />
      </div>
      <div class="field">
        <label>event</label>
        <select data-testid="fanout-write" value={write} onChange={(e) => setWrite(e.currentTarget.value as FanoutWrite)}>
          <option value="create">create a throwaway object (master key; deleted after)</option>
          <option value="update">save an existing match again (master key)</option>
          <option value="natural">wait for the next natural event</option>
        </select>
      </div>
      <div class="field">
        <label>wait window (s)</label>
        <input
          type="number"
          data-testid="fanout-wait"
          min={0.1}
          step={0.5}
          value={settings.waitMs / 1000}
          onChange={(e) => setSetting({ waitMs: Math.round(Number(e.currentTarget.value) * 1000) })}
        />
      </div>
      <div class="field">
        <label>late after (ms)</label>
        <input
          type="number"
          data-testid="fanout-late"
          min={0}
          step={100}
          value={settings.lateMs}
          onChange={(e) => setSetting({ lateMs: Math.round(Number(e.currentTarget.value)) })}
        />
      </div>
      <div class="form-actions">
        {runningHere ? (
          <button type="button" data-testid="fanout-cancel" onClick={() => check.cancel()}>
            Cancel
          </button>
        ) : (
          <button type="button" data-testid="fanout-run" disabled={busy} onClick={start}>
            Check fan-out
          </button>
        )}
        {runningHere ? (
          <span class="muted" data-testid="fanout-phase">
            {PHASE_TEXT[check.phase.value]}
          </span>
        ) : null}
      </div>
      {error ? (
        <div class="error-text" role="alert" data-testid="fanout-refused">
          {error}
        </div>
      ) : null}
      {result && !runningHere ? <CheckResult result={result} /> : null}
    </details>
  );
}
