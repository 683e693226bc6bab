// The CLI's `--replay FILE [--replay-speed X]`: reads the recording, or stops with a message that says why it cannot.

import { describeReplay, loadReplay, type ReplayOptions } from './replay.js';

export { describeReplay };

export async function replayOption(path: string | undefined, speedText: string | undefined): Promise<ReplayOptions | undefined> {
  if (path === undefined) return undefined;
  const speed = Number(speedText ?? '1');
  if (!Number.isFinite(speed) || speed < 0) {
    console.error(`--replay-speed must be a number ≥ 0 (0: as fast as possible), got "${speedText}"`);
    process.exit(2);
  }
  const loaded = await loadReplay(path);
  if (!loaded.ok) {
    console.error(`--replay: ${loaded.error}`);
    process.exit(2);
  }
  return { plan: loaded.plan, speed };
}
