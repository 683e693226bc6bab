// The banner over a recording opened in place of the live timeline: what it is, Back to live, Replay into the page.

import { useReplay, useTimeline } from '../store/index.js';

export function RecordingBanner() {
  const timeline = useTimeline();
  const replay = useReplay();
  const opened = timeline.imported.value;
  if (!opened) return null;
  const { recording } = opened;
  return (
    <div class="banner viewing" role="status" data-testid="viewing-recording">
      Viewing <strong>{opened.name}</strong> (read-only): {recording.records.length} record(s) exported {new Date(recording.exportedAt).toLocaleString()}
      {recording.redacted ? ', secrets redacted' : ''}
      {recording.filter ? `, filtered by ${recording.filter}` : ''}.{' '}
      <button type="button" data-testid="close-recording" onClick={() => timeline.closeRecording()}>
        Back to live
      </button>{' '}
      <button type="button" data-testid="replay-opened" title="Load it in Page → Replay into the page" onClick={() => void replay.loadRecording(opened.name, recording)}>
        Replay into the page…
      </button>
    </div>
  );
}
