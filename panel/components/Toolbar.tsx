// The timeline toolbar: record, clear, preserve log, filter text/regex, kind chips and counts, as in the Network panel.

import type { Ref } from 'preact';
import { RECORD_KINDS } from '../../src/timeline/record.js';
import { useLayout, useNames, usePage, useTimeline } from '../store/index.js';
import { RecordingMenu } from './Recording.js';

const CAPACITIES = [10_000, 50_000, 100_000, 250_000, 500_000];

/** Filters by server or page socket and by class. */
function ScopeSelects() {
  const timeline = useTimeline();
  const names = useNames();
  const filter = timeline.filter.value;
  const sources = [...names.sourceNames.value.entries()];
  return (
    <>
      <select
        data-testid="filter-source"
        title="Only records of this server or page socket"
        value={filter.source ?? ''}
        onChange={(e) => timeline.scope({ source: e.currentTarget.value || undefined })}
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
        onChange={(e) => timeline.scope({ className: e.currentTarget.value || undefined })}
      >
        <option value="">All classes</option>
        {names.knownClasses.value.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </>
  );
}

/** How many records are kept and shown, how many were dropped, whether recording is paused. */
function Counts() {
  const timeline = useTimeline();
  const rows = timeline.rows.value;
  return (
    <span class="counts" data-testid="record-counts">
      {rows.matchCount === rows.size ? `${rows.size} records` : `${rows.matchCount} / ${rows.size} records`}
      {rows.dropped ? <span class="dropped" data-testid="dropped"> · {rows.dropped} dropped</span> : null}
      {!timeline.recording.value ? <span class="paused"> · paused</span> : null}
    </span>
  );
}

export function Toolbar({ filterInput }: { filterInput: Ref<HTMLInputElement> }) {
  const timeline = useTimeline();
  const page = usePage();
  const filter = timeline.filter.value;
  const filterError = timeline.filterError.value;
  const checking = timeline.checking.value;
  const recording = timeline.recording.value;
  const layout = useLayout();
  const sidebarOpen = layout.sidebarOpen.value;
  return (
    <>
    <div class="toolbar" role="toolbar" aria-label="Recording">
      <button
        type="button"
        class="icon-button sidebar-toggle"
        data-testid="toggle-sidebar"
        aria-controls="sidebar"
        aria-expanded={sidebarOpen}
        title={`${sidebarOpen ? 'Hide' : 'Show'} servers, composer and page`}
        onClick={() => layout.toggleSidebar()}
      >
        <span aria-hidden="true">{sidebarOpen ? '⇤' : '⇥'}</span>
      </button>
      <button
        type="button"
        class={`record-button ${recording ? 'on' : ''}`}
        data-testid="record"
        title={`${recording ? 'Stop' : 'Start'} recording (Ctrl+E)`}
        aria-pressed={recording}
        onClick={() => timeline.toggleRecording()}
      >
        <span class="dot" />
      </button>
      <button type="button" class="icon-button" data-testid="clear" title="Clear (Ctrl+K)" onClick={() => timeline.clear()}>
        <span class="clear-icon" aria-hidden="true" /> Clear
      </button>
      <label class="check" title="Keep the timeline and the page's old sockets when the page reloads">
        <input
          type="checkbox"
          data-testid="preserve-log"
          checked={page.preserveLog.value}
          onChange={(e) => page.setPreserveLog(e.currentTarget.checked)}
        />
        Preserve log
      </label>
      <span class="divider" />
      <RecordingMenu />
      <select
        data-testid="capacity"
        title="How many records the timeline keeps; the oldest are dropped beyond that"
        value={String(timeline.capacity.value)}
        onChange={(e) => timeline.setCapacity(Number(e.currentTarget.value))}
      >
        {CAPACITIES.map((n) => (
          <option key={n} value={String(n)}>
            keep {n.toLocaleString('en-US')}
          </option>
        ))}
      </select>
      <span class="spacer" />
      {checking ? (
        <span class="muted" data-testid="filter-checking">
          checking the expression…
        </span>
      ) : filterError ? (
        <span class="error-text" data-testid="filter-error">
          {filterError}
        </span>
      ) : null}
      <Counts />
    </div>
    <div class="toolbar filter-row" role="toolbar" aria-label="Filter">
      <input
        ref={filterInput}
        class={`filter-input ${filterError ? 'invalid' : ''}`}
        data-testid="filter-text"
        data-filter-checking={checking ? 'true' : undefined}
        type="search"
        placeholder={filter.regex ? 'Filter (regular expression)' : 'Filter'}
        title={filterError ?? 'Filter records by text in their JSON (Ctrl+F or /)'}
        value={filter.text ?? ''}
        onInput={(e) => timeline.setFilter({ ...filter, text: e.currentTarget.value })}
      />
      <label class="check" title="Treat the filter as a regular expression">
        <input
          type="checkbox"
          data-testid="filter-regex"
          checked={!!filter.regex}
          onChange={(e) => timeline.setFilter({ ...filter, regex: e.currentTarget.checked })}
        />
        Regex
      </label>
      <span class="chips" role="group" aria-label="Kinds">
        <button
          type="button"
          class={`chip ${filter.kinds.length === 0 ? 'active' : ''}`}
          onClick={() => timeline.setFilter({ ...filter, kinds: [] })}
        >
          All
        </button>
        {RECORD_KINDS.map((kind) => (
          <button
            type="button"
            key={kind}
            data-testid={`kind-${kind}`}
            class={`chip kind-${kind} ${filter.kinds.includes(kind) ? 'active' : ''}`}
            onClick={() => timeline.toggleKind(kind)}
          >
            {kind}
          </button>
        ))}
      </span>
      <ScopeSelects />
    </div>
    </>
  );
}
