// The child process of a Node contender (see node-contender.ts): connects one client, subscribes to Game, counts
// `create` events and prints one JSON line when it has them all. Run as:
//   node --import tsx bench/lib/contender-child.ts <contender> <url> <applicationId> <javascriptKey> <warmup> <events>

import WebSocket from 'ws';
import { LiveQueryClient } from '../../src/livequery/index.js';
import type { Contender, ContenderResult } from './node-contender.js';

const epochNow = () => performance.timeOrigin + performance.now();

async function run(contender: Contender, url: string, applicationId: string, javascriptKey: string, warmup: number, events: number) {
  const total = warmup + events;
  let count = 0;
  let firstAt = 0;
  let done: (() => void) | undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const onEvent = () => {
    count++;
    if (count === warmup + 1) firstAt = epochNow();
    if (count === total) done!();
  };
  let close: () => unknown;

  if (contender === 'ours' || contender === 'ours+frames') {
    const client = new LiveQueryClient({ applicationId, serverURL: url, javascriptKey, WebSocket });
    if (contender === 'ours+frames') {
      let bytes = 0;
      client.on('frame', (frame) => {
        bytes += frame.text.length;
      });
    }
    const subscription = client.subscribe({ className: 'Game', where: {} });
    subscription.on('create', onEvent);
    client.on('error', (error) => console.error('ours: error', error));
    client.open();
    close = () => client.close();
  } else if (contender === 'sdk') {
    const { default: Parse } = await import('parse/node');
    Parse.initialize(applicationId, javascriptKey);
    Parse.CoreManager.setWebSocketController(WebSocket as never);
    const client = new Parse.LiveQueryClient({ applicationId, serverURL: url, javascriptKey });
    client.on('error', (error: unknown) => console.error('sdk: error', error));
    client.open();
    const subscription = client.subscribe(new Parse.Query('Game'));
    subscription?.on('create', onEvent);
    close = () => client.close();
  } else if (contender === 'bare') {
    const socket = new WebSocket(url);
    socket.on('open', () => socket.send(JSON.stringify({ op: 'connect', applicationId, javascriptKey })));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(data.toString()) as { op: string };
      if (frame.op === 'create') onEvent();
      else if (frame.op === 'connected') {
        socket.send(JSON.stringify({ op: 'subscribe', requestId: 1, query: { className: 'Game', where: {} } }));
      }
    });
    close = () => socket.close();
  } else {
    throw new Error(`unknown contender ${String(contender)}`);
  }

  await finished;
  const lastAt = epochNow();
  const ms = lastAt - firstAt;
  const result: ContenderResult = { contender, events, ms, firstAt, lastAt, eventsPerSecond: ((events - 1) / ms) * 1000 };
  process.stdout.write(JSON.stringify(result) + '\n');
  await Promise.resolve(close());
  process.exit(0);
}

const [contender, url, applicationId, javascriptKey, warmup, events] = process.argv.slice(2);
await run(contender as Contender, url!, applicationId!, javascriptKey!, Number(warmup), Number(events));
