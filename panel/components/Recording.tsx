// Export the timeline (all or filtered; secrets redacted unless asked) as a recording or HAR, and open a recording.

import { useRef, useState } from 'preact/hooks';
import { useRecordingFiles } from '../store/index.js';
import type { ExportFormat } from '../store/recording-files.js';
import { RecordingFileInput } from './RecordingFileInput.js';

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

export function RecordingMenu() {
  const files = useRecordingFiles();
  const [open, setOpen] = useState(false);
  const [scope, setScope] = useState<'all' | 'filtered'>('all');
  const [includeSecrets, setIncludeSecrets] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const exportFile = async (format: ExportFormat) => {
    let file;
    try {
      file = await files.exportFile(format, { scope, includeSecrets });
    } catch (error) {
      return setMessage({ error: true, text: (error as Error).message });
    }
    download(file.fileName, file.text, 'application/json');
    setMessage({ error: false, text: `Exported ${file.count} record(s)${includeSecrets ? ' with secrets' : ', secrets redacted'}` });
  };

  const importFile = async (file: File) => {
    const result = await files.open(file.name, await file.text());
    if (!result.ok) {
      setMessage({ error: true, text: `Cannot open ${file.name}: ${result.error}` });
      return;
    }
    setMessage({ error: false, text: `Opened ${file.name}: ${result.count} record(s)` });
    setOpen(false);
  };

  return (
    <span class="recording-menu">
      <button type="button" data-testid="recording-menu" aria-expanded={open} title="Export or open a recording" onClick={() => setOpen(!open)}>
        Export / Import ▾
      </button>
      <RecordingFileInput inputRef={fileInput} testId="import-file" onFile={(file) => void importFile(file)} />
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
            <button type="button" class="primary" data-testid="export-recording" onClick={() => void exportFile('recording')}>
              Export recording
            </button>
            <button type="button" data-testid="export-har" onClick={() => void exportFile('har')}>
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
