// Tests of the harness pieces that need no database: RawSocket against a local ws server, and Postgres discovery.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { findPostgresBin } from './postgres.js';
import { RawSocket } from './raw-socket.js';

describe('RawSocket', () => {
  let wss: WebSocketServer;
  let url: string;
  /** The server echoes `{echo: <what it got>}` for text, and obeys a few commands. */
  before(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    wss.on('connection', (ws: WebSocket) => {
      ws.on('message', (data, isBinary) => {
        const text = data.toString();
        if (text === 'two') {
          ws.send(JSON.stringify({ op: 'a' }));
          ws.send(JSON.stringify({ op: 'b' }));
        } else if (text === 'later') setTimeout(() => ws.send(JSON.stringify({ op: 'late' })), 30);
        else if (text === 'close') ws.close(4000, 'bye');
        else if (text === 'raw') ws.send('not json');
        else ws.send(JSON.stringify({ echo: text, isBinary }));
      });
    });
  });
  after(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise((r) => wss.close(r));
  });

  it('records every frame and hands them out in order', async () => {
    const s = await RawSocket.open(url);
    s.send({ op: 'x' });
    s.sendText('hello');
    s.sendBinary('bin');
    assert.deepEqual(await s.next(), { echo: '{"op":"x"}', isBinary: false });
    assert.deepEqual(await s.next(), { echo: 'hello', isBinary: false });
    assert.deepEqual(await s.next(), { echo: 'bin', isBinary: true });
    assert.equal(s.frames.length, 3);
    await s.close();
  });

  it('next(predicate) skips non-matching frames but leaves them unread', async () => {
    const s = await RawSocket.open(url);
    s.sendText('two');
    assert.deepEqual(await s.nextOp('b'), { op: 'b' });
    assert.deepEqual(s.unread().map((f) => f.json), [{ op: 'a' }]);
    await assert.rejects(s.expectNothing(0), /unread frames:\n {2}#0 \{"op":"a"\}/);
    assert.deepEqual(await s.next(), { op: 'a' });
    await s.expectNothing(0);
    await s.close();
  });

  it('next() waits for a late frame; expectNothing(ms) fails on one', async () => {
    const s = await RawSocket.open(url);
    s.sendText('later');
    assert.deepEqual(await s.next(undefined, 2000), { op: 'late' });
    s.sendText('later');
    await assert.rejects(s.expectNothing(1000), /expected no frame for 1000 ms/);
    await s.close();
  });

  it('next() times out with the unread frames in the message; non-JSON frames are recorded but never returned', async () => {
    const s = await RawSocket.open(url);
    s.sendText('raw');
    await assert.rejects(s.next(() => true, 100), /no matching frame within 100 ms; unread frames:\n {2}#0 not json/);
    assert.equal(s.frames[0]?.json, undefined);
    await s.close();
  });

  it('reports the close code, and next() fails fast once closed', async () => {
    const s = await RawSocket.open(url);
    s.sendText('close');
    assert.deepEqual(await s.closed, { code: 4000, reason: 'bye' });
    assert.equal(s.isClosed, true);
    await assert.rejects(s.next(), /closed \(4000 bye\)/);
  });

  it('open() fails clearly when nothing listens', async () => {
    const probe = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    await assert.rejects(RawSocket.open(`ws://127.0.0.1:${port}`), /could not open ws:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });
});

describe('findPostgresBin', () => {
  it('explains how to install PostgreSQL when no binaries are found', () => {
    const empty = mkdtempSync(join(tmpdir(), 'lq-nopg-'));
    try {
      assert.throws(
        () => findPostgresBin({ env: { PATH: empty }, debianRoot: join(empty, 'none') }),
        /PostgreSQL server binaries \(initdb, pg_ctl, postgres\) not found in .*\/none\/\*\/bin or PATH\. Install them with: apt-get install/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('prefers $PG_BIN when it holds the binaries', { skip: !safeFind() && 'no PostgreSQL installed here' }, () => {
    const bin = findPostgresBin();
    assert.equal(findPostgresBin({ env: { PG_BIN: bin, PATH: '' }, debianRoot: '/nonexistent' }), bin);
  });
});

function safeFind(): string | null {
  try {
    return findPostgresBin();
  } catch {
    return null;
  }
}
