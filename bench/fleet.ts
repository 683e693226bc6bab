// bench:fleet — the embedded server as a LiveQuery node of a Redis fleet, next to Parse Server's own node.
//
// Setup, on one throwaway Redis (Debian's redis-server): Parse Server 9.10 with `liveQuery.redisURL` and its own
// LiveQuery node in one child process (test/harness/parse-server-cli.ts --redis), our node in another
// (server/cli.ts --redis --parse-server). This process holds the subscribers: --clients raw WebSockets per node,
// each subscribed to every `Game`.
//
// 1. Same events: W writes through Parse Server's REST API; both nodes' clients must get the same `create` objects.
// 2. Throughput: N afterSave messages in Parse's own format (a ~330-byte Game each) published on `<appId>afterSave`
//    as fast as Redis takes them (REST writes would measure Parse Server's write path, not the nodes). Both nodes
//    get the same stream at the same time. A node's rate = events its clients received ÷ time from
//    the first publish to its last event. Median over --rounds.
// 3. Latency: --rate messages/s for --seconds; each carries `sentAt`; latency = receive − sentAt in this process.
//    After a warm-up, per node with the other node's clients unsubscribed (twice each, order ours, parse, parse,
//    ours: the table's p50/p95/p99), then both at once. Also each node's CPU time per 1,000 messages (/proc), a
//    figure this shared 2-core machine disturbs less than a rate.
// Goal: our node ≥ 1.0× Parse's node for throughput.
//
// Run:  npm run bench:fleet -- [--events 20000] [--rounds 3] [--clients 4] [--rate 1000] [--seconds 5] [--quick]

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createClient } from 'redis';
import WebSocket from 'ws';
import { startRedis } from '../test/harness/redis.js';
import { gameObjectJSON } from './lib/objects.js';
import { argNumber, argValue, fmt, median, percentile, printTable, sleep, verdict } from './lib/stats.js';

const root = new URL('..', import.meta.url).pathname;
const now = (): number => performance.timeOrigin + performance.now();

type Bag = Record<string, unknown>;
type NodeName = 'ours' | 'parse';

