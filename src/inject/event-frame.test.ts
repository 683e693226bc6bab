import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPageSocketEvent, isPanelToBackground } from '../messages.js';
import { checkInjectedEvent, eventFrameText, eventOfFrame, parseObjectText } from './event-frame.js';

const object = { className: 'Message', objectId: 'm1', text: 'hi' };

describe('injected events', () => {
  it('writes the frame as Parse Server 9.10 does: op, clientId, requestId, object, original (update/enter/leave only)', () => {
    const original = { ...object, text: 'before' };
    assert.equal(
      eventFrameText({ op: 'update', object, original }, 3, 'c1'),
      '{"op":"update","clientId":"c1","requestId":3,"object":{"className":"Message","objectId":"m1","text":"hi"},"original":{"className":"Message","objectId":"m1","text":"before"}}',
    );
    assert.equal(eventFrameText({ op: 'create', object }, 1), '{"op":"create","requestId":1,"object":{"className":"Message","objectId":"m1","text":"hi"}}');
  });

  it('refuses what the SDK could not handle, with the reason', () => {
    const error = (value: unknown) => {
      const checked = checkInjectedEvent(value);
      return checked.ok ? 'ok' : checked.error;
    };
    assert.equal(error({ op: 'create', object }), 'ok');
    assert.match(error({ op: 'created', object }), /unknown event op "created"/);
    assert.match(error({ op: 'create', object: { objectId: 'x' } }), /needs a "className"/);
    assert.match(error({ op: 'create', object: { className: 'A' } }), /needs an "objectId"/);
    assert.match(error({ op: 'create', object, original: object }), /a create event has no "original"/);
    assert.match(error({ op: 'update', object, original: { ...object, className: 'B' } }), /same class/);
    assert.match(error({ op: 'update', object: [object] }), /must be a JSON object/);
  });

  it('reads editor text and recorded frames, saying what is wrong', () => {
    assert.deepEqual(parseObjectText('  ', 'original'), { ok: true, value: undefined });
    const bad = parseObjectText('{"a":', 'object');
    assert.ok(!bad.ok && /^object: invalid JSON/.test(bad.error));
    const recorded = eventOfFrame('{"op":"leave","clientId":"c","requestId":1,"object":{"className":"A","objectId":"1"},"original":{"className":"A","objectId":"1"}}');
    assert.ok(recorded.ok && recorded.value.op === 'leave' && recorded.value.original);
    const cut = eventOfFrame('{"op":"create","requestId":1,"obj');
    assert.ok(!cut.ok && /not JSON/.test(cut.error));
  });

  it('is validated on the panel → worker channel, and only a received page frame can be marked injected', () => {
    const command = { type: 'injectPageEvent', commandId: 'c', socketId: 's', requestId: 1, event: { op: 'create', object } };
    assert.equal(isPanelToBackground(command), true);
    assert.equal(isPanelToBackground({ ...command, event: { op: 'create', object: {} } }), false);
    const frame = { type: 'frame', socketId: 's-1', direction: 'received', text: '{}', time: 1, injected: true };
    assert.equal(isPageSocketEvent(frame), true);
    assert.equal(isPageSocketEvent({ ...frame, direction: 'sent' }), false);
    assert.equal(isPageSocketEvent({ ...frame, injected: 'yes' }), false);
  });
});
