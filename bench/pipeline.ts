// bench:pipeline — LiveQuery events from a server through the real extension into the real DevTools panel.
//
// Setup: real Chromium (e2e/harness) with a private copy of the built extension; the REAL DevTools is opened on a
// blank page and the LiveQuery panel selected (not the panel-tab fallback). The panel is driven like a user does
// (e2e/support/panel-actions.ts): add the stream server, subscribe to Game. The extension's service worker then
// holds the WebSocket (our LiveQueryClient), records every frame and posts records to the panel in batches.
// The server is bench/lib/stream-server.ts: realistic ~330-byte Game objects, ~420-byte `create` frames.
//
// (i) Throughput, zero loss: N `create` frames (default 50 000) written as fast as the socket takes them; the clock
//     runs from the first byte sent to the moment the panel's record count ([data-testid=record-counts], i.e. its
//     TimelineStore size as rendered) reaches baseline + N, seen by a MutationObserver in the panel. After a pause
//     the count must be exactly baseline + N (no loss, no duplicate) with nothing dropped. Target ≥ 0.85× the service worker's
//     bare WebSocket of the same run.
//     Per round it also prints how the count grew (batches), the panel's long tasks and the CPU of Chromium's
//     threads (/proc), to show where the time goes. Peers, same stream, same run:
//       service worker bare WS   a bare WebSocket + JSON.parse evaluated in the extension's own service worker,
//                                the thread where the real client runs (upper bound for the extension's path);
//       plain Chromium bare WS   after the harness's browser is closed, the same Chromium binary started with no
//                                automation at all (no CDP, no extension), a page worker reading the stream
//                                (--no-plain skips it);
//       node ours                our LiveQueryClient in a fresh Node process.
//     Playwright's CDP network instrumentation of the service worker is switched off
//     (PLAYWRIGHT_DISABLE_SERVICE_WORKER_NETWORK, see lib/browser.ts): it reports every frame to the harness and
//     cuts the throughput to about a third (10-11k vs ~30k events/s here); pages opened by Playwright stay
//     instrumented, which is why no page peer is used.
// (ii) Latency at a steady rate (default 1 000 events/s for 10 s): each object carries `sentAt` (epoch ms at the
//     moment its frame is written). A MutationObserver in the panel logs the newest `create` row each time the
//     timeline's rows change ("dom"), and the first task after the frame that renders that change ("painted"): a
//     user-blocking task posted at once when the change happened inside a requestAnimationFrame callback (that frame
//     paints it), else from the next one. An event counts as shown when a row at least as new is
//     rendered (rows of one batch that scroll past at once are shown together). p50/p95 over every event.
//     Target p95 ≤ 40 ms. Peer: the same paced stream into the service worker's bare WebSocket (receipt − sentAt).
//     Also printed: the wait of the newest row of each render (no batch wait), how often the rows change, when
//     events waited > 200 ms, the panel's long tasks, and with --watch-sw the service worker's event-loop stalls.
//
//     --results: the subscription's live result set is on screen (Results) instead of the timeline during (i); each round
//     starts from an empty set (Reset) and also prints when the set showed all of the round's objects (≤ its cap).
//
// Run:  npm run bench:pipeline -- [--events 50000] [--rounds 3] [--rate 1000] [--seconds 10] [--no-plain] [--watch-sw] [--results] [--quick]
//       --quick: 10 000 events, 1 round, 3 s of latency. One browser at a time; it takes about a minute.

import { byTestId, type PanelHandle } from '../e2e/harness/index.js';
import { cpuReport, cpuSnapshot } from './lib/cpu.js';
import { connectPanel, openBenchBrowser, panelCounts, waitInPanel } from './lib/browser.js';
import { runNodeContender } from './lib/node-contender.js';
import { createFrame, gameObjectJSON, indexOfObjectId } from './lib/objects.js';
import { BLANK_PAGE, PEER_PAGE, serviceWorkerPeer } from './lib/peer-page.js';
import { plainChromiumPeer } from './lib/plain-chromium.js';
import { argNumber, argValue, fmt, median, percentile, printTable, sleep, verdict } from './lib/stats.js';
import { encodeFrames, StreamServer, type Session } from './lib/stream-server.js';

const LATENCY_BASE_INDEX = 5_000_000;

