// One Chromium started by a benchmark without Playwright: fresh profile, its own process group (stopping it stops
// every process it started, and only those), optionally the unpacked extension and a debugging port for raw CDP.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, findChromium } from '../../e2e/harness/index.js';
import { sleep } from './stats.js';

export interface ChromiumOptions {
  /** What the first tab opens. */
  url: string;
  /** An unpacked extension to load (--load-extension); none by default. */
  extensionDir?: string;
  /** Start with --remote-debugging-port=0 (a free port, written to the profile's DevToolsActivePort). */
  debuggingPort?: boolean;
  /**
   * Nice value of the browser's scheduling group (Linux autogroup: the browser runs in a session of its own, so
   * this is how it weighs against other sessions' work). Negative values need root. Default: left as it is.
   */
  groupNice?: number;
}

export interface ChromiumProcess {
  readonly profile: string;
  /** Why `groupNice` could not be applied, if it could not. */
  readonly niceError: string | undefined;
  /** ws://127.0.0.1:<port>/devtools/browser/<id>, once Chromium has written it (needs `debuggingPort`). */
  browserWebSocketURL(timeoutMs?: number): Promise<string>;
  /** SIGTERM to the group, SIGKILL after a grace period, then the profile is removed. */
  stop(): Promise<void>;
}

/** Process groups still running, with their profiles: killed and removed if this process exits or is interrupted. */
const running = new Map<number, string>();
let exitHooks = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function installExitHooks(): void {
  if (exitHooks) return;
  exitHooks = true;
  const killAll = () => {
    for (const [pid, profile] of running) {
      killGroup(pid, 'SIGKILL');
      rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    }
    running.clear();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

export function startChromium(options: ChromiumOptions): ChromiumProcess {
  const profile = mkdtempSync(join(tmpdir(), 'lq-bench-chromium-'));
  const { extensionDir } = options;
  const args = [
    '--headless',
    `--user-data-dir=${profile}`,
    ...chromiumArgs(extensionDir ?? '', { loadWithFlag: extensionDir !== undefined }),
    ...(options.debuggingPort ? ['--remote-debugging-port=0'] : []),
    options.url,
  ];
  installExitHooks();
  const child = spawn(findChromium(), args, { stdio: 'ignore', detached: true });
  const pid = child.pid;
  if (pid) running.set(pid, profile);
  let niceError: string | undefined;
  if (options.groupNice !== undefined) {
    try {
      // Every process Chromium starts stays in its session, hence in this group, whenever it is started.
      writeFileSync(`/proc/${pid}/autogroup`, String(options.groupNice));
    } catch (error) {
      niceError = error instanceof Error ? error.message : String(error);
    }
  }
  let exitedNow = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exitedNow = true;
      resolve();
    }),
  );
  child.once('error', () => undefined);
  let stopped: Promise<void> | undefined;

  return {
    profile,
    niceError,
    async browserWebSocketURL(timeoutMs = 15_000) {
      const file = join(profile, 'DevToolsActivePort');
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (existsSync(file)) {
          const [port, path] = readFileSync(file, 'utf8').split('\n');
          if (port && path) return `ws://127.0.0.1:${port.trim()}${path.trim()}`;
        }
        if (exitedNow) throw new Error('Chromium exited before it opened its debugging port');
        if (Date.now() > deadline) throw new Error(`no ${file} within ${timeoutMs} ms`);
        await sleep(50);
      }
    },
    stop() {
      stopped ??= (async () => {
        if (pid) {
          killGroup(pid, 'SIGTERM');
          await Promise.race([exited, sleep(5_000)]);
          // Helpers may outlive the browser process for a moment.
          await sleep(500);
          killGroup(pid, 'SIGKILL');
          running.delete(pid);
        }
        for (let attempt = 0; ; attempt++) {
          try {
            rmSync(profile, { recursive: true, force: true });
            break;
          } catch (error) {
            if (attempt >= 10) {
              console.warn(`could not remove ${profile}: ${String(error)}`);
              break;
            }
            await sleep(300);
          }
        }
      })();
      return stopped;
    },
  };
}
