// The pages bench:page measures, run by themselves from their query string (no automation needed): a Parse SDK app
// counting `create` events, and a page reading a plain (non-LiveQuery) JSON WebSocket feed. Each POSTs /ready once
// it listens, /result after its last message and /error if anything fails.
//
// Query string: warmup, events (messages counted before the clock starts, then measured), plus
//   Parse SDK page: lq (LiveQuery URL), app, js (keys);   plain page: ws (feed URL).
// /result: {ms, events, last, hooked}: ms from the last warm-up message to the last one, both seen by the page's own
// handler; `last` the id of the last object (SDK) or seq of the last message (plain), to check nothing went missing;
// `hooked` whether the page's WebSocket is a wrapper (the extension's page hook) rather than the native constructor.

/** Shared by both pages: the clock, the result and error reports. */
const COMMON = String.raw`
const params = new URLSearchParams(location.search);
const warmup = Number(params.get('warmup'));
const events = Number(params.get('events'));
const total = warmup + events;
const now = () => performance.timeOrigin + performance.now();
// The hook's wrappers print as native code; the one trace it leaves is a frame of its own (named <anonymous>) under
// a page function that its send() calls, e.g. the toString of the data.
const hooked = (() => {
  let caller = '';
  const socket = new WebSocket('ws://127.0.0.1:1/');
  try {
    socket.send({ toString: () => ((caller = String(new Error().stack).split('\n')[2] || ''), '') });
  } catch {}
  socket.close();
  return caller.includes('<anonymous>');
})();
const post = (path, body) => fetch(path, { method: 'POST', body: JSON.stringify(body) });
const fail = (error) => post('/error', { error: String((error && error.stack) || error) });
let count = 0;
let markAt = 0;
/** Called by the page's handler for each counted message. */
const counted = (last) => {
  count++;
  if (count === warmup) markAt = now();
  else if (count === total) post('/result', { ms: now() - markAt, events, last, hooked }).catch(fail);
};
`;

/** A Parse app: the SDK's browser build, `new Parse.Query('Game').subscribe()`, a `create` handler that counts. */
export const SDK_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>Parse SDK page</title>
<script src="/parse.min.js"></script>
<h1>Parse SDK page</h1>
<script>
${COMMON}
(async () => {
  Parse.initialize(params.get('app'), params.get('js'));
  Parse.serverURL = location.origin + '/parse';
  Parse.liveQueryServerURL = params.get('lq');
  const subscription = await new Parse.Query('Game').subscribe();
  subscription.on('create', (object) => counted(object.id));
  await post('/ready', { hooked });
})().catch(fail);
</script>`;

/** A page reading a JSON feed that is not LiveQuery (no "op" anywhere): it says hello, then parses each tick. */
export const PLAIN_PAGE = `<!doctype html>
<meta charset="utf-8">
<title>plain WebSocket page</title>
<h1>plain WebSocket page</h1>
<script>
${COMMON}
try {
  const socket = new WebSocket(params.get('ws'));
  socket.onopen = () => {
    socket.send(JSON.stringify({ type: 'hello', feed: 'ticks' }));
    post('/ready', { hooked }).catch(fail);
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'tick') counted(message.seq);
  };
  socket.onerror = () => fail('socket error');
} catch (error) {
  fail(error);
}
</script>`;

/** One message of the plain feed: a tick carrying a Game object (about the size of a `create` frame). */
export function tickFrame(seq: number, objectJSON: string): string {
  return `{"type":"tick","seq":${seq},"data":${objectJSON}}`;
}
