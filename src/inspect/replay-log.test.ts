import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PageSocketEvent } from '../messages.js';
import { fixtureSockets } from './fixtures/load.js';
import { ReplayLog } from './replay-log.js';

const label = (e: PageSocketEvent): string =>
  e.type === 'frame' ? `${e.direction[0]}:${(JSON.parse(e.text ?? '{}') as { op?: string; requestId?: number }).op}` : e.type;

describe('ReplayLog', () => {
  it('keeps only what defines a live LiveQuery socket’s state: no events, no closed subscriptions', () => {
    const log = new ReplayLog();
    const c1 = fixtureSockets().get('c1')!;
    for (const event of c1.slice(0, -1)) log.observe(event);
    const snapshot = log.snapshot();
    assert.deepEqual(snapshot.map(label), [
      'created',
      'open',
      's:connect',
      'r:connected',
      's:update',
      'r:subscribed',
      's:subscribe', // #9: its error reply had requestId null
      's:subscribe',
      'r:subscribed',
      's:subscribe',
      'r:subscribed',
      's:subscribe',
      'r:subscribed',
      'r:error',
    ]);
    const connected = snapshot[3]!;
    assert.ok(connected.type === 'frame' && connected.text?.includes('6e58fdef'), 'the latest connected');
  });

  it('forgets closed sockets and sockets that are not LiveQuery', () => {
    const log = new ReplayLog();
    for (const event of fixtureSockets().get('c2')!) log.observe(event);
    log.observe({ type: 'created', socketId: 'x', url: 'wss://x.test/', time: 1 });
    log.observe({ type: 'frame', socketId: 'x', direction: 'sent', text: '', truncatedFrom: 5, time: 2 });
    assert.equal(log.size, 0);
  });

  it('replays an undecided socket as it was seen', () => {
    const log = new ReplayLog();
    const events: PageSocketEvent[] = [
      { type: 'created', socketId: 'u', url: 'wss://x.test/', time: 1 },
      { type: 'open', socketId: 'u', time: 2 },
      { type: 'frame', socketId: 'u', direction: 'sent', text: '{"op":"connect","applicationId":"a"}', time: 3 },
    ];
    for (const event of events) log.observe(event);
    assert.deepEqual(log.snapshot(), events);
  });

  it('is bounded in sockets and in subscriptions per socket', () => {
    const log = new ReplayLog({ maxSockets: 2, maxRequests: 2 });
    for (const id of ['a', 'b', 'c']) {
      log.observe({ type: 'created', socketId: id, url: 'wss://x.test/', time: 1 });
      log.observe({ type: 'frame', socketId: id, direction: 'received', text: '{"op":"connected","clientId":"c"}', time: 2 });
    }
    for (let requestId = 1; requestId <= 5; requestId++) {
      const text = `{"op":"subscribe","requestId":${requestId},"query":{"className":"A","where":{}}}`;
      log.observe({ type: 'frame', socketId: 'c', direction: 'sent', text, time: 3 });
    }
    const snapshot = log.snapshot();
    assert.deepEqual([...new Set(snapshot.map((e) => e.socketId))], ['b', 'c']);
    assert.deepEqual(
      snapshot.filter((e) => e.socketId === 'c' && e.type === 'frame' && e.direction === 'sent').map((e) => e.type === 'frame' && e.text?.slice(0, 35)),
      ['{"op":"subscribe","requestId":4,"qu', '{"op":"subscribe","requestId":5,"qu'],
    );
  });
});
