// A plain web page whose dedicated worker reads the same stream through a bare WebSocket + JSON.parse, rendering
// nothing: the browser-side upper bound for the pipeline benchmark. A worker, because the extension's page hook
// (a MAIN-world content script on every page) wraps the page's own WebSocket, and workers are out of its reach.
//
// In the page: `startPeer({url, applicationId, javascriptKey, events, latency})` resolves once subscribed;
// `peerDone` then resolves with {firstAt, lastAt, count, latencies?} (epoch ms; latencies = receipt - object.sentAt).
// With `?auto=<rounds>&url=…&events=…` it runs that many rounds by itself and POSTs each result to /peer-result
// (for a browser started without any automation attached).

const WORKER = String.raw`
self.onmessage = (e) => {
  const { url, applicationId, javascriptKey, events, latency } = e.data;
  let count = 0;
  let firstAt = 0;
  const latencies = latency ? [] : null;
  const ws = new WebSocket(url);
  ws.onopen = () => ws.send(JSON.stringify({ op: 'connect', applicationId, javascriptKey }));
  ws.onmessage = (m) => {
    const frame = JSON.parse(m.data);
    if (frame.op === 'create') {
      const now = Date.now();
      if (++count === 1) firstAt = now;
      if (latencies) latencies.push(now - frame.object.sentAt);
      if (count === events) {
        self.postMessage({ type: 'done', firstAt, lastAt: now, count, latencies });
        ws.close();
      }
    } else if (frame.op === 'connected') {
      ws.send(JSON.stringify({ op: 'subscribe', requestId: 1, query: { className: 'Game', where: {} } }));
    } else if (frame.op === 'subscribed') {
      self.postMessage({ type: 'subscribed' });
    }
  };
};
`;

export const PEER_PAGE = `<!doctype html>
<meta charset="utf-8"><title>bare WebSocket peer</title>
<p>bare WebSocket peer (worker)</p>
<script>
const WORKER_SOURCE = ${JSON.stringify(WORKER)};
window.startPeer = (options) => new Promise((subscribed) => {
  const worker = new Worker(URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' })));
  window.peerDone = new Promise((done) => {
    worker.onmessage = (e) => {
      if (e.data.type === 'subscribed') subscribed(true);
      else if (e.data.type === 'done') { done(e.data); worker.terminate(); }
    };
  });
  worker.postMessage(options);
});
const params = new URLSearchParams(location.search);
if (params.get('auto')) {
  addEventListener('load', async () => {
    for (let round = 0; round < Number(params.get('auto')); round++) {
      await startPeer({ url: params.get('url'), applicationId: 'bench', javascriptKey: 'bench', events: Number(params.get('events')), latency: false });
      const result = await peerDone;
      await fetch('/peer-result', { method: 'POST', body: JSON.stringify(result) });
    }
  });
}
</script>`;

/**
 * The same bare WebSocket + JSON.parse loop for the extension's service worker (evaluated there as a string):
 * `globalThis.__lqPeer.done` becomes {firstAt, lastAt, count, latencies} once `events` creates arrived.
 */
export function serviceWorkerPeer(options: { url: string; applicationId: string; javascriptKey: string; events: number; latency: boolean }): string {
  return `(() => {
    const o = ${JSON.stringify(options)};
    const peer = { done: null, subscribed: false };
    globalThis.__lqPeer = peer;
    let count = 0;
    let firstAt = 0;
    const latencies = o.latency ? [] : null;
    const ws = new WebSocket(o.url);
    ws.onopen = () => ws.send(JSON.stringify({ op: 'connect', applicationId: o.applicationId, javascriptKey: o.javascriptKey }));
    ws.onmessage = (m) => {
      const frame = JSON.parse(m.data);
      if (frame.op === 'create') {
        const now = Date.now();
        if (++count === 1) firstAt = now;
        if (latencies) latencies.push(now - frame.object.sentAt);
        if (count === o.events) {
          peer.done = { firstAt, lastAt: now, count, latencies };
          ws.close();
        }
      } else if (frame.op === 'connected') {
        ws.send(JSON.stringify({ op: 'subscribe', requestId: 1, query: { className: 'Game', where: {} } }));
      } else if (frame.op === 'subscribed') {
        peer.subscribed = true;
      }
    };
    return true;
  })()`;
}

export const BLANK_PAGE = '<!doctype html><meta charset="utf-8"><title>inspected page</title><h1>inspected page</h1>';
