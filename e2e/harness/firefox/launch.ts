// Launches Debian's firefox-esr headless in a fresh profile, installs dist/firefox over WebDriver BiDi and hands tests
// one object to drive it: BiDi for the tabs, Marionette's chrome context for privileged scripts in the browser window.
// Every wait has a deadline; the process group is killed and the profile removed on close, on a failed launch, and
// when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureExtensionBuilt } from '../build.js';
import { functionCall } from '../in-page.js';
import { ROOT } from '../paths.js';
import { poll, sleep } from '../wait.js';
import { BidiConnection, evaluateIn, type LogEntry } from './bidi.js';
import { evaluateInChrome, MarionetteConnection, waitForMarionettePort } from './marionette.js';
import {
  backgroundEventsScript,
  backgroundStateScript,
  consoleErrorsScript,
  extensionPagesReachableScript,
  terminateBackgroundScript,
  watchBackgroundScript,
  type BackgroundEvents,
} from './chrome-scripts.js';

export const DIST_FIREFOX = join(ROOT, 'dist', 'firefox');
/** Firefox's own limit on a chrome() script, above any deadline the harness gives one. */
const CHROME_SCRIPT_BACKSTOP_MS = 300_000;

export interface FirefoxLaunchOptions {
  /** Unpacked Firefox build to install; default dist/firefox, built first when missing or stale. */
  extensionPath?: string;
  /** Default: FIREFOX_PATH, else /usr/bin/firefox-esr. */
  executablePath?: string;
  /** Extra preferences for the profile's user.js (e.g. `extensions.background.idle.timeout`). */
  prefs?: Record<string, string | number | boolean>;
  /** Deadline for start + install (default 30 s). */
  timeoutMs?: number;
}

/** A content tab, driven over BiDi. */
export interface FirefoxTab {
  /** BiDi browsing context id. */
  readonly context: string;
  navigate(url: string): Promise<void>;
  reload(): Promise<void>;
  /** Evaluates an expression (promises awaited) in the page; the value travels as JSON. */
  evaluate<T>(expression: string): Promise<T>;
  /** Evaluates `fn(arg)` in the page; `fn` is sent as source: it cannot use variables of the test. */
  evaluate<T, A>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  /** Polls an expression in the page until it is truthy (default deadline 10 s). */
  waitFor<T>(expression: string, options?: { timeoutMs?: number; message?: string }): Promise<NonNullable<Awaited<T>>>;
}

export interface FirefoxHarness {
  readonly bidi: BidiConnection;
  readonly extensionId: string;
  /** The extension's internal UUID, fixed in the profile so that its pages have a known URL. */
  readonly extensionUuid: string;
  readonly profileDir: string;
  readonly browserVersion: string;
  /** The first tab (about:blank at start). */
  readonly firstTab: FirefoxTab;
  /** moz-extension://<uuid>/<path> */
  extensionUrl(path: string): string;
  /** A new tab, navigated to `url` when given. */
  newTab(url?: string): Promise<FirefoxTab>;
  /**
   * Evaluates a privileged expression (promises awaited) in the browser window, over Marionette's chrome context;
   * the value travels as JSON. See chrome-scripts.ts.
   */
  chrome<T>(expression: string, timeoutMs?: number): Promise<T>;
  /** 'running', 'stopped', … of the extension's event page. */
  backgroundState(): Promise<string>;
  /** Terminates the event page, as Firefox does when it is idle. */
  terminateBackground(): Promise<void>;
  /**
   * Since launch: event page starts and suspensions, and idle-timer resets by calls of runtime.getPlatformInfo
   * (what the background's keep-alive calls).
   */
  backgroundEvents(): Promise<BackgroundEvents>;
  /** The browser console's errors and warnings from the extension's own files (background, panel, content scripts). */
  extensionConsoleErrors(): Promise<string[]>;
  /** BiDi log entries of level error seen in content tabs (pages and their content scripts). */
  readonly pageErrors: readonly string[];
  close(): Promise<void>;
}

const running = new Set<{ child: ChildProcess; profileDir: string }>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Last resort when the test process exits without close(): no Firefox and no profile is left behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const { child, profileDir } of running) {
      killGroup(child, 'SIGKILL');
      rmSync(profileDir, { recursive: true, force: true });
    }
  });
}

