// The virtualized timeline list: only the rows in view are rendered; it sticks to the newest record unless scrolled up.

import { Component } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { TimelineRecord } from '../../src/timeline/record.js';
import { useLayout, useNames, useTimeline } from '../store/index.js';
import { DEFAULT_COLUMNS, type Column } from '../store/layout.js';
import { formatClock, isFromPage, sourceName } from './format.js';
import { Splitter } from './Splitter.js';

export const ROW_HEIGHT = 20;
const OVERSCAN = 10;

/** The Kind column fits the longest label seen (its cell's padding and border included), within these bounds. */
const KIND_MIN = 64;
const KIND_MAX = 220;
const CELL_CHROME = 16;

let measureContext: CanvasRenderingContext2D | null | undefined;
/** A text's width in a font, measured off-screen: no layout is read while the list renders. */
function textWidth(text: string, font = getComputedStyle(document.body).font): number {
  measureContext ??= document.createElement('canvas').getContext('2d');
  if (!measureContext) return text.length * 7;
  measureContext.font = font;
  return measureContext.measureText(text).width;
}

/** The Time column's width when the user has not set one: a clock time in the monospace font, whole. */
let timeFit: number | undefined;
function fittedTimeWidth(): number {
  timeFit ??= Math.ceil(textWidth('00:00:00.000', '11px ui-monospace, Menlo, Consolas, monospace')) + CELL_CHROME;
  return Math.max(DEFAULT_COLUMNS.time, timeFit);
}

const HEADERS: [label: string, column: Column | null][] = [
  ['Time', 'time'],
  ['Source', 'source'],
  ['Kind', 'kind'],
  ['Class', 'class'],
  ['Object', 'object'],
  ['Summary', null],
];

export function Timeline() {
  const timeline = useTimeline();
  const labels = useNames().sourceNames.value;
  const rows = timeline.rows.value;
  const count = rows.matchCount;
  const viewport = useRef<HTMLDivElement>(null);
  const [{ top: scrollTop }, setScroll] = useState({ top: 0 });
  const [height, setHeight] = useState(400);
  const stickToBottom = useRef(true);
  const layout = useLayout();
  const widths = layout.columns.value;
  const kindWidths = useRef(new Map<string, number>());
  const [kindFit, setKindFit] = useState(KIND_MIN);

  useEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  // While stuck to the newest record, the rows in view follow from the count alone: no layout is read, and the list
  // renders once per update (reading scrollHeight and storing scrollTop would force a layout and render it twice).
  const bottom = Math.max(0, count * ROW_HEIGHT - height);
  const top = stickToBottom.current ? bottom : scrollTop;
  const scrolledTo = useRef(-1);
  useLayoutEffect(() => {
    const el = viewport.current;
    if (el && stickToBottom.current && scrolledTo.current !== bottom) {
      scrolledTo.current = bottom;
      el.scrollTop = bottom;
    }
  }, [rows, bottom]);

  const selected = timeline.selected.value;
  const selectedIndex = selected ? rows.indexOf(selected) : -1;

  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el || selectedIndex < 0) return;
    const top = selectedIndex * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
  }, [selectedIndex]);

  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
  const shown = [];
  let widestKind = kindFit;
  for (let i = first; i < last; i++) {
    const record = rows.at(i);
    if (record) {
      const kind = kindText(record);
      let width = kindWidths.current.get(kind);
      if (width === undefined) {
        width = Math.min(KIND_MAX, Math.ceil(textWidth(kind)) + CELL_CHROME);
        kindWidths.current.set(kind, width);
      }
      if (width > widestKind) widestKind = width;
      const isSelected = !!selected && selected.epoch === record.epoch && selected.seq === record.seq;
      shown.push(<Row key={`${record.epoch}:${record.seq}`} record={record} index={i} selected={isSelected} labels={labels} onSelect={timeline.select} />);
    }
  }

  // The column only grows: rows scrolling by never make it jump back and forth.
  useLayoutEffect(() => {
    if (widestKind > kindFit) setKindFit(widestKind);
  }, [widestKind, kindFit]);
  const columnWidth = (column: Column) =>
    widths[column] ?? (column === 'kind' ? kindFit : column === 'time' ? fittedTimeWidth() : DEFAULT_COLUMNS[column]);
  const columnStyle: Record<string, string> = {};
  for (const [, column] of HEADERS) if (column) columnStyle[`--col-${column}`] = `${columnWidth(column)}px`;

  const move = (delta: number) => {
    if (!count) return;
    const next = Math.min(count - 1, Math.max(0, (selectedIndex < 0 ? count : selectedIndex) + delta));
    timeline.select(rows.at(next) ?? null);
    const stick = next === count - 1;
    // Leaving the bottom: the stored offset was not kept up while stuck; take the one on screen.
    if (stickToBottom.current && !stick) setScroll({ top: viewport.current?.scrollTop ?? bottom });
    stickToBottom.current = stick;
  };

  return (
    <div class="timeline" data-testid="timeline" style={columnStyle}>
      <div class="timeline-header row-grid" role="row">
        {HEADERS.map(([label, column]) => (
          <span key={label} role="columnheader" data-column={column ?? 'summary'}>
            {label}
            {column ? (
              <Splitter
                orientation="vertical"
                class="column-resize"
                size={columnWidth(column)}
                label={`Resize the ${label} column`}
                testId={`resize-${column}`}
                onResize={(width) => layout.setColumnWidth(column, width)}
              />
            ) : null}
          </span>
        ))}
      </div>
      <div
        class="timeline-viewport"
        ref={viewport}
        tabIndex={0}
        role="grid"
        aria-rowcount={count}
        data-testid="timeline-viewport"
        onScroll={(e) => {
          const el = e.currentTarget;
          const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_HEIGHT;
          // Our own scroll to the bottom changes nothing: the rows in view were rendered for it already.
          if (atBottom && stickToBottom.current && el.scrollTop === scrolledTo.current) return;
          // A new object even for the same offset: leaving the bottom must render the rows of the offset scrolled to.
          stickToBottom.current = atBottom;
          scrolledTo.current = -1;
          setScroll({ top: el.scrollTop });
        }}
        onKeyDown={(e) => {
          const pageRows = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
          const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: pageRows, PageUp: -pageRows, End: count, Home: -count };
          const delta = moves[e.key];
          if (delta === undefined) return;
          e.preventDefault();
          move(delta);
        }}
      >
        {count === 0 ? (
          <div class="empty" data-testid="timeline-empty">
            {rows.size === 0
              ? timeline.recording.value
                ? 'Recording LiveQuery activity… Add a server and subscribe, or use the page.'
                : 'Recording is off. Press Ctrl+E to record.'
              : 'No record matches the filter.'}
          </div>
        ) : (
          <>
            <div class="timeline-spacer" style={{ height: `${count * ROW_HEIGHT}px` }} />
            <div class="timeline-rows">{shown}</div>
          </>
        )}
      </div>
    </div>
  );
}

