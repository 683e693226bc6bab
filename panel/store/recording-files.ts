// Recording files: the timeline exported as a recording or a HAR (secrets redacted unless asked), and a recording
// file opened in its place.

import type { ReadonlySignal } from '@preact/signals';
import type { TimelineFilter } from '../../src/timeline/filter.js';
import { sourceKey } from '../../src/timeline/keys.js';
import type { FormerServer, PageSocketView, ServerView } from '../../src/views.js';
import { lazyModule } from '../lazy-module.js';
import type { KeyringStore } from './keyring.js';
import type { PanelTimeline } from './timeline.js';

export const APP_VERSION = '0.1.0';

export type ExportFormat = 'recording' | 'har';

export interface ExportChoice {
  scope: 'all' | 'filtered';
  includeSecrets: boolean;
}

export interface ExportedFile {
  fileName: string;
  text: string;
  /** How many records it holds. */
  count: number;
}

/** The filter in words, for the recording's header. */
export function describeFilter(f: TimelineFilter): string {
  const parts = [
    f.kinds.length ? `kinds ${f.kinds.join(',')}` : '',
    f.source ? `source ${f.source}` : '',
    f.subscriptionKey ? `subscription ${f.subscriptionKey}` : '',
    f.className ? `class ${f.className}` : '',
    f.text ? `${f.regex ? 'regex' : 'text'} ${f.text}` : '',
  ].filter(Boolean);
  return parts.join('; ');
}

const stamp = (time: number) => new Date(time).toISOString().replace(/[:.]/g, '-').slice(0, 19);

export interface RecordingFilesDeps {
  timeline: Pick<PanelTimeline, 'records' | 'filter' | 'imported' | 'openRecording'>;
  servers: ReadonlySignal<ServerView[]>;
  /** Removed servers: their records still export with their URL. */
  formerServers?: ReadonlySignal<FormerServer[]>;
  pageSockets: ReadonlySignal<PageSocketView[]>;
  sourceNames: ReadonlySignal<ReadonlyMap<string, string>>;
  keyring: Pick<KeyringStore, 'entries'>;
  clock?: () => number;
  /** Where the file formats come from (tests give a failing one); by default their own chunk. */
  importFormats?: () => Promise<Formats>;
}

type Formats = typeof import('../../src/timeline/export.js');

export function createRecordingFilesStore({
  timeline,
  servers,
  formerServers,
  pageSockets,
  sourceNames,
  keyring,
  clock = Date.now,
  importFormats = () => import('../../src/timeline/export.js'),
}: RecordingFilesDeps) {
  // The recording and HAR formats are a chunk of their own: only an export or an import needs them.
  const formats = lazyModule('the recording formats', importFormats);
  /** The keyring's tokens are removed too, wherever they occur, unless secrets are included. */
  const secrets = (choice: ExportChoice) => (choice.includeSecrets ? [] : keyring.entries.value.map((e) => e.token));
  const urls = () => {
    const map = new Map<string, string>();
    for (const former of formerServers?.value ?? []) map.set(sourceKey({ type: 'server', serverId: former.id }), former.serverURL);
    for (const server of servers.value) map.set(sourceKey({ type: 'server', serverId: server.id }), server.spec.serverURL);
    for (const socket of pageSockets.value) {
      map.set(sourceKey({ type: 'pageSocket', socketId: socket.id, frameId: socket.frameId }), socket.url);
    }
    return map;
  };

  return {
    /** Rejects with a clear message when the formats' chunk cannot be loaded. */
    async exportFile(format: ExportFormat, choice: ExportChoice): Promise<ExportedFile> {
      const { exportHar, exportRecording } = await formats.load();
      const records = timeline.records(choice.scope);
      const time = clock();
      const redact = !choice.includeSecrets;
      if (format === 'recording') {
        const text = exportRecording(records, {
          exportedAt: time,
          appVersion: APP_VERSION,
          redact,
          // An entry's extra sockets share its spec: listed once.
          servers: timeline.imported.value?.recording.servers ?? servers.value.filter((s) => !s.socketOf).map((s) => s.spec),
          sources: Object.fromEntries(sourceNames.value),
          filter: choice.scope === 'filtered' ? describeFilter(timeline.filter.value) : undefined,
          secrets: secrets(choice),
        });
        return { fileName: `livequery-${stamp(time)}.lqrec.json`, text, count: records.length };
      }
      const text = exportHar(records, { urls: urls(), redact, appVersion: APP_VERSION, secrets: secrets(choice) });
      return { fileName: `livequery-${stamp(time)}.har`, text, count: records.length };
    },
    /** Opens a recording file in place of the live timeline; returns its record count, or why it cannot. */
    async open(name: string, text: string): Promise<{ ok: true; count: number } | { ok: false; error: string }> {
      let importRecording: Formats['importRecording'];
      try {
        ({ importRecording } = await formats.load());
      } catch (error) {
        return { ok: false, error: (error as Error).message };
      }
      const result = importRecording(text);
      if (!result.ok) return { ok: false, error: result.error };
      timeline.openRecording(name, result.recording);
      return { ok: true, count: result.recording.records.length };
    },
  };
}

export type RecordingFilesStore = ReturnType<typeof createRecordingFilesStore>;
