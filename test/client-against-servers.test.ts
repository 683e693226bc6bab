// Our LiveQueryClient against both real servers: events, reconnect and resubscribe after a restart, close() during
// back-off, no leaked sockets, and malformed or recorded frames pushed by the embedded server's fault injection.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { EmbeddedServer } from '../server/index.js';
import { InvalidFrameError, LiveQueryClient, type FrameRecord, type StateChange } from '../src/livequery/index.js';
import type { WebSocketConstructor } from '../src/livequery/socket.js';
import { createObject, deleteObject, updateObject } from './harness/rest.js';
import { delay, nextEvent } from './harness/scripted-server.js';
import type { LiveQueryTarget, TargetKind } from './harness/target.js';
import { startTarget, TARGET_KINDS } from './harness/targets.js';

/** A `ws` WebSocket that counts the sockets it opened, to catch leaks. */
function countingWebSocket(): { WebSocket: WebSocketConstructor; open(): number; created(): number } {
  const sockets: WebSocket[] = [];
  class Counting extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return {
    WebSocket: Counting as unknown as WebSocketConstructor,
    open: () => sockets.filter((s) => s.readyState === WebSocket.OPEN || s.readyState === WebSocket.CONNECTING).length,
    created: () => sockets.length,
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out: ${what}`);
    await delay(20);
  }
}

for (const kind of TARGET_KINDS) {
  describe(`LiveQueryClient against ${kind}`, () => {
    let target: LiveQueryTarget;
    const clients: LiveQueryClient[] = [];
    before(async () => {
      target = await startTarget(kind as TargetKind);
    });
    after(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await target.stop();
    });

    function client(extra: Partial<ConstructorParameters<typeof LiveQueryClient>[0]> = {}): LiveQueryClient {
      const c = new LiveQueryClient({
        applicationId: target.applicationId,
        serverURL: target.liveQueryURL,
        javascriptKey: target.javascriptKey,
        WebSocket,
        // Reconnect within 100 ms in these tests; the back-off formula itself has unit tests.
        random: () => 0.1,
        ...extra,
      });
      clients.push(c);
      return c;
    }

    it('receives create, update (with original) and delete as plain JSON', async () => {
      const c = client();
      const sub = c.subscribe({ className: 'Game', where: { tag: 'events' } });
      c.open();
      await sub.subscribePromise;
      const seen: string[] = [];
      let original: Record<string, unknown> | undefined;
      sub.on('create', (o) => seen.push(`create ${String(o.score)}`));
      sub.on('update', (o, orig) => {
        seen.push(`update ${String(o.score)}`);
        original = orig;
      });
      sub.on('delete', (o) => seen.push(`delete ${String(o.objectId === game.objectId)}`));
      const game = await createObject(target, 'Game', { tag: 'events', score: 1 });
      await updateObject(target, 'Game', game.objectId, { score: 2 });
      await deleteObject(target, 'Game', game.objectId);
      await until(() => seen.length === 3, 'three events');
      assert.deepEqual(seen, ['create 1', 'update 2', 'delete true']);
      assert.equal(original?.score, 1);
    });

    it('reconnects after a restart, resubscribes with the same requestIds, and gets no duplicated events', async () => {
      const counting = countingWebSocket();
      const c = client({ WebSocket: counting.WebSocket });
      const frames: FrameRecord[] = [];
      c.on('frame', (f) => frames.push(f));
      const a = c.subscribe({ className: 'Note', where: { tag: 'restart' } });
      const b = c.subscribe({ className: 'Item', where: { tag: 'restart' } }, 'r:not-a-real-token');
      c.open();
      await Promise.all([a.subscribePromise, b.subscribePromise]);
      frames.length = 0;
      await target.restart({ downMs: 300 });
      await until(() => a.state === 'subscribed' && b.state === 'subscribed' && a.confirmations === 2 && b.confirmations === 2, 'resubscribed');
      const resent = frames.filter((f) => f.direction === 'sent').map((f) => JSON.parse(f.text) as { op: string; requestId?: number; sessionToken?: string });
      assert.deepEqual(
        resent.filter((f) => f.op === 'subscribe').map((f) => [f.requestId, f.sessionToken]),
        [
          [1, undefined],
          [2, 'r:not-a-real-token'],
        ],
      );
      let creates = 0;
      a.on('create', () => creates++);
      await createObject(target, 'Note', { tag: 'restart' });
      await until(() => creates === 1, 'one create');
      await delay(200);
      assert.equal(creates, 1, 'no duplicated event after the resubscribe');
      assert.equal(counting.open(), 1, 'the old socket is gone');
    });

    it('stays closed when close() is called during the back-off', async () => {
      const counting = countingWebSocket();
      const c = client({ WebSocket: counting.WebSocket, random: () => 0.9 });
      const sub = c.subscribe({ className: 'Game', where: { tag: 'close-during-backoff' } });
      c.open();
      await sub.subscribePromise;
      const states: StateChange[] = [];
      c.on('state', (s) => states.push(s));
      const restarted = target.restart({ downMs: 200 });
      await until(() => states.some((s) => s.state === 'reconnecting'), 'reconnecting');
      const created = counting.created();
      await c.close();
      await restarted;
      await delay(1200);
      assert.equal(counting.created(), created, 'no socket opened after close()');
      assert.equal(counting.open(), 0);
      assert.equal(c.state, 'disconnected');
      assert.equal(states.at(-1)?.state, 'disconnected');
    });
  });
}

describe('LiveQueryClient against the embedded server faults', () => {
  let server: EmbeddedServer;
  before(async () => {
    server = await startTarget('embedded');
  });
  after(() => server.stop());

  function client(WS: WebSocketConstructor = WebSocket as unknown as WebSocketConstructor) {
    return new LiveQueryClient({ applicationId: server.applicationId, serverURL: server.liveQueryURL, javascriptKey: server.javascriptKey, WebSocket: WS, random: () => 0.1 });
  }

  it('closes the old socket before opening a new one on an error with reconnect:true', async () => {
    const counting = countingWebSocket();
    const c = client(counting.WebSocket);
    try {
      const sub = c.subscribe({ className: 'Game', where: {} });
      c.open();
      await sub.subscribePromise;
      for (let i = 0; i < 3; i++) {
        server.faults.sendError({ code: 1, error: 'No enum match for: "x"', reconnect: true });
        await until(() => sub.confirmations === i + 2, `resubscribed ${i + 1}`);
      }
      assert.equal(counting.created(), 4);
      assert.equal(counting.open(), 1, 'one socket open, the others closed');
      await until(() => server.clients().length === 1, 'one client on the server');
    } finally {
      await c.close();
    }
  });

  it('turns malformed and recorded frames into errors or events without losing the subscription', async () => {
    const c = client();
    try {
      const sub = c.subscribe({ className: 'Game', where: {} });
      c.open();
      await sub.subscribePromise;
      const errors: unknown[] = [];
      const events: string[] = [];
      c.on('error', (e) => errors.push(e));
      for (const op of ['create', 'update', 'enter', 'leave', 'delete'] as const) sub.on(op, () => events.push(op));
      const garbage = ['{', 'null', '"text"', '{"op":42}', '{"op":"nope"}', '{"op":"create","requestId":1}', 'x'.repeat(300_000)];
      for (const text of garbage) server.faults.sendRaw(text);
      // Real server frames from the recorded Parse Server 9.10 session, re-addressed to this subscription.
      const recorded = readFileSync(new URL('../src/inspect/fixtures/parse-server-9.10-frames.jsonl', import.meta.url), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { dir: string; raw?: string })
        .filter((e) => e.dir === 'recv' && e.raw)
        .map((e) => JSON.parse(e.raw!) as Record<string, unknown>)
        .filter((f) => ['create', 'update', 'enter', 'leave', 'delete'].includes(String(f.op)));
      for (const frame of recorded) server.faults.sendRaw(JSON.stringify({ ...frame, requestId: 1 }));
      await until(() => events.length === recorded.length, 'recorded events delivered');
      await until(() => errors.length === garbage.length, 'one error per malformed frame');
      assert.ok(errors.every((e) => e instanceof InvalidFrameError));
      assert.equal(sub.state, 'subscribed');
      assert.equal(c.state, 'connected');
      const created = nextEvent(sub, 'create');
      await createObject(server, 'Game', { after: 'garbage' });
      await created;
    } finally {
      await c.close();
    }
  });
});
