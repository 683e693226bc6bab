// CDP sessions to targets Playwright does not expose (the DevTools frontend, the panel iframe), over the non-flat
// transport: Target.attachToTarget({flatten:false}) on a browser session, messages wrapped in Target.sendMessageToTarget.
// Playwright's CDPSession cannot address a child sessionId, so this is the way without opening an extra debugging port.
import type { CDPSession } from 'playwright-core';

export interface RemoteObject {
  type: string;
  subtype?: string;
  value?: unknown;
  unserializableValue?: string;
  description?: string;
}

export interface ExceptionDetails {
  text: string;
  exception?: RemoteObject;
  lineNumber?: number;
  columnNumber?: number;
}

/** The commands the harness sends to nested targets, with their parameters and results. */
export interface NestedCommands {
  'Runtime.evaluate': {
    params: { expression: string; awaitPromise?: boolean; returnByValue?: boolean; userGesture?: boolean; timeout?: number };
    result: { result: RemoteObject; exceptionDetails?: ExceptionDetails };
  };
  'Page.captureScreenshot': {
    params: { format?: 'png' | 'jpeg' | 'webp'; quality?: number; captureBeyondViewport?: boolean };
    result: { data: string };
  };
  'Page.bringToFront': { params: Record<string, never>; result: Record<string, never> };
  'Runtime.enable': { params: Record<string, never>; result: Record<string, never> };
  'Input.dispatchMouseEvent': {
    params: {
      type: 'mousePressed' | 'mouseReleased' | 'mouseMoved' | 'mouseWheel';
      x: number;
      y: number;
      button?: 'none' | 'left' | 'middle' | 'right';
      buttons?: number;
      clickCount?: number;
      modifiers?: number;
    };
    result: Record<string, never>;
  };
  'Input.dispatchKeyEvent': {
    params: {
      type: 'keyDown' | 'keyUp' | 'rawKeyDown' | 'char';
      key?: string;
      code?: string;
      text?: string;
      unmodifiedText?: string;
      windowsVirtualKeyCode?: number;
      modifiers?: number;
    };
    result: Record<string, never>;
  };
  'Input.insertText': { params: { text: string }; result: Record<string, never> };
  'HeapProfiler.collectGarbage': { params: Record<string, never>; result: Record<string, never> };
  'Runtime.getHeapUsage': { params: Record<string, never>; result: { usedSize: number; totalSize: number } };
}

export type NestedMethod = keyof NestedCommands;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  method: string;
  timer: NodeJS.Timeout;
}

interface WireMessage {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: string };
}

export class CdpError extends Error {
  constructor(
    readonly method: string,
    message: string,
    readonly code?: number,
  ) {
    super(`${method}: ${message}`);
    this.name = 'CdpError';
  }
}

/** One attached nested target. Create it with NonFlatCdp.attach(). */
export class TargetSession {
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #listeners = new Map<string, Set<(params: unknown) => void>>();
  #detached = false;

  constructor(
    private readonly owner: NonFlatCdp,
    readonly sessionId: string,
    readonly targetId: string,
  ) {}

  get detached(): boolean {
    return this.#detached;
  }

