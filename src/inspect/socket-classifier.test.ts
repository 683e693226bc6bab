import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureSockets } from './fixtures/load.js';
import { CLASSIFY_MAX_CHARS, frameSignal, SocketClassifier, type Direction, type Verdict } from './socket-classifier.js';

const CONNECT = '{"op":"connect","applicationId":"lq-app","javascriptKey":"lq-js"}';
const CONNECTED = '{"op":"connected","clientId":"aef837c2-846b-4fe8-98d6-8c95fcb83e54"}';
const SUBSCRIBE = '{"op":"subscribe","requestId":1,"query":{"className":"Game","where":{}}}';
const ERROR = '{"op":"error","error":"Key in request is not valid","code":4,"reconnect":true,"requestId":null}';

function run(frames: [Direction, string | undefined][]): Verdict {
  const classifier = new SocketClassifier();
  for (const [direction, text] of frames) classifier.observe(direction, text);
  return classifier.verdict;
}

describe('frameSignal', () => {
  it('recognises the strong signals of both sides', () => {
    assert.equal(frameSignal('sent', CONNECT), 'connect');
    assert.equal(frameSignal('sent', '{"op":"connect","applicationId":"x","fields":1}'), 'connect');
    assert.equal(frameSignal('received', CONNECTED), 'connected');
    assert.equal(frameSignal('received', '{"op":"connected","clientId":7}'), 'connected', 'very old servers sent a number');
    assert.equal(frameSignal('received', ' \n{"op":"connected","clientId":"c"}'), 'connected');
  });

  it('tells other LiveQuery-shaped frames from everything else', () => {
    assert.equal(frameSignal('sent', SUBSCRIBE), 'client');
    assert.equal(frameSignal('sent', '{"op":"unsubscribe","requestId":2}'), 'client');
    assert.equal(frameSignal('sent', '{"op":"query","requestId":2}'), 'client');
    assert.equal(frameSignal('received', ERROR), 'server');
    assert.equal(frameSignal('received', '{"op":"connected"}'), 'server', 'no clientId: not a strong signal');
    assert.equal(frameSignal('received', '{"op":"subscribed","clientId":"c","requestId":1}'), 'server');
    for (const [direction, text] of [
      ['sent', '{"op":"connect"}'],
      ['sent', '{"op":"connect","applicationId":5}'],
      ['sent', '{"op":"subscribe","requestId":"7","query":{"className":"Game","where":{}}}'],
      ['sent', '{"op":"query","requestId":2,"x":1}'],
      ['sent', '{"op":"bogus"}'],
      ['received', CONNECT],
      ['received', SUBSCRIBE],
      ['received', '{"op":"create","requestId":1}'],
      ['received', '{"type":"connection_ack"}'],
      ['received', '42["chat",{"op":"connect"}]'],
      ['sent', 'this is {not json'],
      ['sent', '["op"]'],
      ['sent', ''],
      ['received', `{"op":"connected","clientId":"c","pad":"${'x'.repeat(CLASSIFY_MAX_CHARS)}"}`],
    ] as const) {
      assert.equal(frameSignal(direction, text), 'none', `${direction} ${text.slice(0, 60)}`);
    }
  });
});

describe('SocketClassifier', () => {
  it('decides LiveQuery on connect + any server reply, or on connected alone', () => {
    assert.equal(run([['sent', CONNECT]]), 'undecided');
    assert.equal(run([['sent', CONNECT], ['received', CONNECTED]]), 'livequery');
    assert.equal(run([['sent', CONNECT], ['received', ERROR]]), 'livequery');
    assert.equal(run([['received', CONNECTED]]), 'livequery');
  });

  it('decides LiveQuery on LiveQuery-shaped frames both ways (subscribing without connecting)', () => {
    assert.equal(run([['sent', SUBSCRIBE], ['received', ERROR]]), 'livequery');
    assert.equal(run([['received', ERROR], ['sent', SUBSCRIBE]]), 'livequery');
  });

  it('decides other on the first non-LiveQuery frame, binary frames, echoes, or three weak frames', () => {
    assert.equal(run([['sent', 'hello']]), 'other');
    assert.equal(run([['received', undefined]]), 'other');
    assert.equal(run([['sent', CONNECT], ['received', CONNECT]]), 'other', 'an echo server');
    assert.equal(run([['sent', SUBSCRIBE], ['received', SUBSCRIBE]]), 'other', 'an echo server');
    assert.equal(run([['received', ERROR], ['received', ERROR], ['received', ERROR]]), 'other');
    assert.equal(run([['sent', SUBSCRIBE], ['sent', SUBSCRIBE], ['sent', SUBSCRIBE]]), 'other');
  });

  it('keeps an unanswered connect: LiveQuery after three frames or when the socket closes', () => {
    assert.equal(run([['sent', CONNECT], ['sent', SUBSCRIBE], ['sent', SUBSCRIBE]]), 'livequery');
    const classifier = new SocketClassifier();
    classifier.observe('sent', CONNECT);
    assert.equal(classifier.finish(), 'livequery');
    assert.equal(new SocketClassifier().finish(), 'other');
  });

  it('treats a frame cut before it left the page as not LiveQuery, and never changes a verdict', () => {
    const classifier = new SocketClassifier();
    assert.equal(classifier.observe('sent', '', true), 'other');
    assert.equal(classifier.observe('received', CONNECTED), 'other');
    const lq = new SocketClassifier();
    lq.observe('received', CONNECTED);
    assert.equal(lq.observe('sent', 'garbage'), 'livequery');
  });

  it('recognises every socket of the recorded Parse Server 9.10 session', () => {
    for (const [name, events] of fixtureSockets()) {
      const classifier = new SocketClassifier();
      for (const event of events) {
        if (event.type === 'frame') classifier.observe(event.direction, event.text);
        if (event.type === 'close') classifier.finish();
      }
      assert.equal(classifier.verdict, 'livequery', name);
    }
  });
});