/** Frames show their op with the direction, as the Network panel's WebSocket view does; events their kind. */
function kindText(record: TimelineRecord): string {
  if (record.kind === 'sent') return `↑ ${record.label}`;
  if (record.kind === 'received') return `↓ ${record.label}`;
  if (record.injected) return `${record.kind} (injected)`;
  return record.kind === 'connection' || record.kind === 'error' || record.kind === 'gap' ? record.label : record.kind;
}

interface RowProps {
  record: TimelineRecord;
  index: number;
  selected: boolean;
  labels: ReadonlyMap<string, string>;
  onSelect(record: TimelineRecord): void;
}

/** A row renders again only when what it shows changes: a batch re-renders the list, not every row in view. */
class Row extends Component<RowProps> {
  override shouldComponentUpdate(next: RowProps): boolean {
    const now = this.props;
    return next.record !== now.record || next.index !== now.index || next.selected !== now.selected || next.labels !== now.labels;
  }

  override render() {
    return <RowContent {...this.props} />;
  }
}

function RowContent({ record, index, selected, labels, onSelect }: RowProps) {
  return (
    <div
      class={`row row-grid kind-${record.kind} ${index % 2 ? 'odd' : ''} ${selected ? 'selected' : ''} ${isFromPage(record) ? 'from-page' : ''} ${record.injected ? 'injected' : ''}`}
      style={{ top: `${index * ROW_HEIGHT}px` }}
      role="row"
      aria-selected={selected}
      data-testid="timeline-row"
      data-kind={record.kind}
      data-injected={record.injected ? 'true' : undefined}
      data-marker={record.marker?.type}
      onMouseDown={() => onSelect(record)}
    >
      <span class="mono">{formatClock(record.time)}</span>
      <span title={sourceName(record, labels)}>{sourceName(record, labels)}</span>
      <span class={`kind kind-${record.kind}`} title={kindText(record)}>
        {kindText(record)}
      </span>
      <span>{record.className ?? ''}</span>
      <span class="mono">{record.objectId ?? ''}</span>
      <span class="summary" title={record.summary}>{record.summary}</span>
    </div>
  );
}