interface PeerResult {
  firstAt: number;
  lastAt: number;
  count: number;
  latencies: number[] | null;
}

type LogEntry = [objectId: string, domAt: number, paintAt: number];

async function clearPanel(panel: PanelHandle): Promise<void> {
  await panel.click(byTestId('clear'));
  await panel.waitFor(() => /^0 records/.test(document.querySelector('[data-testid="record-counts"]')?.textContent ?? ''), {
    timeoutMs: 10_000,
    message: 'timeline cleared',
  });
}

/**
 * In the panel: sets window.__lqBench.done = {at, size, steps, longTaskMs} once the record count reaches `target`;
 * `steps` are the [time, count] changes seen on the way (one per batch rendered), `longTaskMs` the panel's long tasks.
 */
function watchCount(panel: PanelHandle, target: number): Promise<void> {
  return panel.evaluate((goal: number) => {
    const el = document.querySelector('[data-testid="record-counts"]')!;
    const steps: [number, number][] = [];
    let longTaskMs = 0;
    const longTasks = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTaskMs += entry.duration;
    });
    try {
      longTasks.observe({ type: 'longtask' });
    } catch {
      // No long task timing here: reported as 0.
    }
    const bench = { done: null as null | { at: number; size: number; steps: [number, number][]; longTaskMs: number } };
    (window as unknown as { __lqBench: typeof bench }).__lqBench = bench;
    const check = () => {
      const match = /(\d+) records/.exec(el.textContent ?? '');
      const size = match ? Number(match[1]) : 0;
      if (steps.at(-1)?.[1] !== size) steps.push([Date.now(), size]);
      if (size >= goal && !bench.done) {
        observer.disconnect();
        longTasks.disconnect();
        bench.done = { at: Date.now(), size, steps, longTaskMs };
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(el.parentElement ?? el, { subtree: true, childList: true, characterData: true });
    check();
  }, target);
}

/** "k batches, median m records every t ms (largest x)" from the count steps of one round. */
function describeSteps(steps: [number, number][], sentAt: number): string {
  const sizes: number[] = [];
  const gaps: number[] = [];
  for (let i = 1; i < steps.length; i++) {
    sizes.push(steps[i]![1] - steps[i - 1]![1]);
    gaps.push(steps[i]![0] - steps[i - 1]![0]);
  }
  const first = steps[1] ? steps[1][0] - sentAt : NaN;
  return (
    `${sizes.length} count updates, median ${fmt(median(sizes))} records every ${fmt(median(gaps))} ms ` +
    `(largest ${fmt(Math.max(...sizes))}), first after ${fmt(first)} ms`
  );
}

/** In the panel: logs [newest create row's objectId, DOM time, after-paint time] whenever the rows change. */
function startLatencyLog(panel: PanelHandle): Promise<void> {
  return panel.evaluate(() => {
    const viewport = document.querySelector('[data-testid="timeline-viewport"]')!;
    const log: [string, number, number][] = [];
    let pending: [string, number, number][] = [];
    let armed = false;
    const painted = () => {
      const at = Date.now();
      for (const entry of pending) entry[2] = at;
      pending = [];
      armed = false;
    };
    // The first task after the frame is rendered. A user-blocking task runs ahead of the port messages that queue
    // meanwhile, which say nothing about when the frame was drawn; a message is the fallback.
    const taskScheduler = (globalThis as { scheduler?: { postTask(task: () => void, options: { priority: string }): Promise<void> } }).scheduler;
    const channel = new MessageChannel();
    channel.port1.onmessage = painted;
    const afterRendering = () => {
      if (taskScheduler) void taskScheduler.postTask(painted, { priority: 'user-blocking' });
      else channel.port2.postMessage(0);
    };
    const newest = (): string | null => {
      let best: HTMLElement | null = null;
      let top = -1;
      for (const row of viewport.querySelectorAll<HTMLElement>('[data-testid="timeline-row"][data-kind="create"]')) {
        const y = parseFloat(row.style.top);
        if (y > top) {
          top = y;
          best = row;
        }
      }
      return best ? (best.children[4]?.textContent ?? null) : null;
    };
    // A change made inside a requestAnimationFrame callback is painted in that same frame: a message posted then runs
    // once the frame is rendered. Any other change is painted in the next frame. The panel calls the global
    // requestAnimationFrame at each use, so wrapping it tells the two apart.
    let inFrame = false;
    const platformFrame = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (callback) =>
      platformFrame((time) => {
        inFrame = true;
        try {
          callback(time);
        } finally {
          inFrame = false;
        }
      });
    let last: string | null = null;
    const observer = new MutationObserver(() => {
      const at = Date.now();
      const id = newest();
      if (!id || id === last) return;
      last = id;
      const entry: [string, number, number] = [id, at, 0];
      log.push(entry);
      pending.push(entry);
      if (!armed) {
        armed = true;
        if (inFrame) afterRendering();
        else platformFrame(afterRendering);
      }
    });
    observer.observe(viewport, { childList: true, subtree: true });
    // Long tasks of the panel's main thread, as [epoch ms at start, duration].
    const longTasks: [number, number][] = [];
    const longTaskObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks.push([performance.timeOrigin + entry.startTime, entry.duration]);
    });
    try {
      longTaskObserver.observe({ type: 'longtask' });
    } catch {
      // Not available: none reported.
    }
    (window as unknown as { __lqLatency: unknown }).__lqLatency = {
      log,
      longTasks,
      stop: () => {
        observer.disconnect();
        longTaskObserver.disconnect();
        window.requestAnimationFrame = platformFrame;
      },
    };
  });
}

