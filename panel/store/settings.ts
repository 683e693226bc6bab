// Panel settings that outlive the panel (storage.local): preserve log, the filter, the timeline's capacity, the layout.

import { effect } from '@preact/signals';
import type { TimelineFilter } from '../../src/timeline/filter.js';
import { RECORD_KINDS, type RecordKind } from '../../src/timeline/record.js';
import type { StorageArea } from '../adapters/storage.js';
import { sanitizeLayout, type LayoutSettings } from './layout.js';
import { isResultSetCap } from './result-sets.js';
import { isTokenCheckSeconds } from './token-radar.js';
import { isFanoutSettings, type FanoutSettings } from './fanout-check.js';

export interface PanelSettings {
  preserveLog?: boolean;
  filter?: TimelineFilter;
  capacity?: number;
  layout?: LayoutSettings;
  /** Objects a result set keeps and a REST query loads. */
  resultCap?: number;
  /** Run "What did I miss?" by itself after each gap. */
  autoCheck?: boolean;
  /** How often the token radar checks every token while the panel is open. */
  tokenCheckSeconds?: number;
  /** The fan-out check's wait window and late threshold. */
  fanout?: FanoutSettings;
}

const KEY = 'panelSettings';
const SAVE_DELAY_MS = 300;

function sanitize(value: unknown): PanelSettings {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  const out: PanelSettings = {};
  if (typeof v.preserveLog === 'boolean') out.preserveLog = v.preserveLog;
  if (typeof v.capacity === 'number' && v.capacity >= 1000 && v.capacity <= 1_000_000) out.capacity = v.capacity;
  if (v.layout !== undefined) out.layout = sanitizeLayout(v.layout);
  if (isResultSetCap(v.resultCap)) out.resultCap = v.resultCap;
  if (typeof v.autoCheck === 'boolean') out.autoCheck = v.autoCheck;
  if (isTokenCheckSeconds(v.tokenCheckSeconds)) out.tokenCheckSeconds = v.tokenCheckSeconds;
  if (isFanoutSettings(v.fanout)) out.fanout = { waitMs: v.fanout.waitMs, lateMs: v.fanout.lateMs };
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

/** The stored settings, with anything malformed left out. */
export async function loadSettings(storage: StorageArea): Promise<PanelSettings> {
  try {
    return sanitize((await storage.get([KEY]))[KEY]);
  } catch {
    return {};
  }
}

/** Saves what `read` returns (its signals are tracked) each time it changes, at most once per `delayMs`. */
export function saveSettingsOnChange(storage: StorageArea, read: () => PanelSettings, delayMs = SAVE_DELAY_MS): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = effect(() => {
    const settings = read();
    clearTimeout(timer);
    timer = setTimeout(() => storage.set({ [KEY]: settings }).catch(() => undefined), delayMs);
  });
  return () => {
    stop();
    clearTimeout(timer);
  };
}
