import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signal } from '@preact/signals';
import type { ServerSpec, ServerView } from '../../src/views.js';
import { fetchServerProbe, type ProbeAnswer, type ProbeKeys, type ServerProbe } from '../adapters/server-probe.js';
import { settle } from './fakes.js';
import { createServerChecksStore } from './server-check.js';
import * as rules from './server-check-rules.js';
import { checkServer } from './server-check-rules.js';

const spec: ServerSpec = { serverURL: 'ws://a.test/parse', applicationId: 'app', javascriptKey: 'js', masterKey: 'mk' };

/** A Parse Server as the harness showed it answers: app `app`, JavaScript key `js`, master key `mk`. */
function parseLike(): ServerProbe & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async get(restURL: string, path: string, keys: ProbeKeys): Promise<ProbeAnswer> {
      calls.push(`${restURL}${path}`);
      const unauthorized: ProbeAnswer = { kind: 'json', status: 403, body: { error: 'unauthorized' } };
      if (keys.applicationId !== 'app') return unauthorized;
      const master = keys.masterKey === 'mk';
      if (!master && keys.javascriptKey !== 'js') return unauthorized;
      if (path === '/config') return { kind: 'json', status: 200, body: { params: {} } };
      if (path === '/serverInfo') {
        return master
          ? { kind: 'json', status: 200, body: { parseServerVersion: '9.10.0' } }
          : { kind: 'json', status: 403, body: { error: 'unauthorized: master key is required' } };
      }
      return { kind: 'notJson', status: 404 };
    },
  };
}

describe('checkServer', () => {
  it('says which of the application id and keys is wrong, from how Parse answers', async () => {
    const probe = parseLike();
    assert.equal((await checkServer(spec, probe)).problem, undefined);
    assert.equal((await checkServer(spec, probe)).version, '9.10.0');
    assert.equal((await checkServer({ ...spec, applicationId: 'x' }, probe)).problem, 'wrongApplicationId');
    assert.equal((await checkServer({ ...spec, javascriptKey: 'x' }, probe)).problem, 'wrongJavaScriptKey');
    assert.equal((await checkServer({ ...spec, masterKey: 'x' }, probe)).problem, 'wrongMasterKey');
    assert.equal((await checkServer({ ...spec, javascriptKey: 'x', masterKey: undefined }, probe)).problem, 'applicationIdOrJavaScriptKey');
  });

  it('tells a REST URL that is not Parse and an unreachable one apart, with the reason', async () => {
    const html: ServerProbe = { get: async () => ({ kind: 'notJson', status: 200 }) };
    const notParse = await checkServer(spec, html);
    assert.equal(notParse.problem, 'notParse');
    assert.match(notParse.summary, /http:\/\/a\.test\/parse\/config answered 200 without JSON/);
    const json: ServerProbe = { get: async () => ({ kind: 'json', status: 200, body: { hello: 'world' } }) };
    assert.equal((await checkServer({ ...spec, masterKey: undefined }, json)).problem, 'notParse');
    const down: ServerProbe = { get: async () => ({ kind: 'unreachable', reason: 'connection refused' }) };
    assert.deepEqual(await checkServer(spec, down), { restURL: 'http://a.test/parse', problem: 'unreachable', summary: 'Cannot reach http://a.test/parse: connection refused' });
  });
});

describe('fetchServerProbe', () => {
  it('sends the keys as Parse headers and turns every answer into a value, never a throw', async () => {
    const seen: { url: string; headers: Record<string, string> }[] = [];
    const answers: (() => Promise<Response>)[] = [
      async () => new Response('{"params":{}}', { status: 200 }),
      async () => new Response('<html>', { status: 404 }),
      async () => new Response('[1]', { status: 200 }),
      async () => Promise.reject(new TypeError('Failed to fetch')),
    ];
    const probe = fetchServerProbe(async (url, init) => {
      seen.push({ url, headers: init.headers as Record<string, string> });
      return answers.shift()!();
    });
    assert.deepEqual(await probe.get('http://a.test/parse/', '/config', { applicationId: 'app', javascriptKey: 'js', masterKey: 'mk' }), {
      kind: 'json',
      status: 200,
      body: { params: {} },
    });
    assert.deepEqual(seen[0], {
      url: 'http://a.test/parse/config',
      headers: { 'X-Parse-Application-Id': 'app', 'X-Parse-JavaScript-Key': 'js', 'X-Parse-Master-Key': 'mk' },
    });
    assert.deepEqual(await probe.get('http://a.test', '/config', { applicationId: 'app' }), { kind: 'notJson', status: 404 });
    assert.deepEqual(await probe.get('http://a.test', '/config', { applicationId: 'app' }), { kind: 'notJson', status: 200 });
    assert.deepEqual(await probe.get('http://a.test', '/config', { applicationId: 'app' }), { kind: 'unreachable', reason: 'Failed to fetch' });
  });
});

describe('createServerChecksStore', () => {
  const view = (s: ServerSpec, id = 'srv'): ServerView => ({ id, spec: s, enabled: true, state: 'connecting', attempt: 1, subscriptions: [] });

  it('checks a server as soon as the panel sees it (before any subscription), again on demand, and after an edit', async () => {
    const probe = parseLike();
    const servers = signal<ServerView[]>([]);
    const checks = createServerChecksStore({ probe, now: () => 42, servers, importRules: async () => rules });
    servers.value = [view({ ...spec, javascriptKey: 'wrong' })];
    assert.equal(checks.statusOf(servers.value[0]!.spec)?.checking, true);
    await settle();
    await settle();
    const first = checks.statusOf(servers.value[0]!.spec);
    assert.equal(first?.checking, false);
    assert.equal(first?.check?.problem, 'wrongJavaScriptKey');
    assert.equal(first?.check?.checkedAt, 42);
    const calls = probe.calls.length;

    servers.value = [view({ ...spec, javascriptKey: 'wrong' })]; // the same spec again: cached
    await settle();
    assert.equal(probe.calls.length, calls);
    await checks.check(servers.value[0]!.spec); // Re-check
    assert.ok(probe.calls.length > calls);

    servers.value = [view(spec)]; // edited: its new keys are checked
    await settle();
    await settle();
    assert.equal(checks.statusOf(spec)?.check?.problem, undefined);
    assert.match(checks.statusOf(spec)?.check?.summary ?? '', /master key too/);
    checks.dispose();
  });

  it('waits for its rules’ chunk before asking the server, and a chunk that cannot be loaded is the check’s clear failure', async () => {
    const probe = parseLike();
    let fail = true;
    const servers = signal<ServerView[]>([view(spec)]);
    const checks = createServerChecksStore({
      probe,
      now: () => 42,
      servers,
      importRules: () => (fail ? Promise.reject(new TypeError('Failed to fetch dynamically imported module')) : Promise.resolve(rules)),
    });
    assert.equal(checks.statusOf(spec)?.checking, true);
    await settle();
    assert.deepEqual(probe.calls, [], 'nothing asked without the rules');
    assert.deepEqual(checks.statusOf(spec), {
      checking: false,
      check: {
        restURL: 'http://a.test/parse',
        problem: 'unreachable',
        summary: 'The check failed: Could not load the server check: Failed to fetch dynamically imported module. If the extension was updated or reloaded, close and reopen DevTools.',
        checkedAt: 42,
      },
    });
    fail = false;
    assert.match((await checks.check(spec)).summary, /master key too/, 'Re-check loads them again');
    checks.dispose();
  });
});
