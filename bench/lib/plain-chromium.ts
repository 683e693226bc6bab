// The same Chromium binary started with no automation at all (no CDP, no Playwright, no extension): a page whose
// worker reads the stream through a bare WebSocket and POSTs its results back. The browser's own ceiling for this
// stream on this machine, free of the harness's instrumentation. Start it only when no other bench browser runs.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, findChromium } from '../../e2e/harness/index.js';
import { createFrame } from './objects.js';
import { encodeFrames, type StreamServer } from './stream-server.js';

interface PeerResult {
  firstAt: number;
  lastAt: number;
  count: number;
}

/** events/s (first byte sent → last event received) for each round; the stream server must serve PEER_PAGE at /peer. */
export async function plainChromiumPeer(server: StreamServer, objects: readonly string[], rounds: number): Promise<number[]> {
  const profile = mkdtempSync(join(tmpdir(), 'lq-bench-plain-'));
  const results: PeerResult[] = [];
  let notify: (() => void) | undefined;
  server.onPost = (path, body) => {
    if (path !== '/peer-result') return;
    results.push(JSON.parse(body) as PeerResult);
    notify?.();
  };
  const url = server.httpURL(`/peer?auto=${rounds}&url=${encodeURIComponent(server.liveQueryURL)}&events=${objects.length}`);
  // Its own process group, so that stopping it stops every Chromium process it started, and only those.
  const child = spawn(findChromium(), ['--headless', `--user-data-dir=${profile}`, ...chromiumArgs('', { loadWithFlag: false }), url], {
    stdio: 'ignore',
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const rates: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const { session, requestId } = await server.nextSubscriber(30_000);
      const frames = encodeFrames(objects.map((object) => createFrame(session.clientId ?? '', requestId, object)));
      const received = new Promise<void>((resolve, reject) => {
        notify = resolve;
        setTimeout(() => reject(new Error('plain Chromium peer: no result within 120 s')), 120_000).unref();
      });
      const sentAt = Date.now();
      await session.writeAll(frames);
      await received;
      const result = results.at(-1)!;
      rates.push((result.count / (result.lastAt - sentAt)) * 1000);
      session.close();
    }
  } finally {
    server.onPost = undefined;
    const group = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    group('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    group('SIGKILL');
    for (let attempt = 0; ; attempt++) {
      try {
        rmSync(profile, { recursive: true, force: true });
        break;
      } catch (error) {
        if (attempt >= 10) {
          console.warn(`could not remove ${profile}: ${String(error)}`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    }
  }
  return rates;
}