/** Starts a child (tsx) and resolves with the first stdout line `pick` accepts. */
function startChild(args: string[], pick: (line: string) => string | undefined): Promise<{ child: ChildProcess; value: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const value = pick(line);
      if (value !== undefined) resolve({ child, value });
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited (${code}) before it was ready:\n${stderr}`)));
  });
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  return exited;
}

function replyTo(ws: WebSocket, op: string): Promise<void> {
  return new Promise<void>((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      if ((JSON.parse(data.toString()) as { op: string }).op !== op) return;
      ws.off('message', onMessage);
      resolve();
    };
    ws.on('message', onMessage);
  });
}

/** One raw LiveQuery client subscribed to every Game; counts `create` events and their latency. */
class Subscriber {
  received = 0;
  lastAt = 0;
  latencies: number[] | null = null;
  objects: Bag[] | null = null;
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { op: string; object?: Bag };
      if (frame.op !== 'create') return;
      const at = now();
      this.received++;
      this.lastAt = at;
      if (this.latencies && typeof frame.object?.sentAt === 'number') this.latencies.push(at - frame.object.sentAt);
      this.objects?.push(frame.object!);
    });
  }

  static async open(url: string, keys: { applicationId: string; javascriptKey: string }): Promise<Subscriber> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const connected = replyTo(ws, 'connected');
    ws.send(JSON.stringify({ op: 'connect', ...keys }));
    await connected;
    const subscriber = new Subscriber(ws);
    await subscriber.subscribe();
    return subscriber;
  }

  async subscribe(): Promise<void> {
    const subscribed = replyTo(this.ws, 'subscribed');
    this.ws.send(JSON.stringify({ op: 'subscribe', requestId: 1, query: { className: 'Game', where: {} } }));
    await subscribed;
  }

  /** While another node's latency is measured, this node has no subscriber to serve. */
  async unsubscribe(): Promise<void> {
    const unsubscribed = replyTo(this.ws, 'unsubscribed');
    this.ws.send(JSON.stringify({ op: 'unsubscribe', requestId: 1 }));
    await unsubscribed;
  }

  reset(options: { latencies?: boolean; objects?: boolean } = {}): void {
    this.received = 0;
    this.lastAt = 0;
    this.latencies = options.latencies ? [] : null;
    this.objects = options.objects ? [] : null;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Objects in objectId order with sorted keys: nodes may send one write's events to their clients in another order. */
function canonical(objects: Bag[]): string {
  const sortKeys = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sortKeys)
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Bag)[k])]))
        : value;
  return JSON.stringify([...objects].sort((a, b) => String(a.objectId).localeCompare(String(b.objectId))).map(sortKeys));
}

const total = (subs: Subscriber[]) => subs.reduce((sum, s) => sum + s.received, 0);

async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) return false;
    await sleep(5);
  }
  return true;
}

/** Parse Server's afterSave message (ParseCloudCodePublisher: `{currentParseObject: object._toFullJSON()}`). */
function afterSaveMessage(index: number, sentAt?: number): string {
  const object = JSON.parse(gameObjectJSON(index, sentAt)) as Bag;
  return JSON.stringify({ currentParseObject: { ...object, __type: 'Object' } });
}

async function main(): Promise<void> {
  const quick = argValue('quick') !== undefined;
  const events = argNumber('events', quick ? 2_000 : 20_000);
  const rounds = argNumber('rounds', quick ? 1 : 3);
  const clients = argNumber('clients', quick ? 2 : 4);
  const rate = argNumber('rate', 1000);
  const seconds = argNumber('seconds', quick ? 2 : 5);
  const writes = 50;

  const redis = await startRedis();
  const children: ChildProcess[] = [];
  const subscribers: Record<NodeName, Subscriber[]> = { ours: [], parse: [] };
  const publisher = createClient({ url: redis.url });
  publisher.on('error', () => undefined);
  try {
    const parse = await startChild(['test/harness/parse-server-cli.ts', '--json', '--redis', redis.url], (line) => (line.startsWith('{') ? line : undefined));
    children.push(parse.child);
    const info = JSON.parse(parse.value) as { restURL: string; liveQueryURL: string; applicationId: string; javascriptKey: string; masterKey: string };
    const ours = await startChild(
      ['server/cli.ts', '--port', '0', '--redis', redis.url, '--parse-server', info.restURL, '--app-id', info.applicationId, '--js-key', info.javascriptKey, '--master-key', info.masterKey],
      (line) => /^\s*LiveQuery:\s+(\S+)/.exec(line)?.[1],
    );
    children.push(ours.child);
    const urls: Record<NodeName, string> = { ours: ours.value, parse: info.liveQueryURL };
    const keys = { applicationId: info.applicationId, javascriptKey: info.javascriptKey };
    for (const name of ['ours', 'parse'] as const) {
      for (let i = 0; i < clients; i++) subscribers[name].push(await Subscriber.open(urls[name], keys));
    }
    await publisher.connect();
    const all = [...subscribers.ours, ...subscribers.parse];
    console.log(
      `bench:fleet — Redis ${redis.url}; Parse Server 9.10 + its LiveQuery node, and our node, each in its own process; ` +
        `${clients} client(s) per node; ${fmt(events)} events × ${rounds} round(s); latency at ${fmt(rate)}/s for ${seconds} s; Node ${process.version}`,
    );

    // 1. Same events from real writes.
    for (const s of all) s.reset({ objects: true });
    const headers = { 'X-Parse-Application-Id': info.applicationId, 'X-Parse-Master-Key': info.masterKey, 'Content-Type': 'application/json' };
    for (let i = 0; i < writes; i++) {
      const response = await fetch(`${info.restURL}/classes/Game`, { method: 'POST', headers, body: JSON.stringify({ score: i, playerName: `p${i}`, ACL: { '*': { read: true } } }) });
      if (!response.ok) throw new Error(`REST write failed: ${response.status} ${await response.text()}`);
    }
    await waitFor(() => all.every((s) => s.received >= writes), 30_000);
    const sameObjects = all.every((s) => canonical(s.objects ?? []) === canonical(subscribers.parse[0]!.objects ?? []));
    if (!sameObjects && process.env.BENCH_DEBUG) for (const s of all) console.log(canonical(s.objects ?? []).slice(0, 400));
    console.log(`same events: ${writes} REST writes → ours ${total(subscribers.ours)}, Parse ${total(subscribers.parse)} create events; identical objects: ${sameObjects ? 'yes' : 'NO'}`);

    // 2. Throughput.
    const rates: Record<NodeName, number[]> = { ours: [], parse: [] };
    const cpuPer1k: Record<NodeName, number[]> = { ours: [], parse: [] };
    const pids: Record<NodeName, number | undefined> = { ours: ours.child.pid, parse: parse.child.pid };
    let lost = 0;
    let next = 1_000_000;
    for (let round = 0; round < rounds; round++) {
      const messages = Array.from({ length: events }, () => afterSaveMessage(next++));
      for (const s of all) s.reset();
      const cpuBefore = { ours: cpuMs(pids.ours), parse: cpuMs(pids.parse) };
      const start = now();
      for (let i = 0; i < messages.length; i += 500) {
        await Promise.all(messages.slice(i, i + 500).map((text) => publisher.publish(`${info.applicationId}afterSave`, text)));
      }
      const expected = events * clients;
      await waitFor(() => total(subscribers.ours) >= expected && total(subscribers.parse) >= expected, 120_000);
      const line: string[] = [];
      for (const name of ['ours', 'parse'] as const) {
        const got = total(subscribers[name]);
        lost += expected - got;
        const end = Math.max(...subscribers[name].map((s) => s.lastAt));
        const perSecond = (got / (end - start)) * 1000;
        rates[name].push(perSecond);
        cpuPer1k[name].push(((cpuMs(pids[name]) - cpuBefore[name]) / events) * 1000);
        line.push(`${name} ${fmt(perSecond)}/s${got < expected ? ` (${fmt(expected - got)} missing)` : ''}`);
      }
      console.log(`round ${round + 1}: ${line.join(', ')}`);
    }

    // 3. Latency at a steady rate, one node at a time (the other node's clients unsubscribe, so on this 2-core
    //    machine it does not compete for the CPU), then both at once.
    const latencyRun = async (measured: NodeName[]): Promise<Record<NodeName, number[]>> => {
      const idle = (['ours', 'parse'] as const).filter((name) => !measured.includes(name));
      for (const name of idle) for (const s of subscribers[name]) await s.unsubscribe();
      for (const s of all) s.reset({ latencies: true });
      const perTick = Math.max(1, Math.round(rate / 100));
      const ticks = Math.round((rate * seconds) / perTick);
      for (let tick = 0; tick < ticks; tick++) {
        const due = performance.now() + 10;
        for (let i = 0; i < perTick; i++) void publisher.publish(`${info.applicationId}afterSave`, afterSaveMessage(next++, now()));
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
      const expected = ticks * perTick * clients;
      await waitFor(() => measured.every((name) => total(subscribers[name]) >= expected), 60_000);
      for (const name of idle) for (const s of subscribers[name]) await s.subscribe();
      return { ours: subscribers.ours.flatMap((s) => s.latencies ?? []), parse: subscribers.parse.flatMap((s) => s.latencies ?? []) };
    };
    await latencyRun(['ours', 'parse']); // warm-up at this rate, not counted
    const alone: Record<NodeName, number[]> = { ours: [], parse: [] };
    for (const name of ['ours', 'parse', 'parse', 'ours'] as const) alone[name].push(...(await latencyRun([name]))[name]);
    const together = await latencyRun(['ours', 'parse']);
    const latencies = (name: NodeName) => alone[name];

    console.log('');
    const ourRate = median(rates.ours);
    const parseRate = median(rates.parse);
    printTable(
      ['node', 'events/s (median)', 'min', 'max', 'CPU ms per 1k messages', 'latency p50 ms', 'p95 ms', 'p99 ms', 'both at once: p50', 'p95'],
      (['ours', 'parse'] as const).map((name) => {
        const lat = latencies(name);
        return [
          name === 'ours' ? 'ours (server/cli.ts --redis --parse-server)' : "Parse Server 9.10's node",
          fmt(median(rates[name])),
          fmt(Math.min(...rates[name])),
          fmt(Math.max(...rates[name])),
          fmt(median(cpuPer1k[name]), 1),
          fmt(percentile(lat, 50), 1),
          fmt(percentile(lat, 95), 1),
          fmt(percentile(lat, 99), 1),
          fmt(percentile(together[name], 50), 1),
          fmt(percentile(together[name], 95), 1),
        ];
      }),
    );
    console.log('');
    const ratio = ourRate / parseRate;
    console.log(`ours / Parse's node = ${fmt(ratio, 2)}× events/s (target ≥ 1.0×) ${verdict(ratio >= 1)}; events lost: ${fmt(lost)}`);
    console.log(
      `JSON: ${JSON.stringify({
        bench: 'fleet',
        events,
        rounds,
        clients,
        sameObjects,
        eventsPerSecond: { ours: Math.round(ourRate), parse: Math.round(parseRate) },
        p95ms: { ours: +percentile(latencies('ours'), 95).toFixed(1), parse: +percentile(latencies('parse'), 95).toFixed(1) },
        oursOverParse: +ratio.toFixed(3),
        cpuMsPer1kMessages: { ours: +median(cpuPer1k.ours).toFixed(1), parse: +median(cpuPer1k.parse).toFixed(1) },
        lost,
      })}`,
    );
  } finally {
    for (const s of [...subscribers.ours, ...subscribers.parse]) s.close();
    if (publisher.isOpen) await publisher.close().catch(() => publisher.destroy());
    await Promise.all(children.map(stopChild));
    await redis.stop();
  }
}

await main();
