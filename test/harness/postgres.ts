// Starts a throwaway PostgreSQL cluster on 127.0.0.1 (free port, fresh temp dir) for one test file, and removes it again.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { onProcessEnd } from './exit-cleanup.js';

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  databaseURI: string;
  port: number;
  /** The temp dir that holds the cluster (data/, server.log, the unix socket). */
  dir: string;
  /** Milliseconds from the call to a ready database. */
  startupMs: number;
  /** Kills the server (immediate shutdown: the data is thrown away) and removes the dir. Idempotent. */
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Database to create; default 'parse'. */
  database?: string;
}

const INSTALL_HINT = 'Install them with: apt-get install -y --no-install-recommends postgresql (Debian/Ubuntu).';

/** Finds the directory holding initdb, pg_ctl and postgres: $PG_BIN, then the newest /usr/lib/postgresql/<v>/bin, then PATH. */
export function findPostgresBin(where: { env?: NodeJS.ProcessEnv; debianRoot?: string } = {}): string {
  const env = where.env ?? process.env;
  const debianRoot = where.debianRoot ?? '/usr/lib/postgresql';
  const required = ['initdb', 'pg_ctl', 'postgres'];
  const has = (dir: string): boolean => required.every((b) => existsSync(join(dir, b)));
  const candidates: string[] = [];
  if (env.PG_BIN) candidates.push(env.PG_BIN);
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join(debianRoot, v, 'bin'));
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) if (dir) candidates.push(dir);
  const found = candidates.find(has);
  if (!found) {
    throw new Error(
      `PostgreSQL server binaries (${required.join(', ')}) not found in ${env.PG_BIN ? `$PG_BIN (${env.PG_BIN}), ` : ''}${debianRoot}/*/bin or PATH. ${INSTALL_HINT}`,
    );
  }
  return found;
}

/** A port that was free a moment ago: bind port 0 on 127.0.0.1, read it, release it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not read a free port'))));
    });
  });
}

interface RunAs {
  /** Wraps a command so it runs as the cluster owner. */
  wrap(bin: string, args: string[]): { cmd: string; args: string[] };
  uid: number;
  gid: number;
}

/** initdb, pg_ctl and postgres refuse to run as root: as root, run them as user postgres via runuser (or su). */
function runAs(): RunAs | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const id = (flag: string): number => {
    const r = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(
        `Running as root, but there is no 'postgres' user to run PostgreSQL as (id ${flag} postgres: ${r.stderr.trim()}). ${INSTALL_HINT}`,
      );
    }
    return Number(r.stdout.trim());
  };
  const uid = id('-u');
  const gid = id('-g');
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((p) => existsSync(p));
  return {
    uid,
    gid,
    wrap(bin, args) {
      if (runuser) return { cmd: runuser, args: ['-u', 'postgres', '--', bin, ...args] };
      const quoted = [bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      return { cmd: 'su', args: ['postgres', '-s', '/bin/sh', '-c', quoted] };
    },
  };
}

interface RunResult {
  code: number | null;
  output: string;
}

function run(cmd: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** True while the process runs. A daemonized postmaster that exited stays a zombie until PID 1 reaps it (slowly, in some containers): that counts as gone. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return existsSync('/proc') ? false : true;
  }
}

const live = new Set<() => void>();
let exitHookInstalled = false;
/** If the process exits without stop() (a crash, a forgotten hook), still kill the postmasters and remove their dirs. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const cleanup = (): void => {
    for (const kill of live) kill();
    live.clear();
  };
  onProcessEnd(cleanup);
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresCluster> {
  const t0 = performance.now();
  const database = options.database ?? 'parse';
  const bin = findPostgresBin();
  const as = runAs();
  const exec = (name: string, args: string[]): Promise<RunResult> => {
    const full = join(bin, name);
    const w = as ? as.wrap(full, args) : { cmd: full, args };
    return run(w.cmd, w.args);
  };

  const dir = mkdtempSync(join(tmpdir(), 'lq-pg-'));
  if (as) chownSync(dir, as.uid, as.gid);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  let pid = 0;

  const killNow = (): void => {
    if (pid && isAlive(pid)) {
      try {
        process.kill(pid, 'SIGQUIT'); // immediate shutdown
      } catch {
        /* already gone */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const fail = (step: string, result: RunResult): never => {
    let log = '';
    try {
      log = readFileSync(logFile, 'utf8');
    } catch {
      /* no log yet */
    }
    killNow();
    throw new Error(`PostgreSQL ${step} failed (exit ${result.code}):\n${result.output}${log ? `\n--- server.log ---\n${log}` : ''}`);
  };

  try {
    const init = await exec('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    if (init.code !== 0) fail('initdb', init);

    // Another process may take the port between freePort() and the bind: retry with a new one.
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const serverOptions = [
        `-p ${port}`,
        `-k ${dir}`,
        '-c listen_addresses=127.0.0.1',
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
      ].join(' ');
      const started = await exec('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '30', '-o', serverOptions, 'start']);
      if (started.code === 0) break;
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
      if (attempt < 3 && /could not bind|Address already in use/i.test(log)) continue;
      fail('start', started);
    }
    pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    installExitHook();
    live.add(killNow);

    const created = await exec('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE "${database}"`]);
    if (created.code !== 0) fail('CREATE DATABASE', created);

    let stopped: Promise<void> | null = null;
    return {
      databaseURI: `postgres://postgres@127.0.0.1:${port}/${database}`,
      port,
      dir,
      startupMs: performance.now() - t0,
      stop(): Promise<void> {
        stopped ??= (async () => {
          live.delete(killNow);
          if (pid && isAlive(pid)) {
            process.kill(pid, 'SIGQUIT');
            const deadline = Date.now() + 10_000;
            while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
            if (isAlive(pid)) process.kill(pid, 'SIGKILL');
          }
          rmSync(dir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  } catch (error) {
    live.delete(killNow);
    killNow();
    throw error;
  }
}