export function findFirefox(): string {
  const candidates = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/lib/firefox-esr/firefox-esr'].filter((p): p is string => !!p);
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`no Firefox: install it (apt-get install -y firefox-esr) or set FIREFOX_PATH (tried ${candidates.join(', ')})`);
  return found;
}

function userJs(prefs: Record<string, string | number | boolean>): string {
  return Object.entries(prefs)
    .map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});\n`)
    .join('');
}

function geckoIdOf(extensionPath: string): string {
  const manifest = JSON.parse(readFileSync(join(extensionPath, 'manifest.json'), 'utf8')) as {
    browser_specific_settings?: { gecko?: { id?: string } };
  };
  const id = manifest.browser_specific_settings?.gecko?.id;
  if (!id) throw new Error(`${extensionPath}/manifest.json has no browser_specific_settings.gecko.id`);
  return id;
}

class Tab implements FirefoxTab {
  constructor(
    private readonly bidi: BidiConnection,
    readonly context: string,
  ) {}

  async navigate(url: string): Promise<void> {
    await this.bidi.send('browsingContext.navigate', { context: this.context, url, wait: 'complete' }, 20_000);
  }

  async reload(): Promise<void> {
    await this.bidi.send('browsingContext.reload', { context: this.context, wait: 'complete' }, 20_000);
  }

  evaluate<T>(expression: string): Promise<T>;
  evaluate<T, A>(fn: (arg: A) => T | Promise<T>, arg?: A): Promise<T>;
  evaluate<T, A>(fnOrExpression: string | ((arg: A) => T | Promise<T>), arg?: A): Promise<T> {
    const expression = typeof fnOrExpression === 'string' ? fnOrExpression : functionCall(fnOrExpression, arg);
    return evaluateIn<T>(this.bidi, this.context, expression);
  }

  waitFor<T>(expression: string, options: { timeoutMs?: number; message?: string } = {}): Promise<NonNullable<Awaited<T>>> {
    return poll(() => this.evaluate<T>(expression), {
      timeoutMs: options.timeoutMs ?? 10_000,
      intervalMs: 100,
      message: options.message ?? `page: ${expression}`,
    }) as Promise<NonNullable<Awaited<T>>>;
  }
}

export async function launchFirefox(options: FirefoxLaunchOptions = {}): Promise<FirefoxHarness> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1_000, deadline - Date.now());
  let extensionPath = options.extensionPath;
  if (!extensionPath) {
    ensureExtensionBuilt(); // one build writes dist/chrome and dist/firefox
    extensionPath = DIST_FIREFOX;
  }
  const extensionId = geckoIdOf(extensionPath);
  const extensionUuid = randomUUID();
  const profileDir = mkdtempSync(join(tmpdir(), 'lqd-firefox-'));
  writeFileSync(
    join(profileDir, 'user.js'),
    userJs({
      'extensions.webextensions.uuids': JSON.stringify({ [extensionId]: extensionUuid }),
      // Nothing but the test's own traffic: no update checks, no first-run pages, no telemetry.
      'app.update.disabledForTesting': true,
      'browser.shell.checkDefaultBrowser': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.reportingpolicy.firstRun': false,
      // A tall docked toolbox, so the panel is big enough for its whole layout (and screenshots).
      'devtools.toolbox.footer.height': 850,
      // Marionette on a port Firefox picks itself (written to <profile>/MarionetteActivePort), never a guess that
      // races another run.
      'marionette.port': 0,
      ...options.prefs,
    }),
  );
  const child = spawn(
    options.executablePath ?? findFirefox(),
    ['--headless', '--marionette', '--remote-allow-system-access', '--remote-debugging-port', '0', '--no-remote', '--profile', profileDir, '--window-size', '1400,1100', 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env: { ...process.env, MOZ_CRASHREPORTER_DISABLE: '1' } },
  );
  const entry = { child, profileDir };
  running.add(entry);
  installExitHook();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });

  let marionette: MarionetteConnection | undefined;
  let bidi: BidiConnection | undefined;
  const close = async (): Promise<void> => {
    bidi?.close();
    if (marionette) {
      // The session is Marionette's (BiDi joined it), so Marionette ends it.
      await marionette.send('WebDriver:DeleteSession', {}, 2_000).catch(() => undefined);
      marionette.close();
    }
    const exited = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
    killGroup(child, 'SIGTERM');
    const gone = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
    if (!gone) {
      killGroup(child, 'SIGKILL');
      await Promise.race([exited, sleep(5_000)]);
    }
    running.delete(entry);
    rmSync(profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };

  try {
    const exitReason = () => (child.exitCode !== null || child.signalCode !== null ? `exited (${child.signalCode ?? child.exitCode})` : undefined);
    const port = await waitForMarionettePort(profileDir, left(), exitReason).catch((error: Error) => {
      throw new Error(`${error.message}:\n${stderr.slice(-2_000)}`);
    });
    marionette = await MarionetteConnection.connect(port, left());
    // One WebDriver session for both protocols: Firefox allows one at a time, so Marionette creates it with
    // webSocketUrl and BiDi joins it at that URL. Each chrome() call has the harness's own deadline; Firefox's script
    // timeout is only a backstop, and it cannot be null: Firefox 140 then answers null before a returned promise settles.
    const session = await marionette.send('WebDriver:NewSession', { webSocketUrl: true, timeouts: { script: CHROME_SCRIPT_BACKSTOP_MS } }, left());
    const { webSocketUrl } = session.capabilities;
    if (typeof webSocketUrl !== 'string') throw new Error(`Marionette's session has no BiDi webSocketUrl: ${JSON.stringify(session.capabilities)}`);
    // The chrome context needs --remote-allow-system-access; from here on scripts run in the browser window.
    await marionette.send('Marionette:SetContext', { value: 'chrome' });
    bidi = await BidiConnection.connect(webSocketUrl, left());
    const connection = bidi;
    const privileged = marionette;
    const chrome = <T>(expression: string, ms = 10_000) => evaluateInChrome<T>(privileged, expression, ms);
    const windowUrl = await chrome<string>('document.documentURI');
    if (windowUrl !== 'chrome://browser/content/browser.xhtml') throw new Error(`Marionette's chrome context is ${windowUrl}, not the browser window`);
    const installed = await bidi.send('webExtension.install', { extensionData: { type: 'path', path: extensionPath } }, left());
    if (installed.extension !== extensionId) throw new Error(`installed ${installed.extension}, expected ${extensionId}`);
    // The event page starts with the install; wait for it so tests begin from a running background.
    await poll(() => chrome<string>(backgroundStateScript(extensionId)).then((state) => state === 'running'), {
      timeoutMs: left(),
      message: 'the extension background running',
    });
    await chrome(watchBackgroundScript(extensionId, 'runtime.getPlatformInfo'));
    // Before the first subscription and the first page: it may register BiDi's document actor again.
    await chrome(extensionPagesReachableScript(extensionId));
    const pageErrors: string[] = [];
    bidi.on('log.entryAdded', (params) => {
      const entry = params as LogEntry;
      if (entry.level === 'error') pageErrors.push(entry.text);
    });
    await bidi.send('session.subscribe', { events: ['log.entryAdded'] });
    const { contexts } = await bidi.send('browsingContext.getTree', { maxDepth: 0 });
    if (!contexts[0]) throw new Error('Firefox has no tab');
    const firstTab = new Tab(connection, contexts[0].context);
    return {
      bidi: connection,
      extensionId,
      extensionUuid,
      profileDir,
      browserVersion: String(session.capabilities.browserVersion ?? ''),
      firstTab,
      pageErrors,
      extensionUrl: (path) => `moz-extension://${extensionUuid}/${path.replace(/^\//, '')}`,
      async newTab(tabUrl) {
        const { context } = await connection.send('browsingContext.create', { type: 'tab' });
        const tab = new Tab(connection, context);
        if (tabUrl) await tab.navigate(tabUrl);
        return tab;
      },
      chrome,
      backgroundState: () => chrome<string>(backgroundStateScript(extensionId)),
      async terminateBackground() {
        await chrome(terminateBackgroundScript(extensionId), 10_000);
      },
      backgroundEvents: () => chrome<BackgroundEvents>(backgroundEventsScript()),
      extensionConsoleErrors: () => chrome<string[]>(consoleErrorsScript(`moz-extension://${extensionUuid}/`)),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
