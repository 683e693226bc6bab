// Starts a throwaway redis-server (Debian's) on 127.0.0.1 and a free port, for one test file, and removes it again.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './postgres.js';
import { onProcessEnd } from './exit-cleanup.js';

export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Kills the server at once (like a crash), keeps the port closed for `downMs`, then starts a fresh one on the same port. */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Kills the server and removes its dir. Idempotent. */
  stop(): Promise<void>;
}

const INSTALL_HINT = 'Install it with: apt-get install -y --no-install-recommends redis-server (Debian/Ubuntu).';

export function findRedisServer(): string {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error(`redis-server not found in PATH. ${INSTALL_HINT}`);
  return found;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
/** A test process that dies without stop() still takes its redis-servers with it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const cleanup = (): void => {
    for (const child of live) child.stdin?.destroy();
  };
  onProcessEnd(cleanup);
}

/**
 * Runs redis-server under a small sh that kills it as soon as its stdin closes: when the test process dies in any
 * way (SIGKILL, a broken pipe, a test runner killed by `timeout`), the pipe closes and Redis goes with it. The sh
 * itself exits when Redis does.
 */
// (A background list's stdin is /dev/null in sh, so the reader gets the pipe as fd 3.)
const GUARD = 'exec 3<&0; "$0" "$@" & pid=$!; (read -r _ <&3; kill -9 $pid 2>/dev/null) & wait $pid';

/** Spawns redis-server in the foreground; resolves once it accepts connections, rejects with its output if it exits first. */
function launch(bin: string, port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('sh', ['-c', GUARD, bin, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (/Ready to accept connections/.test(output)) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null): void => reject(Object.assign(new Error(`redis-server exited (${code}) before it was ready:\n${output}`), { output }));
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', reject);
  });
}

/** Kills Redis at once (SIGKILL, through its guard) and resolves when it is gone. */
function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  return exited;
}

export async function startRedis(): Promise<RedisServer> {
  const bin = findRedisServer();
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'lq-redis-'));
  let port = 0;
  let child: ChildProcess | null = null;
  // Another process may take the port between freePort() and the bind: retry with a new one.
  for (let attempt = 0; !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(bin, port, dir);
    } catch (error) {
      const output = (error as { output?: string }).output ?? '';
      if (attempt >= 5 || !/Address already in use/.test(output)) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  let current: ChildProcess = child;
  let stopped = false;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart({ downMs = 0 } = {}) {
      await kill(current);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      if (stopped) return;
      for (let attempt = 0; ; attempt++) {
        try {
          current = await launch(bin, port, dir);
          return;
        } catch (error) {
          // The kernel may hold the port for a moment after the kill.
          if (attempt >= 50 || !/Address already in use/.test((error as { output?: string }).output ?? '')) throw error;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill(current);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
