// The panel's layout as the user arranges it: the sidebar shown or not and its size, the timeline's column widths.

import { signal } from '@preact/signals';

export const COLUMNS = ['time', 'source', 'kind', 'class', 'object'] as const;
export type Column = (typeof COLUMNS)[number];
/** A column's width in CSS pixels; a missing `kind` fits the longest Kind label seen. */
export type ColumnWidths = Partial<Record<Column, number>>;

export interface LayoutSettings {
  sidebarOpen?: boolean;
  /** Width beside the timeline, and height above it in the stacked (narrow) layout. */
  sidebarWidth?: number;
  sidebarHeight?: number;
  columns?: ColumnWidths;
}

export const DEFAULT_COLUMNS: Record<Exclude<Column, 'kind'>, number> = { time: 92, source: 110, class: 90, object: 90 };
export const COLUMN_MIN = 40;
export const COLUMN_MAX = 600;
export const SIDEBAR_MIN = 200;
export const SIDEBAR_DEFAULT_WIDTH = 340;
export const SIDEBAR_DEFAULT_HEIGHT = 260;

const clamp = (value: number, min: number, max: number) => Math.round(Math.min(max, Math.max(min, value)));
const isSize = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value > 0;

/** Stored layout settings with anything malformed left out. */
export function sanitizeLayout(value: unknown): LayoutSettings {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  const out: LayoutSettings = {};
  if (typeof v.sidebarOpen === 'boolean') out.sidebarOpen = v.sidebarOpen;
  if (isSize(v.sidebarWidth)) out.sidebarWidth = clamp(v.sidebarWidth, SIDEBAR_MIN, 2000);
  if (isSize(v.sidebarHeight)) out.sidebarHeight = clamp(v.sidebarHeight, 80, 2000);
  if (typeof v.columns === 'object' && v.columns !== null) {
    const columns: ColumnWidths = {};
    for (const column of COLUMNS) {
      const width = (v.columns as Record<string, unknown>)[column];
      if (isSize(width)) columns[column] = clamp(width, COLUMN_MIN, COLUMN_MAX);
    }
    out.columns = columns;
  }
  return out;
}

export function createLayoutStore(settings: LayoutSettings = {}) {
  const sidebarOpen = signal(settings.sidebarOpen ?? true);
  const sidebarWidth = signal(settings.sidebarWidth ?? SIDEBAR_DEFAULT_WIDTH);
  const sidebarHeight = signal(settings.sidebarHeight ?? SIDEBAR_DEFAULT_HEIGHT);
  const columns = signal<ColumnWidths>(settings.columns ?? {});

  return {
    sidebarOpen,
    sidebarWidth,
    sidebarHeight,
    columns,
    toggleSidebar(): void {
      sidebarOpen.value = !sidebarOpen.value;
    },
    /** `max`: what the panel has room for now (the sidebar never takes the whole panel). */
    setSidebarWidth(width: number, max: number): void {
      sidebarWidth.value = clamp(width, SIDEBAR_MIN, Math.max(SIDEBAR_MIN, max));
    },
    setSidebarHeight(height: number, max: number): void {
      sidebarHeight.value = clamp(height, 80, Math.max(80, max));
    },
    setColumnWidth(column: Column, width: number): void {
      columns.value = { ...columns.value, [column]: clamp(width, COLUMN_MIN, COLUMN_MAX) };
    },
    /** Back to the default widths (Kind fits its labels again). */
    resetColumns(): void {
      columns.value = {};
    },
    settings(): LayoutSettings {
      return { sidebarOpen: sidebarOpen.value, sidebarWidth: sidebarWidth.value, sidebarHeight: sidebarHeight.value, columns: columns.value };
    },
  };
}

export type LayoutStore = ReturnType<typeof createLayoutStore>;