  send<M extends NestedMethod>(
    method: M,
    params: NestedCommands[M]['params'],
    options: { timeoutMs?: number } = {},
  ): Promise<NestedCommands[M]['result']> {
    if (this.#detached) return Promise.reject(new CdpError(method, 'session detached (target closed or navigated)'));
    const id = this.#nextId++;
    const timeoutMs = options.timeoutMs ?? 30_000;
    return new Promise<NestedCommands[M]['result']>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new CdpError(method, `no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, method, timer });
      this.owner.browserSession
        .send('Target.sendMessageToTarget', { sessionId: this.sessionId, message: JSON.stringify({ id, method, params }) })
        .catch((error: unknown) => this.#settle(id, undefined, new CdpError(method, errorMessage(error))));
    });
  }

  /** Listens to a CDP event of this target (e.g. 'Runtime.executionContextCreated'). Returns the unsubscribe. */
  on(method: string, listener: (params: unknown) => void): () => void {
    let set = this.#listeners.get(method);
    if (!set) this.#listeners.set(method, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  async detach(): Promise<void> {
    if (this.#detached) return;
    this.markDetached();
    await this.owner.browserSession.send('Target.detachFromTarget', { sessionId: this.sessionId }).catch(() => undefined);
  }

  /** @internal called by NonFlatCdp */
  receive(message: WireMessage): void {
    if (typeof message.id === 'number') {
      this.#settle(message.id, message.result, message.error ? new CdpError(this.#pending.get(message.id)?.method ?? '?', message.error.message, message.error.code) : undefined);
    } else if (message.method) {
      for (const listener of this.#listeners.get(message.method) ?? []) listener(message.params);
    }
  }

  /** @internal called by NonFlatCdp */
  markDetached(): void {
    this.#detached = true;
    for (const [id, pending] of this.#pending) this.#settle(id, undefined, new CdpError(pending.method, 'session detached (target closed or navigated)'));
    this.owner.forget(this.sessionId);
  }

  #settle(id: number, result: unknown, error: Error | undefined): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(result);
  }
}

/** Routes Target.receivedMessageFromTarget of one browser-level CDPSession to the nested sessions attached through it. */
export class NonFlatCdp {
  readonly #sessions = new Map<string, TargetSession>();

  constructor(readonly browserSession: CDPSession) {
    browserSession.on('Target.receivedMessageFromTarget', (event) => {
      const session = this.#sessions.get(event.sessionId);
      if (!session) return;
      let message: WireMessage;
      try {
        message = JSON.parse(event.message) as WireMessage;
      } catch {
        return;
      }
      session.receive(message);
    });
    browserSession.on('Target.detachedFromTarget', (event) => {
      this.#sessions.get(event.sessionId)?.markDetached();
    });
  }

  async attach(targetId: string): Promise<TargetSession> {
    const { sessionId } = await this.browserSession.send('Target.attachToTarget', { targetId, flatten: false });
    const session = new TargetSession(this, sessionId, targetId);
    this.#sessions.set(sessionId, session);
    return session;
  }

  /** @internal */
  forget(sessionId: string): void {
    this.#sessions.delete(sessionId);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Messages that mean "the JS context went away under us; evaluating again will work". */
const TRANSIENT = [
  'Execution context was destroyed',
  'Cannot find default execution context',
  'Cannot find context with specified id',
  'Inspected target navigated or closed',
  'Target closed',
  'session detached',
];

export function isTransientContextError(error: unknown): boolean {
  const message = errorMessage(error);
  return TRANSIENT.some((text) => message.includes(text));
}

/**
 * Evaluates `expression` (awaiting promises, result by value) and returns the value, or throws with the page's
 * exception text. Expression results that are not JSON-serializable come back as undefined.
 */
export async function evaluateIn<T>(session: TargetSession, expression: string, options: { timeoutMs?: number; userGesture?: boolean } = {}): Promise<T> {
  const params: NestedCommands['Runtime.evaluate']['params'] = { expression, awaitPromise: true, returnByValue: true };
  if (options.userGesture) params.userGesture = true;
  const sendOptions = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const reply = await session.send('Runtime.evaluate', params, sendOptions);
  if (reply.exceptionDetails) {
    const details = reply.exceptionDetails;
    const description = details.exception?.description ?? details.exception?.value ?? details.text;
    throw new Error(`evaluation failed: ${String(description)}`);
  }
  const { result } = reply;
  if (result.unserializableValue !== undefined) {
    // NaN, Infinity, -0, bigint: rare in tests; hand back what JS would parse.
    const raw = result.unserializableValue;
    return (raw.endsWith('n') ? BigInt(raw.slice(0, -1)) : Number(raw)) as T;
  }
  return result.value as T;
}
