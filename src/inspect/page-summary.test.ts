import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PageSocketEvent } from '../messages.js';
import { closed, created, frame, opened } from './fixtures/socket-events.js';
import { PageSummary } from './page-summary.js';

const CONNECT = '{"op":"connect","applicationId":"lq-app"}';
const CONNECTED = '{"op":"connected","clientId":"c1"}';
const subscribe = (requestId: number) => `{"op":"subscribe","requestId":${requestId},"query":{"className":"Game","where":{}}}`;
const subscribed = (requestId: number) => `{"op":"subscribed","requestId":${requestId},"clientId":"c1"}`;
const create = (n: number) => `{"op":"create","clientId":"c1","requestId":1,"object":{"className":"Game","objectId":"o${n}"}}`;

function liveSocket(summary: PageSummary, id = 'a'): void {
  for (const event of [
    created(id),
    opened(id),
    frame(id, 'sent', CONNECT),
    frame(id, 'received', CONNECTED),
    frame(id, 'sent', subscribe(1)),
    frame(id, 'received', subscribed(1)),
  ]) {
    summary.observe(event);
  }
}

const texts = (events: PageSocketEvent[]) => events.map((e) => (e.type === 'frame' ? e.text : e.type));

describe('PageSummary', () => {
  it('hands a first watcher everything it kept, in order, and then only what came after', () => {
    const summary = new PageSummary();
    liveSocket(summary);
    summary.observe(frame('a', 'received', create(1)));
    const first = summary.backfill();
    assert.deepEqual(first.replay, []);
    assert.deepEqual(texts(first.fresh), ['created', 'open', CONNECT, CONNECTED, subscribe(1), subscribed(1), create(1)]);
    assert.equal(first.notKept, 0);
    summary.observe(frame('a', 'received', create(2)));
    const second = summary.backfill();
    assert.deepEqual(texts(second.fresh), [create(2)]);
    assert.deepEqual(texts(second.replay), ['created', 'open', CONNECT, CONNECTED, subscribe(1), subscribed(1)], 'state to rebuild, no events');
  });

  it('is bounded by count: the socket state survives, the oldest events go and are counted', () => {
    const summary = new PageSummary({ maxEvents: 5, maxChars: 1_000_000, maxFrameChars: 1000 });
    liveSocket(summary);
    for (let n = 1; n <= 20; n++) summary.observe(frame('a', 'received', create(n)));
    const { fresh, notKept } = summary.backfill();
    assert.deepEqual(texts(fresh), ['created', 'open', CONNECT, CONNECTED, subscribe(1), subscribed(1), ...[16, 17, 18, 19, 20].map(create)]);
    assert.equal(notKept, 15, 'the 15 oldest creates; the state frames evicted from the recent list are still handed over');
  });

  it('is bounded by characters, and keeps a long frame cut and marked', () => {
    const summary = new PageSummary({ maxEvents: 100, maxChars: 300, maxFrameChars: 100 });
    liveSocket(summary);
    const big = `{"op":"create","clientId":"c1","requestId":1,"object":{"className":"Game","objectId":"big","blob":"${'x'.repeat(5000)}"}}`;
    summary.observe(frame('a', 'received', big));
    const { fresh } = summary.backfill();
    const last = fresh.at(-1)!;
    assert.equal(last.type === 'frame' && last.text!.length, 100);
    assert.equal(last.type === 'frame' && last.truncatedFrom, big.length);
  });

  it('keeps closed LiveQuery sockets with their close, forgets sockets that are not LiveQuery', () => {
    const summary = new PageSummary();
    liveSocket(summary, 'lq');
    summary.observe(closed('lq'));
    summary.observe(created('chat'));
    summary.observe(frame('chat', 'received', 'hello'));
    const { fresh } = summary.backfill();
    assert.deepEqual([...new Set(fresh.map((e) => e.socketId))], ['lq']);
    assert.equal(fresh.at(-1)!.type, 'close');
  });

  it('does not hand over events a watcher was already sent, and counts none of them as not kept', () => {
    const summary = new PageSummary({ maxEvents: 3, maxChars: 1_000_000, maxFrameChars: 1000 });
    liveSocket(summary);
    summary.backfill();
    for (let n = 1; n <= 10; n++) {
      // As the hook does while watched: marked on its way before it is kept.
      summary.markPosted(summary.nextSeq);
      summary.observe(frame('a', 'received', create(n)));
    }
    const { fresh, notKept } = summary.backfill();
    assert.deepEqual(fresh, []);
    assert.equal(notKept, 0);
  });
});
