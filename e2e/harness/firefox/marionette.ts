// A Marionette client over plain TCP (`node:net`), for one job: evaluating privileged scripts in Firefox's browser
// window (chrome scope). WebDriver BiDi in Debian's firefox-esr 140 has no `moz:scope: chrome`, so BiDi cannot reach
// that window; Marionette, Firefox's own remote protocol, can once the session is switched to the chrome context
// (which Firefox allows only when started with --remote-allow-system-access).
//
// Wire format (Firefox's remote/marionette/packets.sys.mjs): each packet is `<byte length>:<JSON>`. The server first
// sends a hello object ({applicationType, marionetteProtocol}); then commands are `[0, id, name, params]` and
// responses `[1, id, error | null, result | null]`.
import { existsSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { sleep, TimeoutError } from '../wait.js';

/** The commands the harness sends, with their parameters and results. */
export interface MarionetteCommands {
  'WebDriver:NewSession': {
    params: { webSocketUrl?: boolean; timeouts?: { script?: number } };
    result: { sessionId: string; capabilities: Record<string, unknown> & { webSocketUrl?: string } };
  };
  'WebDriver:DeleteSession': { params: Record<string, never>; result: { value: null } };
  'Marionette:SetContext': { params: { value: 'chrome' | 'content' }; result: { value: null } };
  'WebDriver:ExecuteScript': { params: { script: string; args: unknown[] }; result: { value: unknown } };
}

/** Why a command failed, as Marionette says it (`code` is the WebDriver error: "javascript error", …). */
export class MarionetteError extends Error {
  override name = 'MarionetteError';
  constructor(
    readonly command: string,
    readonly code: string,
    /** Marionette's own message (for a "javascript error", the script's exception). */
    readonly detail: string,
  ) {
    super(`${command}: ${code}: ${detail}`);
  }
}

const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
/** The file Firefox writes into the profile once Marionette listens; it holds the port (see waitForMarionettePort). */
export const MARIONETTE_PORT_FILE = 'MarionetteActivePort';

/**
 * The port of Firefox's Marionette server. With `marionette.port` 0 in the profile, Firefox picks a free port itself
 * and writes it to <profile>/MarionetteActivePort once it listens. Rejects when `exited()` says why the process is
 * gone (e.g. "exited (1)") or when the deadline passes.
 */
export async function waitForMarionettePort(profileDir: string, timeoutMs: number, exited: () => string | undefined): Promise<number> {
  const file = join(profileDir, MARIONETTE_PORT_FILE);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
    const port = /^\d+$/.test(text) ? Number(text) : 0;
    if (port > 0) return port;
    const gone = exited();
    if (gone) throw new Error(`Firefox ${gone} before Marionette listened`);
    if (Date.now() >= deadline) throw new TimeoutError(`Firefox did not start Marionette (no ${MARIONETTE_PORT_FILE}) within ${timeoutMs} ms`);
    await sleep(50);
  }
}

type Packet = [type: number, id: number, error: { error?: string; message?: string } | null, result: unknown];

export class MarionetteConnection {
  #nextId = 1;
  readonly #waiting = new Map<number, { resolve(result: unknown): void; reject(error: Error): void; command: string }>();
  #buffer = Buffer.alloc(0);
  #onHello: ((hello: unknown) => void) | undefined;
  #closed: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk) => this.#receive(chunk));
    socket.on('close', () => this.#fail(new Error('the Marionette connection closed')));
    socket.on('error', (error) => this.#fail(error));
  }

  /** Connects to 127.0.0.1:`port` and waits for Marionette's hello, within `timeoutMs`. */
  static async connect(port: number, timeoutMs: number): Promise<MarionetteConnection> {
    const socket = connect({ host: '127.0.0.1', port });
    const connection = new MarionetteConnection(socket);
    try {
      const hello = await new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => reject(new TimeoutError(`Marionette on port ${port}: no hello within ${timeoutMs} ms`)), timeoutMs);
        connection.#onHello = (value) => {
          clearTimeout(timer);
          resolve(value);
        };
        socket.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        socket.once('close', () => {
          clearTimeout(timer);
          reject(new Error(`Marionette on port ${port} closed the connection before its hello`));
        });
      });
      if ((hello as { applicationType?: unknown } | null)?.applicationType !== 'gecko') {
        throw new Error(`port ${port} is not Firefox's Marionette (hello: ${JSON.stringify(hello).slice(0, 200)})`);
      }
      return connection;
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  send<C extends keyof MarionetteCommands>(
    command: C,
    params: MarionetteCommands[C]['params'],
    timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS,
  ): Promise<MarionetteCommands[C]['result']> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new TimeoutError(`Marionette ${command}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.set(id, {
        command,
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result as MarionetteCommands[C]['result']);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      const json = JSON.stringify([0, id, command, params]);
      this.socket.write(`${Buffer.byteLength(json)}:${json}`);
    });
  }

  close(): void {
    this.#fail(new Error('the Marionette connection was closed by the harness'));
    this.socket.destroy();
  }

  /** Splits the stream into `<length>:<JSON>` packets; the first one is the hello, the rest are responses. */
  #receive(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const colon = this.#buffer.indexOf(':');
      if (colon < 0) return;
      const header = this.#buffer.subarray(0, colon).toString('latin1');
      if (!/^\d+$/.test(header)) {
        this.#fail(new Error(`Marionette sent a packet without a length: ${JSON.stringify(header.slice(0, 50))}`));
        this.socket.destroy();
        return;
      }
      const end = colon + 1 + Number(header);
      if (this.#buffer.length < end) return;
      const text = this.#buffer.subarray(colon + 1, end).toString('utf8');
      this.#buffer = this.#buffer.subarray(end);
      let packet: unknown;
      try {
        packet = JSON.parse(text);
      } catch {
        continue;
      }
      if (this.#onHello) {
        const onHello = this.#onHello;
        this.#onHello = undefined;
        onHello(packet);
        continue;
      }
      if (!Array.isArray(packet) || packet[0] !== 1) continue;
      const [, id, error, result] = packet as Packet;
      const waiter = this.#waiting.get(id);
      if (!waiter) continue;
      this.#waiting.delete(id);
      if (error) waiter.reject(new MarionetteError(waiter.command, error.error ?? 'error', error.message ?? text.slice(0, 500)));
      else waiter.resolve(result);
    }
  }

  #fail(error: Error): void {
    this.#closed ??= error;
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }
}

/**
 * Evaluates `expression` (promises awaited) in the browser window, the session being in the chrome context, and
 * returns its value, which travels as JSON; a thrown exception rejects with its message. The same contract as
 * evaluateIn (bidi.ts) for tabs and panels. Marionette runs the script as a function body in a sandbox whose
 * prototype is the window (no Xrays), so the window's globals (gBrowser, Services, …) and `window.x = …` work as in
 * the window itself.
 */
export async function evaluateInChrome<T>(marionette: MarionetteConnection, expression: string, timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): Promise<T> {
  const script = `return Promise.resolve(${expression}).then((value) => value === undefined ? undefined : JSON.stringify(value));`;
  let answer: { value: unknown };
  try {
    answer = await marionette.send('WebDriver:ExecuteScript', { script, args: [] }, timeoutMs);
  } catch (error) {
    if (error instanceof MarionetteError && error.code === 'javascript error') throw new Error(`evaluation failed in the browser window: ${error.detail}`);
    throw error;
  }
  return (typeof answer.value === 'string' ? JSON.parse(answer.value) : undefined) as T;
}
