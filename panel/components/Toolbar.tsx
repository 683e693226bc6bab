// The timeline toolbar: record, clear, preserve log, filter text/regex, kind chips and counts, as in the Network panel.

import type { Ref } from 'preact';
import { RECORD_KINDS, type RecordKind } from '../../src/timeline/record.js';
import type { AppState } from '../state/app-state.js';
import { RecordingMenu } from './Recording.js';

const CAPACITIES = [10_000, 50_000, 100_000, 250_000, 500_000];

/** Filters by server or page socket and by class, and the number of records kept. */
function ScopeSelects({ state }: { state: AppState }) {
  const filter = state.filter.value;
  const sources = [...state.sourceNames.value.entries()];
  return (
    <>
      <select
        data-testid="filter-source"
        title="Only records of this server or page socket"
        value={filter.source ?? ''}
        onChange={(e) => state.setFilter({ ...filter, source: e.currentTarget.value || undefined })}
      >
        <option value="">All sources</option>
        {sources.map(([key, name]) => (
          <option key={key} value={key}>
            {name}
          </option>
        ))}
      </select>
      <select
        data-testid="filter-class"
        title="Only records of this class"
        value={filter.className ?? ''}
        onChange={(e) => state.setFilter({ ...filter, className: e.currentTarget.value || undefined })}
      >
        <option value="">All classes</option>
        {state.knownClasses.value.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </>
  );
}

export function Toolbar({ state, filterInput }: { state: AppState; filterInput: Ref<HTMLInputElement> }) {
  const filter = state.filter.value;
  state.timelineVersion.value;
  const toggleKind = (kind: RecordKind) => {
    const kinds = filter.kinds.includes(kind) ? filter.kinds.filter((k) => k !== kind) : [...filter.kinds, kind];
    state.setFilter({ ...filter, kinds });
  };
  const { timeline } = state;
  return (
    <>
    <div class="toolbar" role="toolbar" aria-label="Recording">
      <button
        type="button"
        class={`record-button ${state.recording.value ? 'on' : ''}`}
        data-testid="record"
        title={`${state.recording.value ? 'Stop' : 'Start'} recording (Ctrl+E)`}
        aria-pressed={state.recording.value}
        onClick={() => state.toggleRecording()}
      >
        <span class="dot" />
      </button>
      <button type="button" class="icon-button" data-testid="clear" title="Clear (Ctrl+K)" onClick={() => state.clear()}>
        <span class="clear-icon" aria-hidden="true" /> Clear
      </button>
      <label class="check" title="Keep the timeline and the page's old sockets when the page reloads">
        <input
          type="checkbox"
          data-testid="preserve-log"
          checked={state.preserveLog.value}
          onChange={(e) => (state.preserveLog.value = e.currentTarget.checked)}
        />
        Preserve log
      </label>
      <span class="divider" />
      <RecordingMenu state={state} />
      <select
        data-testid="capacity"
        title="How many records the timeline keeps; the oldest are dropped beyond that"
        value={String(state.capacity.value)}
        onChange={(e) => state.setCapacity(Number(e.currentTarget.value))}
      >
        {CAPACITIES.map((n) => (
          <option key={n} value={String(n)}>
            keep {n.toLocaleString('en-US')}
          </option>
        ))}
      </select>
      <span class="spacer" />
      {timeline.filterError ? <span class="error-text">{timeline.filterError}</span> : null}
      <span class="counts" data-testid="record-counts">
        {timeline.matchCount === timeline.size ? `${timeline.size} records` : `${timeline.matchCount} / ${timeline.size} records`}
        {timeline.dropped ? <span class="dropped" data-testid="dropped"> · {timeline.dropped} dropped</span> : null}
        {!state.recording.value ? <span class="paused"> · paused</span> : null}
      </span>
    </div>
    <div class="toolbar filter-row" role="toolbar" aria-label="Filter">
      <input
        ref={filterInput}
        class={`filter-input ${timeline.filterError ? 'invalid' : ''}`}
        data-testid="filter-text"
        type="search"
        placeholder={filter.regex ? 'Filter (regular expression)' : 'Filter'}
        title={timeline.filterError ?? 'Filter records by text in their JSON (Ctrl+F or /)'}
        value={filter.text ?? ''}
        onInput={(e) => state.setFilter({ ...filter, text: e.currentTarget.value })}
      />
      <label class="check" title="Treat the filter as a regular expression">
        <input
          type="checkbox"
          data-testid="filter-regex"
          checked={!!filter.regex}
          onChange={(e) => state.setFilter({ ...filter, regex: e.currentTarget.checked })}
        />
        Regex
      </label>
      <span class="chips" role="group" aria-label="Kinds">
        <button
          type="button"
          class={`chip ${filter.kinds.length === 0 ? 'active' : ''}`}
          onClick={() => state.setFilter({ ...filter, kinds: [] })}
        >
          All
        </button>
        {RECORD_KINDS.map((kind) => (
          <button
            type="button"
            key={kind}
            data-testid={`kind-${kind}`}
            class={`chip kind-${kind} ${filter.kinds.includes(kind) ? 'active' : ''}`}
            onClick={() => toggleKind(kind)}
          >
            {kind}
          </button>
        ))}
      </span>
      <ScopeSelects state={state} />
    </div>
    </>
  );
}
