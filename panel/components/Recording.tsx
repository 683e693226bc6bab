// Export the timeline (all or filtered; secrets redacted unless asked) as a recording or HAR, and open a recording.

import { useRef, useState } from 'preact/hooks';
import { exportHar, exportRecording, importRecording } from '../../src/timeline/export.js';
import { sourceKey } from '../../src/timeline/keys.js';
import type { AppState } from '../state/app-state.js';

const APP_VERSION = '0.1.0';

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function describeFilter(state: AppState): string {
  const f = state.filter.value;
  const parts = [
    f.kinds.length ? `kinds ${f.kinds.join(',')}` : '',
    f.source ? `source ${f.source}` : '',
    f.subscriptionKey ? `subscription ${f.subscriptionKey}` : '',
    f.className ? `class ${f.className}` : '',
    f.text ? `${f.regex ? 'regex' : 'text'} ${f.text}` : '',
  ].filter(Boolean);
  return parts.join('; ');
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);

export function RecordingMenu({ state }: { state: AppState }) {
  const [open, setOpen] = useState(false);
  const [scope, setScope] = useState<'all' | 'filtered'>('all');
  const [includeSecrets, setIncludeSecrets] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const records = () => (scope === 'all' ? state.timeline.all() : state.timeline.matching());
  const urls = () => {
    const map = new Map<string, string>();
    for (const server of state.servers.value) map.set(sourceKey({ type: 'server', serverId: server.id }), server.spec.serverURL);
    for (const socket of state.pageSockets.value) {
      map.set(sourceKey({ type: 'pageSocket', socketId: socket.id, frameId: socket.frameId }), socket.url);
    }
    return map;
  };

  const exportFile = (format: 'recording' | 'har') => {
    const list = records();
    if (format === 'recording') {
      const text = exportRecording(list, {
        exportedAt: Date.now(),
        appVersion: APP_VERSION,
        redact: !includeSecrets,
        servers: state.imported.value?.recording.servers ?? state.servers.value.map((s) => s.spec),
        sources: Object.fromEntries(state.sourceNames.value),
        filter: scope === 'filtered' ? describeFilter(state) : undefined,
        secrets: includeSecrets ? [] : state.keyring.entries.value.map((e) => e.token),
      });
      download(`livequery-${stamp()}.lqrec.json`, text, 'application/json');
    } else {
      const text = exportHar(list, {
        urls: urls(),
        redact: !includeSecrets,
        appVersion: APP_VERSION,
        secrets: includeSecrets ? [] : state.keyring.entries.value.map((e) => e.token),
      });
      download(`livequery-${stamp()}.har`, text, 'application/json');
    }
    setMessage({ error: false, text: `Exported ${list.length} record(s)${includeSecrets ? ' with secrets' : ', secrets redacted'}` });
  };

  const importFile = async (file: File) => {
    const result = importRecording(await file.text());
    if (!result.ok) {
      setMessage({ error: true, text: `Cannot open ${file.name}: ${result.error}` });
      return;
    }
    state.openRecording(file.name, result.recording);
    setMessage({ error: false, text: `Opened ${file.name}: ${result.recording.records.length} record(s)` });
    setOpen(false);
  };

  return (
    <span class="recording-menu">
      <button type="button" data-testid="recording-menu" aria-expanded={open} title="Export or open a recording" onClick={() => setOpen(!open)}>
        Export / Import ▾
      </button>
      <input
        ref={fileInput}
        type="file"
        accept=".json,application/json"
        hidden
        data-testid="import-file"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = '';
          if (file) void importFile(file);
        }}
      />
      {open ? (
        <div class="popover" role="dialog" data-testid="recording-popover">
          <div class="line">
            <label class="check">
              <input type="radio" name="scope" checked={scope === 'all'} onChange={() => setScope('all')} /> All records
            </label>
            <label class="check">
              <input type="radio" name="scope" data-testid="export-filtered" checked={scope === 'filtered'} onChange={() => setScope('filtered')} /> Only
              the filtered ones
            </label>
          </div>
          <label class="check" title="Session tokens, master keys and JavaScript keys are replaced by [redacted] unless this is checked">
            <input type="checkbox" data-testid="export-secrets" checked={includeSecrets} onChange={(e) => setIncludeSecrets(e.currentTarget.checked)} /> Include secrets
            (tokens and keys)
          </label>
          <div class="line actions">
            <button type="button" class="primary" data-testid="export-recording" onClick={() => exportFile('recording')}>
              Export recording
            </button>
            <button type="button" data-testid="export-har" onClick={() => exportFile('har')}>
              Export HAR
            </button>
            <button type="button" data-testid="import-recording" onClick={() => fileInput.current?.click()}>
              Open recording…
            </button>
          </div>
          {message ? (
            <div class={message.error ? 'error-text' : 'muted'} role="status" data-testid="recording-message">
              {message.text}
            </div>
          ) : null}
        </div>
      ) : message?.error ? (
        <span class="error-text" data-testid="recording-message">
          {message.text}
        </span>
      ) : null}
    </span>
  );
}

export function RecordingBanner({ state }: { state: AppState }) {
  const opened = state.imported.value;
  if (!opened) return null;
  const { recording } = opened;
  return (
    <div class="banner viewing" role="status" data-testid="viewing-recording">
      Viewing <strong>{opened.name}</strong> (read-only): {recording.records.length} record(s) exported {new Date(recording.exportedAt).toLocaleString()}
      {recording.redacted ? ', secrets redacted' : ''}
      {recording.filter ? `, filtered by ${recording.filter}` : ''}.{' '}
      <button type="button" data-testid="close-recording" onClick={() => state.closeRecording()}>
        Back to live
      </button>
    </div>
  );
}
