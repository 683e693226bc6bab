// The Export / Import menu's popover: which records, with or without secrets, as a recording or HAR; and Open
// recording… (the menu's hidden file input).

import type { ExportChoice, ExportFormat } from '../store/recording-files.js';
import { useRecordingFiles } from '../store/index.js';

export type MenuMessage = { error: boolean; text: string };

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

export function RecordingPopover({ choices, onChoices, message, onMessage, openFile }: {
  choices: ExportChoice;
  onChoices: (choices: ExportChoice) => void;
  message: MenuMessage | null;
  onMessage: (message: MenuMessage) => void;
  openFile: () => void;
}) {
  const files = useRecordingFiles();
  const exportFile = async (format: ExportFormat) => {
    let file;
    try {
      file = await files.exportFile(format, choices);
    } catch (error) {
      return onMessage({ error: true, text: (error as Error).message });
    }
    download(file.fileName, file.text, 'application/json');
    onMessage({ error: false, text: `Exported ${file.count} record(s)${choices.includeSecrets ? ' with secrets' : ', secrets redacted'}` });
  };

  return (
    <div class="popover" role="dialog" data-testid="recording-popover">
      <div class="line">
        <label class="check">
          <input type="radio" name="scope" checked={choices.scope === 'all'} onChange={() => onChoices({ ...choices, scope: 'all' })} /> All records
        </label>
        <label class="check">
          <input type="radio" name="scope" data-testid="export-filtered" checked={choices.scope === 'filtered'} onChange={() => onChoices({ ...choices, scope: 'filtered' })} /> Only
          the filtered ones
        </label>
      </div>
      <label class="check" title="Session tokens, master keys and JavaScript keys are replaced by [redacted] unless this is checked">
        <input type="checkbox" data-testid="export-secrets" checked={choices.includeSecrets} onChange={(e) => onChoices({ ...choices, includeSecrets: e.currentTarget.checked })} /> Include secrets
        (tokens and keys)
      </label>
      <div class="line actions">
        <button type="button" class="primary" data-testid="export-recording" onClick={() => void exportFile('recording')}>
          Export recording
        </button>
        <button type="button" data-testid="export-har" onClick={() => void exportFile('har')}>
          Export HAR
        </button>
        <button type="button" data-testid="import-recording" onClick={openFile}>
          Open recording…
        </button>
      </div>
      {message ? (
        <div class={message.error ? 'error-text' : 'muted'} role="status" data-testid="recording-message">
          {message.text}
        </div>
      ) : null}
    </div>
  );
}
