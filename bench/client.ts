// bench:client — how fast LiveQuery `create` events can be consumed in Node.
//
// What it measures: events/s received by one subscription while one server streams N `create` frames (realistic
// ~330-byte Game objects, ~420-byte frames) as fast as the socket takes them. The rate is counted by the receiver,
// from the first measured event to the last one (a warm-up of W events, streamed just before, is not counted).
//
// Contenders, each in its own fresh Node process (bench/lib/contender-child.ts) against the same server and the same frames:
//   ours         src/livequery LiveQueryClient (`ws`), a `create` listener counting events
//   ours+frames  the same with a `frame` listener too, as the extension's background uses it (informative)
//   sdk          the Parse SDK 8.6.2 LiveQueryClient (`parse/node`, `ws`): it inflates every event into a ParseObject
//   bare         a bare `ws` socket + JSON.parse per frame, counting `create` frames: the upper bound
// The order of the contenders rotates every round; the table shows the median over the rounds.
// Targets: ours ≥ 3× sdk, ours ≥ 0.7× bare.
//
// The server is bench/lib/stream-server.ts (a minimal LiveQuery endpoint that writes pre-encoded frames in big
// chunks), so the sender costs next to nothing and never limits the receivers.
//
// Run:  npm run bench:client -- [--events 100000] [--rounds 5] [--warmup 10000] [--quick]
//       --quick: 10 000 events, 1 round (a smoke run).

import { CONTENDERS, runNodeContender, type Contender } from './lib/node-contender.js';
import { createFrame, gameObjectJSON } from './lib/objects.js';
import { argNumber, argValue, fmt, median, printTable, verdict } from './lib/stats.js';
import { StreamServer } from './lib/stream-server.js';

async function main(): Promise<void> {
  const quick = argValue('quick') !== undefined;
  const events = argNumber('events', quick ? 10_000 : 100_000);
  const rounds = argNumber('rounds', quick ? 1 : 5);
  const warmup = Math.floor(argNumber('warmup', Math.min(10_000, Math.max(1_000, Math.floor(events / 10)))));
  const server = await StreamServer.start();
  const objects = Array.from({ length: warmup + events }, (_, i) => gameObjectJSON(i));
  const frameBytes = Buffer.byteLength(createFrame('00000000-0000-0000-0000-000000000000', 1, objects[0]!));
  console.log(
    `bench:client — ${fmt(events)} create events (+${fmt(warmup)} warm-up) per contender, ${rounds} round(s), ` +
      `~${frameBytes}-byte frames (object ~${Buffer.byteLength(objects[0]!)} bytes), Node ${process.version}`,
  );

  const results = new Map<Contender, number[]>(CONTENDERS.map((c) => [c, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]!);
      const line: string[] = [];
      for (const contender of order) {
        const result = await runNodeContender(server, contender, warmup, events, objects);
        results.get(contender)!.push(result.eventsPerSecond);
        line.push(`${contender} ${fmt(result.eventsPerSecond)}/s`);
      }
      console.log(`round ${round + 1}: ${line.join(', ')}`);
    }
  } finally {
    await server.stop();
  }

  const med = (c: Contender) => median(results.get(c)!);
  const ours = med('ours');
  const sdk = med('sdk');
  const bare = med('bare');
  console.log('');
  printTable(
    ['contender', 'events/s (median)', 'min', 'max', 'ours ÷ this'],
    CONTENDERS.map((c) => {
      const values = results.get(c)!;
      return [c, fmt(med(c)), fmt(Math.min(...values)), fmt(Math.max(...values)), `${fmt(ours / med(c), 2)}×`];
    }),
  );
  console.log('');
  const overSdk = ours / sdk;
  const overBare = ours / bare;
  console.log(`ours / sdk  = ${fmt(overSdk, 2)}×  (target ≥ 3×)   ${verdict(overSdk >= 3)}`);
  console.log(`ours / bare = ${fmt(overBare, 2)}×  (target ≥ 0.7×) ${verdict(overBare >= 0.7)}`);
  console.log(`JSON: ${JSON.stringify({ bench: 'client', events, rounds, median: Object.fromEntries(CONTENDERS.map((c) => [c, Math.round(med(c))])), oursOverSdk: +overSdk.toFixed(3), oursOverBare: +overBare.toFixed(3) })}`);
}

await main();