/** Writes `count` create frames at `rate`/s, each object stamped with its send time; returns the send times. */
async function streamPaced(session: Session, requestId: number, rate: number, count: number, firstIndex: number): Promise<number[]> {
  const sentAt: number[] = [];
  const start = performance.now();
  while (sentAt.length < count && !session.closed) {
    const due = Math.min(count, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    while (sentAt.length < due) {
      const at = performance.timeOrigin + performance.now();
      session.sendText(createFrame(session.clientId ?? '', requestId, gameObjectJSON(firstIndex + sentAt.length, at)));
      sentAt.push(at);
    }
    await sleep(1);
  }
  return sentAt;
}

/** Per event: (time a row at least as new was rendered) − sentAt, for the DOM and the after-paint times. */
function eventLatencies(sentAt: readonly number[], firstIndex: number, log: readonly LogEntry[]) {
  const entries = log.map(([id, domAt, paintAt]) => ({ index: indexOfObjectId(id) - firstIndex, domAt, paintAt }));
  const dom: number[] = [];
  const painted: number[] = [];
  /** [seconds into the run, latency] of events that waited more than 200 ms in the DOM. */
  const slow: [number, number][] = [];
  let j = 0;
  let reached = -1;
  let unseen = 0;
  for (let i = 0; i < sentAt.length; i++) {
    while (j < entries.length && reached < i) reached = Math.max(reached, entries[j++]!.index);
    if (reached < i) {
      unseen++;
      continue;
    }
    const entry = entries[j - 1]!;
    dom.push(entry.domAt - sentAt[i]!);
    if (entry.domAt - sentAt[i]! > 200) slow.push([(sentAt[i]! - sentAt[0]!) / 1000, entry.domAt - sentAt[i]!]);
    if (entry.paintAt) painted.push(entry.paintAt - sentAt[i]!);
  }
  // The newest row of each render: its wait is the pipeline's cost without the batch wait of older records.
  const newest = entries.filter((e) => e.index >= 0 && e.index < sentAt.length).map((e) => e.domAt - sentAt[e.index]!);
  const gaps = entries.slice(1).map((e, i) => e.domAt - entries[i]!.domAt);
  return { dom, painted, unseen, newest, renderGap: median(gaps), slow };
}

async function main(): Promise<void> {
  const quick = argValue('quick') !== undefined;
  const events = argNumber('events', quick ? 10_000 : 50_000);
  const rounds = argNumber('rounds', quick ? 1 : 3);
  const rate = argNumber('rate', 1_000);
  const seconds = argNumber('seconds', quick ? 3 : 10);
  const latencyEvents = Math.round(rate * seconds);
  const plain = argValue('no-plain') === undefined;
  const watchServiceWorker = argValue('watch-sw') !== undefined;
  const withResults = argValue('results') !== undefined;

  const server = await StreamServer.start({ pages: { '/': BLANK_PAGE, '/peer': PEER_PAGE } });
  const objects = Array.from({ length: events }, (_, i) => gameObjectJSON(i));
  console.log(
    `bench:pipeline — throughput: ${fmt(events)} events × ${rounds} round(s); latency: ${fmt(rate)} events/s for ${seconds} s; ` +
      `~${Buffer.byteLength(createFrame('00000000-0000-0000-0000-000000000000', 1, objects[0]!))}-byte frames`,
  );
  const browser = await openBenchBrowser(server);
  const { panel, harness } = browser;
  console.log(`panel: the real DevTools panel (undocked DevTools window), Chromium ${harness.context.browser()?.version() ?? '?'}`);
  const throughput: number[] = [];
  const peerServiceWorker: number[] = [];
  const peerNode: number[] = [];
  const losses: string[] = [];
  try {
    const { session, requestId } = await connectPanel(panel, server);
    const frames = encodeFrames(objects.map((object) => createFrame(session.clientId ?? '', requestId, object)));
    if (withResults) {
      await panel.click(byTestId('show-results'));
      await panel.waitFor(() => !!document.querySelector('[data-testid="result-set"]'), { timeoutMs: 10_000, message: 'the result set on screen' });
    }
    const resultCount = () => panel.evaluate<number>(`parseInt(document.querySelector('[data-testid="result-count"]')?.textContent?.replace(/,/g, '') ?? '-1', 10)`);

    /* ---------------- (i) throughput ---------------- */
    for (let round = 0; round < rounds; round++) {
      await clearPanel(panel);
      if (withResults) await panel.click(byTestId('reset-results'));
      const base = (await panelCounts(panel)).size;
      await watchCount(panel, base + events);
      const cpuBefore = cpuSnapshot();
      const sentAt = Date.now();
      await session.writeAll(frames);
      const writtenAt = Date.now();
      const done = await waitInPanel<{ at: number; size: number; steps: [number, number][]; longTaskMs: number }>(panel, 'window.__lqBench.done', 15_000);
      const cpu = cpuReport(cpuBefore, cpuSnapshot(), Date.now() - sentAt);
      if (withResults) {
        // The set keeps at most 10,000 objects (its default cap).
        const expected = Math.min(events, 10_000);
        const deadline = Date.now() + 60_000;
        let shown = await resultCount();
        while (shown < expected && Date.now() < deadline) {
          await sleep(20);
          shown = await resultCount();
        }
        console.log(`         result set: ${fmt(shown)} object(s) shown ${fmt(Date.now() - sentAt)} ms after the first event (expected ${fmt(expected)})`);
      }
      await sleep(500);
      const after = await panelCounts(panel);
      const got = after.size - base;
      if (!done || got !== events || after.dropped) {
        losses.push(`round ${round + 1}: ${fmt(got)} of ${fmt(events)} records in the panel, ${after.dropped} dropped`);
      }
      if (done) {
        const eps = (events / (done.at - sentAt)) * 1000;
        throughput.push(eps);
        console.log(
          `round ${round + 1}: panel ${fmt(eps)} events/s (${fmt(done.at - sentAt)} ms; server done writing after ${fmt(writtenAt - sentAt)} ms); ` +
            `count after 500 ms: ${fmt(got)}/${fmt(events)}${after.dropped ? `, ${after.dropped} dropped` : ''}`,
        );
        console.log(`         ${describeSteps(done.steps, sentAt)}; panel long tasks ${fmt(done.longTaskMs)} ms`);
        console.log(`         CPU: ${cpu}`);
      } else {
        console.log(`round ${round + 1}: the panel stalled at ${fmt(got)}/${fmt(events)} records`);
      }
    }

    // Peers: a bare WebSocket in the extension's own service worker (same thread as the real client), and our
    // client in a fresh Node process.
    const swPeer = async (count: number, send: (session: Session, requestId: number) => Promise<unknown>, latency: boolean) => {
      const subscriber = server.nextSubscriber();
      const worker = await harness.serviceWorker();
      await worker.evaluate(serviceWorkerPeer({ url: server.liveQueryURL, applicationId: server.applicationId, javascriptKey: server.javascriptKey, events: count, latency }));
      const peer = await subscriber;
      const cpuBefore = cpuSnapshot();
      const sentAt = Date.now();
      await send(peer.session, peer.requestId);
      let result: PeerResult | null = null;
      const deadline = Date.now() + 120_000;
      while (!(result = (await worker.evaluate('globalThis.__lqPeer.done')) as PeerResult | null)) {
        if (Date.now() > deadline) throw new Error('the service worker peer did not get every event within 120 s');
        await sleep(50);
      }
      const cpu = cpuReport(cpuBefore, cpuSnapshot(), Date.now() - sentAt);
      peer.session.close();
      return { result, sentAt, cpu };
    };
    for (let round = 0; round < rounds; round++) {
      const sw = await swPeer(
        events,
        async (peerSession, peerRequestId) => peerSession.writeAll(encodeFrames(objects.map((object) => createFrame(peerSession.clientId ?? '', peerRequestId, object)))),
        false,
      );
      peerServiceWorker.push((sw.result.count / (sw.result.lastAt - sw.sentAt)) * 1000);
      const node = await runNodeContender(server, 'ours', 0, events, objects);
      peerNode.push((events / (node.lastAt - node.sentAt)) * 1000);
      console.log(`peers round ${round + 1}: service worker bare WS ${fmt(peerServiceWorker.at(-1)!)} events/s, node ours ${fmt(peerNode.at(-1)!)} events/s`);
      console.log(`         service worker bare WS CPU: ${sw.cpu}`);
    }

    /* ---------------- (ii) latency ---------------- */
    if (withResults) await panel.click(byTestId('close-results'));
    await clearPanel(panel);
    await startLatencyLog(panel);
    // --watch-sw: a 10 ms timer in the service worker notes every late tick ≥ 50 ms, as [epoch ms, lag]. Off by
    // default: it changes what it watches (with it, the one ~350 ms hiccup some runs show never appeared).
    const serviceWorker = await harness.serviceWorker();
    if (watchServiceWorker) await serviceWorker.evaluate(`(() => {
      const stalls = [];
      let last = Date.now();
      const timer = setInterval(() => {
        const now = Date.now();
        if (now - last - 10 >= 50) stalls.push([last, now - last - 10]);
        last = now;
      }, 10);
      globalThis.__lqStalls = { stalls, stop: () => clearInterval(timer) };
      return true;
    })()`);
    const sentTimes = await streamPaced(session, requestId, rate, latencyEvents, LATENCY_BASE_INDEX);
    await sleep(1_000);
    const { log, longTasks } = await panel.evaluate<{ log: LogEntry[]; longTasks: [number, number][] }, undefined>(() => {
      const latency = (window as unknown as { __lqLatency: { log: [string, number, number][]; longTasks: [number, number][]; stop(): void } })
        .__lqLatency;
      latency.stop();
      return { log: latency.log, longTasks: latency.longTasks };
    });
    const lat = eventLatencies(sentTimes, LATENCY_BASE_INDEX, log);
    const swStalls = watchServiceWorker
      ? ((await serviceWorker.evaluate('(globalThis.__lqStalls.stop(), globalThis.__lqStalls.stalls)')) as [number, number][])
      : undefined;
    const afterLatency = await panelCounts(panel);
    const swLatency = await swPeer(latencyEvents, (peerSession, peerRequestId) => streamPaced(peerSession, peerRequestId, rate, latencyEvents, LATENCY_BASE_INDEX), true);
    const peerLatency = swLatency.result.latencies ?? [];
    const panelErrors = [...panel.errors];

    // Last, with the harness's browser closed: the same Chromium with no automation attached.
    await browser.close();
    const peerPlain = plain ? await plainChromiumPeer(server, objects, rounds) : [];
    if (plain) console.log(`plain Chromium (no CDP) bare WS in a page worker: ${peerPlain.map((v) => fmt(v)).join(', ')} events/s`);

    /* ---------------- report ---------------- */
    const panelEps = median(throughput);
    console.log('\n(i) throughput, server send → panel timeline (events/s, median of rounds)');
    const peerRow = (name: string, values: number[]) =>
      values.length
        ? [name, fmt(median(values)), fmt(Math.min(...values)), fmt(Math.max(...values)), `${fmt(panelEps / median(values), 2)}×`]
        : [name, 'n/a', '', '', ''];
    printTable(
      ['path', 'events/s', 'min', 'max', 'panel ÷ this'],
      [
        ['panel (real DevTools)', fmt(panelEps), fmt(Math.min(...throughput)), fmt(Math.max(...throughput)), '1.00×'],
        peerRow('service worker bare WS', peerServiceWorker),
        peerRow('plain Chromium bare WS (no CDP)', peerPlain),
        peerRow('node ours (LiveQueryClient)', peerNode),
      ],
    );
    console.log(`zero loss: ${losses.length ? `NO — ${losses.join('; ')}` : `yes (${rounds} × ${fmt(events)} records, exact counts, none dropped)`}`);
    const ratio = peerServiceWorker.length ? panelEps / median(peerServiceWorker) : 0;
    console.log(
      `target ≥ 0.85× the service worker's bare WebSocket, zero loss: ${fmt(ratio, 2)}× ${verdict(ratio >= 0.85 && losses.length === 0)}`,
    );

    console.log(`\n(ii) latency at ${fmt(rate)} events/s for ${seconds} s (${fmt(latencyEvents)} events), server send → panel (ms)`);
    const row = (name: string, values: number[]) => [name, fmt(percentile(values, 50), 1), fmt(percentile(values, 95), 1), fmt(percentile(values, 99), 1), fmt(Math.max(...values), 1)];
    printTable(['measure', 'p50', 'p95', 'p99', 'max'], [row('panel: row in DOM', lat.dom), row('panel: row painted', lat.painted), row('service worker bare WS (receipt)', peerLatency)]);
    console.log(
      `newest row of each render (no batch wait): p50 ${fmt(percentile(lat.newest, 50), 1)} ms, p95 ${fmt(percentile(lat.newest, 95), 1)} ms; ` +
        `the rows changed every ${fmt(lat.renderGap, 1)} ms (median) — the service worker's batch interval`,
    );
    if (lat.slow.length) {
      const first = lat.slow[0]!;
      const last = lat.slow.at(-1)!;
      console.log(
        `${fmt(lat.slow.length)} events waited > 200 ms, sent between ${fmt(first[0], 2)} s and ${fmt(last[0], 2)} s into the run ` +
          `(worst ${fmt(Math.max(...lat.slow.map((s) => s[1])))} ms)`,
      );
    }
    if (swStalls) {
      console.log(
        `service worker event-loop stalls ≥ 50 ms during the latency run: ` +
          (swStalls.length ? swStalls.map(([at, lag]) => `${fmt(lag)} ms at ${fmt((at - sentTimes[0]!) / 1000, 2)} s`).join(', ') : 'none'),
      );
    }
    const longOnes = longTasks.filter(([, duration]) => duration >= 100);
    console.log(
      `panel long tasks during the latency run: ${longTasks.length} (${fmt(longTasks.reduce((sum, [, d]) => sum + d, 0))} ms)` +
        (longOnes.length
          ? `; ≥ 100 ms: ${longOnes.map(([at, d]) => `${fmt(d)} ms at ${fmt((at - sentTimes[0]!) / 1000, 2)} s`).join(', ')}`
          : ''),
    );
    console.log(
      `events never shown: ${lat.unseen}; records in the panel after the latency run: ${fmt(afterLatency.size)} ` +
        `(expected ${fmt(latencyEvents)}); panel re-renders logged: ${log.length}`,
    );
    console.log(`target p95 ≤ 40 ms (painted): ${verdict(percentile(lat.painted, 95) <= 40)}`);
    if (panelErrors.length) console.log(`panel errors: ${panelErrors.slice(0, 5).join(' | ')}`);
    console.log(
      `JSON: ${JSON.stringify({
        bench: 'pipeline',
        events,
        rounds,
        throughput: {
          panel: Math.round(panelEps),
          serviceWorkerBareWS: Math.round(median(peerServiceWorker)),
          plainChromiumBareWS: peerPlain.length ? Math.round(median(peerPlain)) : null,
          nodeOurs: Math.round(median(peerNode)),
          zeroLoss: losses.length === 0,
        },
        latency: {
          rate,
          seconds,
          domP50: +percentile(lat.dom, 50).toFixed(1),
          domP95: +percentile(lat.dom, 95).toFixed(1),
          paintP50: +percentile(lat.painted, 50).toFixed(1),
          paintP95: +percentile(lat.painted, 95).toFixed(1),
          peerP50: +percentile(peerLatency, 50).toFixed(1),
          peerP95: +percentile(peerLatency, 95).toFixed(1),
        },
      })}`,
    );
  } finally {
    await browser.close();
    await server.stop();
  }
}

await main();
