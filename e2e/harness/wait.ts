// Small timing helpers: sleep, a deadline race that never leaves a hanging promise behind, and Node-side polling.
import { errorMessage } from './cdp.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/**
 * Resolves with `promise`, or rejects with a TimeoutError after `ms`. The losing promise's rejection is swallowed,
 * so a call that hangs (e.g. Worker.evaluate on a stopped service worker) cannot surface later as an unhandled one.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Describes what was awaited, for the timeout error. */
  message?: string;
}

/**
 * Calls `fn` until it returns a truthy value (returned) or the deadline passes (TimeoutError with the last value or
 * error). Errors thrown by `fn` count as "not yet".
 */
export async function poll<T>(fn: () => T | Promise<T>, options: PollOptions = {}): Promise<NonNullable<Awaited<T>>> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let last = 'never ran';
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<Awaited<T>>;
      last = `last value: ${JSON.stringify(value)}`;
    } catch (error) {
      last = `last error: ${errorMessage(error)}`;
    }
    if (Date.now() >= deadline) throw new TimeoutError(`${options.message ?? 'condition'} not met within ${timeoutMs} ms (${last})`);
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
