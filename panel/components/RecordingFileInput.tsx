// The hidden file picker for a recording (.json): a button opens it through the ref; the chosen file goes to `onFile`
// and the input is emptied, so the same file can be chosen again.

import type { Ref } from 'preact';

export function RecordingFileInput({ inputRef, testId, onFile }: { inputRef: Ref<HTMLInputElement>; testId: string; onFile: (file: File) => void }) {
  return (
    <input
      ref={inputRef}
      type="file"
      accept=".json,application/json"
      hidden
      data-testid={testId}
      onChange={(e) => {
        const file = e.currentTarget.files?.[0];
        e.currentTarget.value = '';
        if (file) onFile(file);
      }}
    />
  );
}
