// Export the timeline (all or filtered; secrets redacted unless asked) as a recording or HAR, and open a recording.
// The menu's popover (the export) loads with import() on first use; opening a file needs only the hidden input.

import { useRef, useState } from 'preact/hooks';
import { useRecordingFiles } from '../store/index.js';
import { lazyComponent } from './lazy.js';
import type { ExportChoice } from '../store/recording-files.js';
import type { MenuMessage } from './RecordingPopover.js';
import { RecordingFileInput } from './RecordingFileInput.js';

const RecordingPopover = lazyComponent('the export menu', () => import('./RecordingPopover.js').then((m) => m.RecordingPopover));

export function RecordingMenu() {
  const files = useRecordingFiles();
  const [open, setOpen] = useState(false);
  const [choices, setChoices] = useState<ExportChoice>({ scope: 'all', includeSecrets: false });
  const [message, setMessage] = useState<MenuMessage | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

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
        <RecordingPopover choices={choices} onChoices={setChoices} message={message} onMessage={setMessage} openFile={() => fileInput.current?.click()} />
      ) : message?.error ? (
        <span class="error-text" data-testid="recording-message">
          {message.text}
        </span>
      ) : null}
    </span>
  );
}
