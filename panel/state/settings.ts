// Panel settings that outlive the panel (storage.local): preserve log, the filter, the timeline's capacity.

import browser from 'webextension-polyfill';
import type { TimelineFilter } from '../../src/timeline/filter.js';
import { RECORD_KINDS, type RecordKind } from '../../src/timeline/record.js';

export interface PanelSettings {
  preserveLog?: boolean;
  filter?: TimelineFilter;
  capacity?: number;
}

const KEY = 'panelSettings';

function sanitize(value: unknown): PanelSettings {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  const out: PanelSettings = {};
  if (typeof v.preserveLog === 'boolean') out.preserveLog = v.preserveLog;
  if (typeof v.capacity === 'number' && v.capacity >= 1000 && v.capacity <= 1_000_000) out.capacity = v.capacity;
  const f = v.filter as Record<string, unknown> | undefined;
  if (f && Array.isArray(f.kinds)) {
    out.filter = {
      kinds: f.kinds.filter((k): k is RecordKind => RECORD_KINDS.includes(k as RecordKind)),
      text: typeof f.text === 'string' ? f.text : undefined,
      regex: f.regex === true,
      source: typeof f.source === 'string' ? f.source : undefined,
      subscriptionKey: typeof f.subscriptionKey === 'string' ? f.subscriptionKey : undefined,
      className: typeof f.className === 'string' ? f.className : undefined,
    };
  }
  return out;
}

export async function loadSettings(): Promise<PanelSettings> {
  try {
    const items = await browser.storage.local.get(KEY);
    return sanitize(items[KEY]);
  } catch {
    return {};
  }
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;

export function saveSettings(settings: PanelSettings): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    browser.storage.local.set({ [KEY]: settings }).catch(() => undefined);
  }, 300);
}
