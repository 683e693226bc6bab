import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { HOOK_HANDSHAKE, type RelayToHook } from '../messages.js';
import { acceptHookPort } from './hook-port.js';

/** A window stand-in with real event dispatch; `pageSaw` is a page script's listener added after the relay's. */
function relayWindow() {
  const win = new EventTarget();
  const received: [unknown, boolean][] = [];
  const hookPort = acceptHookPort(win, (data, urgent) => received.push([data, urgent]));
  const pageSaw: unknown[] = [];
  win.addEventListener('message', (event) => pageSaw.push((event as MessageEvent).data));
  const message = (data: unknown, ports: MessagePort[] = [], source: unknown = win) =>
    win.dispatchEvent(Object.assign(new Event('message'), { data, ports, source }));
  return { win, hookPort, received, pageSaw, message };
}

/** What the hook end of a port receives next. */
const next = async (port: MessagePort): Promise<unknown> => ((await once(port, 'message')) as [unknown])[0];

describe('relay: the hook’s private channel', () => {
  it('takes the first handshake from its own window, hides it from the page, and then hears the hook’s port', async () => {
    const { hookPort, received, pageSaw, message } = relayWindow();
    const channel = new MessageChannel();
    message('page data before the hook', []);
    message(HOOK_HANDSHAKE, [], {});
    message(HOOK_HANDSHAKE, []);
    message(HOOK_HANDSHAKE, [channel.port2]);
    assert.deepEqual(pageSaw, ['page data before the hook', HOOK_HANDSHAKE, HOOK_HANDSHAKE], 'only the real handshake is hidden');

    // A page's own handshake later is not even looked at: it reaches the page's listeners, its port is never heard.
    const forged = new MessageChannel();
    message(HOOK_HANDSHAKE, [forged.port2]);
    assert.equal(pageSaw.length, 4);
    forged.port1.postMessage({ type: 'events', generation: 1, events: [] });

    channel.port1.postMessage({ type: 'events', generation: 1, events: [] });
    hookPort.control({ type: 'watch', generation: 1, delivered: 0 });
    assert.deepEqual(await next(channel.port1), { type: 'watch', generation: 1, delivered: 0 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(received, [[{ type: 'events', generation: 1, events: [] }, false]]);
    hookPort.close();
    channel.port1.close();
    forged.port1.close();
  });

  it('holds the latest control until the hook’s port arrives', async () => {
    const { hookPort, message } = relayWindow();
    hookPort.control({ type: 'watch', generation: 1, delivered: 0 });
    hookPort.control({ type: 'unwatch', generation: 1, delivered: 0 });
    const channel = new MessageChannel();
    message(HOOK_HANDSHAKE, [channel.port2]);
    const control = (await next(channel.port1)) as RelayToHook;
    assert.equal(control.type, 'unwatch');
    hookPort.close();
    channel.port1.close();
  });

  it('hears the synchronous event of the type the hook named, stops it there, and parses it safely', async () => {
    const { win, hookPort, received, message } = relayWindow();
    const channel = new MessageChannel();
    message(HOOK_HANDSHAKE, [channel.port2]);
    const syncEvent = 'abcdefghijklmnopqrstuvwx';
    const fire = (detail: unknown, target: EventTarget = win) => target.dispatchEvent(new CustomEvent(syncEvent, { detail }));
    fire('{"type":"events","generation":1,"events":[]}');
    assert.deepEqual(received, [], 'not before the hook said hello');
    channel.port1.postMessage({ type: 'hello', syncEvent });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const pageSaw: string[] = [];
    win.addEventListener(syncEvent, (event) => pageSaw.push(event.type));
    fire('{"type":"events","generation":1,"events":[]}');
    fire('not json');
    fire({ type: 'events' });
    fire(`"${'x'.repeat(7_000_000)}"`);
    assert.deepEqual(received, [[{ type: 'events', generation: 1, events: [] }, true]]);
    assert.deepEqual(pageSaw, [], 'the page never sees it');
    hookPort.close();
    fire('{"type":"events","generation":2,"events":[]}');
    assert.equal(received.length, 1, 'closed: no more listening');
    channel.port1.close();
  });
});
