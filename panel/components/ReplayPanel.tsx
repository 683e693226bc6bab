// Replay a recording into the page's matching subscriptions: open a file, see what matches, play / pause / step /
// stop at a chosen speed, and scrub through its events.

import { useRef } from 'preact/hooks';
import { useReplay } from '../store/index.js';
import { RecordingFileInput } from './RecordingFileInput.js';
import { REPLAY_SPEEDS, type ReplaySpeed } from '../store/replay.js';

const speedLabel = (speed: ReplaySpeed) => (speed === 'max' ? 'as fast as possible' : speed === 1 ? 'recorded pace' : `${speed}×`);

export function ReplayPanel() {
  const replay = useReplay();
  const fileInput = useRef<HTMLInputElement>(null);
  const plan = replay.plan.value;
  const state = replay.state.value;
  const steps = plan?.steps.length ?? 0;
  const position = replay.position.value;
  const targets = replay.targets.value;
  const open = async (file: File) => replay.load(file.name, await file.text());
  return (
    <div class="replay" data-testid="replay" data-state={state}>
      <div class="line">
        <button type="button" data-testid="replay-open" onClick={() => fileInput.current?.click()}>
          Open recording to replay…
        </button>
        <RecordingFileInput inputRef={fileInput} testId="replay-file" onFile={(file) => void open(file)} />
        {plan ? <span class="muted" title={replay.name.value}>{replay.name.value}</span> : null}
      </div>
      {replay.loadError.value ? (
        <div class="error-text" data-testid="replay-error">
          {replay.loadError.value}
        </div>
      ) : null}
      {plan ? (
        <>
          {plan.warnings.map((warning) => (
            <div class="muted small" data-testid="replay-warning" key={warning}>
              ⚠ {warning}
            </div>
          ))}
          <ul class="replay-matches" data-testid="replay-matches">
            {plan.subscriptions.map((sub) => {
              const target = targets.get(sub.key);
              return (
                <li key={sub.key} data-testid="replay-match" data-matched={target ? 'true' : 'false'}>
                  {sub.className} <code class="where">{sub.where ? JSON.stringify(sub.where) : '(class only)'}</code> →{' '}
                  {target ? `page #${target.requestId}` : <span class="muted">no matching page subscription (its events are skipped)</span>}
                </li>
              );
            })}
          </ul>
          <div class="line actions">
            {state === 'playing' ? (
              <button type="button" data-testid="replay-pause" onClick={() => replay.pause()}>
                ❚❚ Pause
              </button>
            ) : (
              <button type="button" class="primary" data-testid="replay-play" disabled={!steps || !targets.size} onClick={() => replay.play()}>
                ▶ Play
              </button>
            )}
            <button type="button" data-testid="replay-step" disabled={position >= steps || state === 'playing'} onClick={() => void replay.step()}>
              Step
            </button>
            <button type="button" data-testid="replay-stop" disabled={state === 'ready' && position === 0} onClick={() => replay.stop()}>
              ■ Stop
            </button>
            <select data-testid="replay-speed" value={String(replay.speed.value)} onChange={(e) => {
              const value = e.currentTarget.value;
              replay.setSpeed(value === 'max' ? 'max' : (Number(value) as ReplaySpeed));
            }}>
              {REPLAY_SPEEDS.map((speed) => (
                <option key={speed} value={String(speed)}>
                  {speedLabel(speed)}
                </option>
              ))}
            </select>
          </div>
          <div class="line">
            <input
              type="range"
              class="scrubber"
              min={0}
              max={steps}
              value={position}
              aria-label="Replay position"
              data-testid="replay-scrubber"
              onInput={(e) => replay.seek(Number(e.currentTarget.value))}
            />
            <span class="mono" data-testid="replay-position">
              {position} / {steps}
            </span>
          </div>
          <div role="status" data-testid="replay-status" class={replay.stopReason.value ? 'error-text' : 'muted'}>
            {replay.stopReason.value ??
              `${state}: ${replay.delivered.value} delivered${replay.skipped.value ? `, ${replay.skipped.value} skipped (no match)` : ''}`}
          </div>
        </>
      ) : null}
    </div>
  );
}
