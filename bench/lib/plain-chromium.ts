// The same Chromium binary started with no automation at all (no CDP, no Playwright, no extension): a page whose
// worker reads the stream through a bare WebSocket and POSTs its results back. The browser's own ceiling for this
// stream on this machine, free of the harness's instrumentation. Start it only when no other bench browser runs.

import { startChromium } from './chromium-process.js';
import { createFrame } from './objects.js';
import { encodeFrames, type StreamServer } from './stream-server.js';

interface PeerResult {
  firstAt: number;
  lastAt: number;
  count: number;
}

/** events/s (first byte sent → last event received) for each round; the stream server must serve PEER_PAGE at /peer. */
export async function plainChromiumPeer(server: StreamServer, objects: readonly string[], rounds: number): Promise<number[]> {
  const results: PeerResult[] = [];
  let notify: (() => void) | undefined;
  server.onPost = (path, body) => {
    if (path !== '/peer-result') return;
    results.push(JSON.parse(body) as PeerResult);
    notify?.();
  };
  const url = server.httpURL(`/peer?auto=${rounds}&url=${encodeURIComponent(server.liveQueryURL)}&events=${objects.length}`);
  const chromium = startChromium({ url });
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
    await chromium.stop();
  }
  return rates;
}
