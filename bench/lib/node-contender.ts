// Runs one Node LiveQuery consumer (ours, ours+frames, the Parse SDK, bare ws) in a fresh process against a
// StreamServer, streams the given objects to it as fast as the socket takes them and returns what it measured.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createFrame } from './objects.js';
import { encodeFrames, type StreamServer } from './stream-server.js';

export const CONTENDERS = ['ours', 'ours+frames', 'sdk', 'bare'] as const;
export type Contender = (typeof CONTENDERS)[number];

export interface ContenderResult {
  contender: Contender;
  /** Measured events (after the warm-up). */
  events: number;
  /** From the first measured event to the last, in ms. */
  ms: number;
  /** Epoch ms (fractional) of the first measured event and of the last event. */
  firstAt: number;
  lastAt: number;
  eventsPerSecond: number;
}

const CHILD = fileURLToPath(new URL('./contender-child.ts', import.meta.url));

/**
 * Spawns the contender, waits for its subscription, writes warmup + events `create` frames (objects[i]) and waits
 * for its result. `sentAt` is the epoch ms just before the first byte was written.
 */
export async function runNodeContender(
  server: StreamServer,
  contender: Contender,
  warmup: number,
  events: number,
  objects: readonly string[],
  timeoutMs = 120_000,
): Promise<ContenderResult & { sentAt: number }> {
  if (objects.length < warmup + events) throw new Error(`need ${warmup + events} objects, got ${objects.length}`);
  const subscriber = server.nextSubscriber(30_000);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CHILD, contender, server.liveQueryURL, server.applicationId, server.javascriptKey, String(warmup), String(events)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    const { session, requestId } = await Promise.race([
      subscriber,
      exited.then((code) => Promise.reject(new Error(`${contender} exited (${code}) before subscribing`))),
    ]);
    // Encoded per connection (its clientId and requestId); the objects are the same for every contender.
    const frames = encodeFrames(objects.slice(0, warmup + events).map((object) => createFrame(session.clientId ?? '', requestId, object)));
    const sentAt = Date.now();
    await session.writeAll(frames);
    const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref())]);
    if (code === 'timeout') throw new Error(`${contender} did not receive all ${warmup + events} events within ${timeoutMs / 1000} s`);
    if (code !== 0) throw new Error(`${contender} exited with ${code}`);
    session.close();
    const line = out.trim().split('\n').at(-1) ?? '';
    return { ...(JSON.parse(line) as ContenderResult), sentAt };
  } finally {
    if (child.exitCode === null) child.kill();
  }
}
