// A WebDriver BiDi client over a plain WebSocket (`ws`): commands with a deadline each, events by name.
// Firefox speaks BiDi natively; Playwright's Firefox needs its own patched build, which Debian does not ship.
import WebSocket from 'ws';
import { TimeoutError } from '../wait.js';

/** A BiDi remote value (script.evaluate results), as far as the harness reads it. */
export interface RemoteValue {
  type: string;
  value?: unknown;
}

/** The commands the harness sends, with their parameters and results. */
export interface BidiCommands {
  'session.subscribe': { params: { events: string[] }; result: Record<string, unknown> };
  'webExtension.install': { params: { extensionData: { type: 'path'; path: string } }; result: { extension: string } };
  'browsingContext.getTree': { params: { root?: string; maxDepth?: number }; result: { contexts: ContextInfo[] } };
  'browsingContext.create': { params: { type: 'tab' | 'window' }; result: { context: string } };
  'browsingContext.navigate': { params: { context: string; url: string; wait?: 'none' | 'interactive' | 'complete' }; result: { url: string } };
  'browsingContext.reload': { params: { context: string; wait?: 'none' | 'interactive' | 'complete' }; result: Record<string, unknown> };
  'browsingContext.activate': { params: { context: string }; result: Record<string, never> };
  'browsingContext.captureScreenshot': { params: { context: string; origin?: 'viewport' | 'document' }; result: { data: string } };
  'script.evaluate': {
    params: { expression: string; target: { context: string }; awaitPromise: boolean; resultOwnership?: 'root' | 'none' };
    result: EvaluateResult;
  };
}

export interface ContextInfo {
  context: string;
  url: string;
  parent?: string | null;
  children: ContextInfo[] | null;
}

export type EvaluateResult =
  | { type: 'success'; result: RemoteValue }
  | { type: 'exception'; exceptionDetails: { text: string; lineNumber?: number; columnNumber?: number } };

export interface LogEntry {
  level: string;
  text: string;
  source?: { context?: string };
}

/** Why a command failed, as BiDi says it (`error` is the code: "no such frame", "unknown error", …). */
export class BidiError extends Error {
  override name = 'BidiError';
  constructor(
    readonly command: string,
    readonly code: string,
    message: string,
  ) {
    super(`${command}: ${code}: ${message}`);
  }
}

const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

export class BidiConnection {
  #nextId = 1;
  readonly #waiting = new Map<number, { resolve(result: unknown): void; reject(error: Error): void; method: string }>();
  readonly #listeners = new Map<string, ((params: unknown) => void)[]>();
  #closed: Error | undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => this.#receive(String(data)));
    socket.on('close', () => this.#fail(new Error('the BiDi connection closed')));
    socket.on('error', (error) => this.#fail(error));
  }

  /** Connects to `url` (the session's webSocketUrl, ws://127.0.0.1:<port>/session/<id>) within `timeoutMs`. */
  static async connect(url: string, timeoutMs: number): Promise<BidiConnection> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new TimeoutError(`BiDi WebSocket ${url}: not open within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return new BidiConnection(socket);
  }

  send<M extends keyof BidiCommands>(method: M, params: BidiCommands[M]['params'], timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): Promise<BidiCommands[M]['result']> {
    if (this.#closed) return Promise.reject(this.#closed);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new TimeoutError(`BiDi ${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.set(id, {
        method,
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result as BidiCommands[M]['result']);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  on(event: string, listener: (params: unknown) => void): void {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener]);
  }

  close(): void {
    this.#fail(new Error('the BiDi connection was closed by the harness'));
    this.socket.terminate();
  }

  #receive(text: string): void {
    let message: { id?: number; type?: string; result?: unknown; error?: string; message?: string; method?: string; params?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (message.type === 'event' && message.method) {
      for (const listener of this.#listeners.get(message.method) ?? []) listener(message.params);
      return;
    }
    const waiter = message.id === undefined ? undefined : this.#waiting.get(message.id);
    if (!waiter) return;
    this.#waiting.delete(message.id!);
    if (message.type === 'success') waiter.resolve(message.result);
    else waiter.reject(new BidiError(waiter.method, message.error ?? 'error', message.message ?? text.slice(0, 500)));
  }

  #fail(error: Error): void {
    this.#closed ??= error;
    for (const waiter of this.#waiting.values()) waiter.reject(error);
    this.#waiting.clear();
  }
}

/**
 * Evaluates `expression` (promises awaited) in `context` and returns its value, which travels as JSON (so nested
 * data comes back whole, whatever BiDi's serialization depth); a thrown exception rejects with its text.
 */
export async function evaluateIn<T>(bidi: BidiConnection, context: string, expression: string, timeoutMs?: number): Promise<T> {
  const asJson = `Promise.resolve(${expression}).then((value) => value === undefined ? undefined : JSON.stringify(value))`;
  const answer = await bidi.send('script.evaluate', { expression: asJson, target: { context }, awaitPromise: true, resultOwnership: 'none' }, timeoutMs);
  if (answer.type === 'exception') throw new Error(`evaluation failed in ${context}: ${answer.exceptionDetails.text}`);
  const json = fromRemoteValue(answer.result);
  return (typeof json === 'string' ? JSON.parse(json) : undefined) as T;
}

/** A BiDi remote value as plain data (objects and arrays deserialized; other non-JSON values as their type). */
export function fromRemoteValue(value: RemoteValue): unknown {
  switch (value.type) {
    case 'undefined':
      return undefined;
    case 'null':
      return null;
    case 'string':
    case 'boolean':
      return value.value;
    case 'number':
      return typeof value.value === 'number' ? value.value : Number(value.value);
    case 'array':
      return ((value.value as RemoteValue[] | undefined) ?? []).map(fromRemoteValue);
    case 'object':
      return Object.fromEntries(
        ((value.value as [string | RemoteValue, RemoteValue][] | undefined) ?? []).map(([key, item]) => [
          typeof key === 'string' ? key : String(fromRemoteValue(key)),
          fromRemoteValue(item),
        ]),
      );
    default:
      return `[${value.type}]`;
  }
}
