// The panel's layout: servers and page sockets on the left, the timeline with its detail pane on the right.

import { useEffect, useRef } from 'preact/hooks';
import type { AppState } from '../state/app-state.js';
import { ServerForm } from './AddServerForm.js';
import { PageSockets } from './PageSockets.js';
import { RecordDetail } from './RecordDetail.js';
import { RecordingBanner } from './Recording.js';
import { ResultSetView } from './ResultSet.js';
import { ServerList } from './ServerList.js';
import { Composer, QueryHistoryList } from './Composer.js';
import { Timeline } from './Timeline.js';
import { Toolbar } from './Toolbar.js';
import type { ServerSpec } from '../../src/views.js';
import { serverKeyOf } from '../state/keyring.js';
import type { QueryDraft } from '../state/query-draft.js';

export interface Defaults {
  server?: ServerSpec;
  query?: Partial<QueryDraft>;
}

export function applyDefaults(state: AppState, defaults: Defaults): void {
  if (defaults.query) state.composer.draft.value = { ...state.composer.draft.value, ...defaults.query };
}

function isEditable(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

export function App({ state, defaults }: { state: AppState; defaults: Defaults }) {
  const filterInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 'e') {
        e.preventDefault();
        state.toggleRecording();
      } else if (mod && key === 'k') {
        e.preventDefault();
        state.clear();
      } else if ((mod && key === 'f') || (e.key === '/' && !isEditable(e.target))) {
        e.preventDefault();
        filterInput.current?.focus();
        filterInput.current?.select();
      } else if (e.key === 'Escape' && e.target === filterInput.current) {
        (document.querySelector('.timeline-viewport') as HTMLElement | null)?.focus();
      } else if (e.key === 'Escape' && !isEditable(e.target) && state.selected.value) {
        state.selected.value = null;
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [state]);

  const servers = state.servers.value;
  const view = state.view.value;
  const selectedServer = servers.find((s) => s.id === state.selectedServerId.value) ?? servers[0];
  return (
    <div class="app">
      <aside class="sidebar">
        {!state.connected.value ? (
          <div class="banner" role="status" data-testid="sw-status">
            Reconnecting to the extension's service worker…
          </div>
        ) : null}
        <details open>
          <summary>Servers</summary>
          <ServerList state={state} />
          <details open={servers.length === 0} class="nested">
            <summary>Add a server</summary>
            <ServerForm state={state} initial={defaults.server} />
          </details>
        </details>
        {selectedServer ? (
          <details open>
            <summary>
              Subscribe on <em>{selectedServer.spec.label || selectedServer.spec.serverURL}</em>
            </summary>
            <Composer state={state} serverId={selectedServer.id} serverKey={serverKeyOf(selectedServer.spec)} />
            <details class="nested">
              <summary>History</summary>
              <QueryHistoryList state={state} serverId={selectedServer.id} />
            </details>
          </details>
        ) : null}
        <details open>
          <summary>Page</summary>
          <PageSockets state={state} />
        </details>
      </aside>
      <main class="main">
        <Toolbar state={state} filterInput={filterInput} />
        {state.filter.value.subscriptionKey || state.filter.value.source || state.filter.value.className ? (
          <div class="filter-bar">
            Showing only{' '}
            {state.filter.value.subscriptionKey ? `subscription ${state.filter.value.subscriptionKey}` : ''}
            {state.filter.value.className ? ` class ${state.filter.value.className}` : ''}
            {state.filter.value.source ? ` source ${state.filter.value.source}` : ''}
            <button
              type="button"
              data-testid="clear-scope"
              onClick={() => state.setFilter({ ...state.filter.value, subscriptionKey: undefined, source: undefined, className: undefined })}
            >
              Show all
            </button>
          </div>
        ) : null}
        <RecordingBanner state={state} />
        {view.type === 'results' ? (
          <ResultSetView state={state} subscriptionKey={view.subscriptionKey} title={view.title} serverId={view.serverId} />
        ) : (
          <div class={`content ${state.selected.value ? 'with-detail' : ''}`}>
            <Timeline state={state} />
            {state.selected.value ? <RecordDetail state={state} /> : null}
          </div>
        )}
      </main>
    </div>
  );
}
