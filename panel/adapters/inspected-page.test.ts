import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { devtoolsInspectedPage, type EvalException, type InspectedWindow } from './inspected-page.js';

/** DevTools' inspectedWindow answering every eval with `answer`, recording the calls. */
function fakeWindow(answer: (expression: string) => [unknown, EvalException?]) {
  const calls: { expression: string; options: unknown }[] = [];
  const target: InspectedWindow = {
    eval(expression, options, callback) {
      calls.push({ expression, options });
      const [result, exception] = answer(expression);
      callback(result, exception);
    },
  };
  return { target, calls };
}

describe('devtoolsInspectedPage', () => {
  it("reads the page's Parse user in the content script's world, never in the page's", async () => {
    const user = JSON.stringify({ sessionToken: 'r:carol', username: 'carol', objectId: 'u3', other: 1 });
    const { target, calls } = fakeWindow(() => [user]);
    assert.deepEqual(await devtoolsInspectedPage(() => target).currentUser('app'), { sessionToken: 'r:carol', username: 'carol', objectId: 'u3' });
    assert.deepEqual(calls, [{ expression: 'localStorage.getItem("Parse/app/currentUser")', options: { useContentScriptContext: true } }]);
  });

  it('quotes the application id as data', async () => {
    const { target, calls } = fakeWindow(() => [null]);
    await assert.rejects(devtoolsInspectedPage(() => target).currentUser('a")+alert(1)+("'), /no current Parse user/);
    assert.equal(calls[0]!.expression, 'localStorage.getItem("Parse/a\\")+alert(1)+(\\"/currentUser")');
  });

  it('turns every failure into a message', async () => {
    const read = (answer: [unknown, EvalException?]) => devtoolsInspectedPage(() => fakeWindow(() => answer).target).currentUser('app');
    await assert.rejects(read([undefined, { isError: true, code: 'E_NOTFOUND', description: 'Object not found: %s', details: ['x'] }]), /content script is not in this page yet: reload/);
    await assert.rejects(read([undefined, { isException: true, value: 'SecurityError: denied' }]), /Cannot read the page's storage: SecurityError: denied/);
    await assert.rejects(read(['not json']), /not JSON/);
    await assert.rejects(read([JSON.stringify({ username: 'x' })]), /no session token/);
    await assert.rejects(read([JSON.stringify(null)]), /no session token/);
    await assert.rejects(devtoolsInspectedPage(() => undefined).currentUser('app'), /Only available in the DevTools panel/);
  });

  it('gives up, without evaluating in the page, where the content-script context is not supported (Firefox)', async () => {
    const target: InspectedWindow = {
      eval() {
        throw new Error('Type error for parameter options (Property "useContentScriptContext" is unsupported by Firefox)');
      },
    };
    await assert.rejects(devtoolsInspectedPage(() => target).currentUser('app'), /cannot read the page's storage out of the page's reach .*unsupported by Firefox.*paste the token/);
  });
});
