// The panel's layout: servers and page sockets on the left, the timeline with its detail pane on the right.

import { useEffect, useRef } from 'preact/hooks';
import { useConnections, useLayout, useNames, useReplay, useTimeline, useView } from '../store/index.js';
import { STACKED_QUERY, useMediaQuery } from './media.js';
import { Splitter } from './Splitter.js';
import { ServerForm } from './AddServerForm.js';
import { PageSockets } from './PageSockets.js';
import { ServerList } from './ServerList.js';
import { FleetList } from './FleetList.js';
import { Composer } from './Composer.js';
import { Timeline } from './Timeline.js';
import { Toolbar } from './Toolbar.js';
import { shortcutFor, takesTyping } from './shortcuts.js';
import { subscriptionLabel } from './subscription-label.js';
import { UndoClearBar } from './UndoClearBar.js';
import { lazyComponent } from './lazy.js';
import type { Defaults } from '../store/first-run.js';

const WhyNoEventView = lazyComponent('the Why no event? view', () => import('./WhyNoEvent.js').then((m) => m.WhyNoEventView));
const ResultSetView = lazyComponent('the result set view', () => import('./ResultSet.js').then((m) => m.ResultSetView));
const RecordDetail = lazyComponent('the record detail pane', () => import('./RecordDetail.js').then((m) => m.RecordDetail));
const ReplayPanel = lazyComponent('the replay view', () => import('./ReplayPanel.js').then((m) => m.ReplayPanel));
// In the composer's closed History section: it loads after the first paint, before anyone opens it.
const QueryHistoryList = lazyComponent('the query history', () => import('./QueryHistory.js').then((m) => m.QueryHistoryList));
const RecordingBanner = lazyComponent('the recording banner', () => import('./RecordingBanner.js').then((m) => m.RecordingBanner));

export type { Defaults };

const IS_MAC = /mac/i.test(navigator.platform || navigator.userAgent);

/** The filter's scope in words, with a button to widen it again. */
function ScopeBar() {
  const timeline = useTimeline();
  const names = useNames();
  const filter = timeline.filter.value;
  if (!filter.subscriptionKey && !filter.source && !filter.className) return null;
  const subscription = filter.subscriptionKey ? subscriptionLabel({ subscriptionKey: filter.subscriptionKey }, names.subscriptionNames.value) : '';
  return (
    <div class="filter-bar" data-testid="scope-bar">
      Showing only{' '}
      {subscription ? `subscription ${subscription}` : ''}
      {filter.className ? ` class ${filter.className}` : ''}
      {filter.source ? ` source ${names.sourceNames.value.get(filter.source) ?? filter.source}` : ''}
      <button type="button" data-testid="clear-scope" onClick={() => timeline.showAll()}>
        Show all
      </button>
    </div>
  );
}

export function App({ defaults }: { defaults: Defaults }) {
  const timeline = useTimeline();
  const connections = useConnections();
  const view = useView();
  const replay = useReplay();
  const filterInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const inTextField = takesTyping(e.target);
      const action = shortcutFor({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, inTextField }, IS_MAC);
      if (action === 'toggleRecording') {
        e.preventDefault();
        timeline.toggleRecording();
      } else if (action === 'clear') {
        e.preventDefault();
        timeline.clear();
      } else if (action === 'undoClear') {
        if (!timeline.undoableClear.peek()) return;
        e.preventDefault();
        timeline.undoClear();
      } else if (action === 'focusFilter') {
        e.preventDefault();
        filterInput.current?.focus();
        filterInput.current?.select();
      } else if (action === 'escape' && e.target === filterInput.current) {
        (document.querySelector('.timeline-viewport') as HTMLElement | null)?.focus();
      } else if (action === 'escape' && !inTextField && timeline.selected.value) {
        timeline.select(null);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [timeline]);

  const hasServers = connections.hasServers.value;
  const main = view.main.value;
  const composerTarget = view.composerTarget.value;
  const layout = useLayout();
  const stacked = useMediaQuery(STACKED_QUERY);
  const sidebarOpen = layout.sidebarOpen.value;
  const sidebarSize = stacked ? layout.sidebarHeight.value : layout.sidebarWidth.value;
  return (
    <div class={`app ${stacked ? 'stacked' : 'side-by-side'}`}>
      <aside
        class="sidebar"
        id="sidebar"
        hidden={!sidebarOpen}
        data-testid="sidebar"
        style={stacked ? { height: `${sidebarSize}px` } : { width: `${sidebarSize}px` }}
      >
        {!connections.connected.value ? (
          <div class="banner" role="status" data-testid="sw-status">
            Reconnecting to the extension's service worker…
          </div>
        ) : null}
        <details open>
          <summary>Servers</summary>
          <ServerList />
          <details open={!hasServers} class="nested">
            <summary>Add a server</summary>
            <ServerForm initial={defaults.server} />
          </details>
        </details>
        <FleetList />
        {composerTarget ? (
          <details open>
            <summary>
              Subscribe on <em>{composerTarget.title}</em>
            </summary>
            <Composer serverId={composerTarget.serverId} serverKey={composerTarget.serverKey} />
            <details class="nested">
              <summary>History</summary>
              <QueryHistoryList serverId={composerTarget.serverId} />
            </details>
          </details>
        ) : null}
        <details open>
          <summary>Page</summary>
          <PageSockets />
          <details class="nested" open={replay.plan.value !== null}>
            <summary>Replay into the page</summary>
            <ReplayPanel />
          </details>
        </details>
      </aside>
      {sidebarOpen ? (
        <Splitter
          orientation={stacked ? 'horizontal' : 'vertical'}
          size={sidebarSize}
          label="Resize the sidebar"
          testId="sidebar-splitter"
          onResize={(size) =>
            stacked ? layout.setSidebarHeight(size, innerHeight * 0.7) : layout.setSidebarWidth(size, innerWidth * 0.6)
          }
        />
      ) : null}
      <main class="main">
        <Toolbar filterInput={filterInput} />
        <ScopeBar />
        <UndoClearBar />
        {timeline.imported.value ? <RecordingBanner /> : null}
        {main.type === 'results' ? (
          <ResultSetView key={main.subscriptionKey} subscriptionKey={main.subscriptionKey} title={main.title} serverId={main.serverId} />
        ) : main.type === 'why' ? (
          <WhyNoEventView />
        ) : (
          <div class={`content ${timeline.selected.value ? 'with-detail' : ''}`}>
            <Timeline />
            {timeline.selected.value ? <RecordDetail /> : null}
          </div>
        )}
      </main>
    </div>
  );
}
