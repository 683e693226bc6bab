import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signal } from '@preact/signals';
import type { TokenEntry } from '../../src/keyring.js';
import type { RecordDraft } from '../../src/timeline/record.js';
import { emptyCounts, type PageSocketView, type ServerView, type SubscriptionView } from '../../src/views.js';
import { RestError, type TokenOwner } from '../../src/parse-rest/rest-client.js';
import { fakeRest, settle } from './fakes.js';
import { pageSubscriptionProvenance, serverSubscriptionProvenance } from './token-provenance.js';
import { createTokenRadarStore, DEFAULT_TOKEN_CHECK_SECONDS, MAX_CHECKED_TOKENS, type Timers } from './token-radar.js';

const ALICE = 'r:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const BOB = 'r:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const CONNECT = 'r:cccccccccccccccccccccccccccccccc';
const PAGE = 'r:pppppppppppppppppppppppppppppppp';
const spec = { serverURL: 'ws://a.test/parse', applicationId: 'app', javascriptKey: 'js' };
const serverKey = `${spec.serverURL}|${spec.applicationId}`;

const sub = (id: string, sessionToken?: string, state: SubscriptionView['state'] = 'subscribed'): SubscriptionView => ({
  id,
  requestId: Number(id.replace(/\D/g, '')) || 1,
  query: { className: 'Message', where: {} },
  sessionToken,
  state,
  counts: emptyCounts(),
});
const server = (subscriptions: SubscriptionView[], extra: Partial<ServerView['spec']> = {}): ServerView => ({
  id: 'srv',
  spec: { ...spec, ...extra },
  enabled: true,
  state: 'connected',
  attempt: 1,
  subscriptions,
});
const entry = (name: string, token: string, more: Partial<TokenEntry> = {}): TokenEntry => ({ id: name, serverKey, name, token, origin: 'login', ...more });
const pageSocket = (sessionToken?: string, subToken?: string): PageSocketView => ({
  id: 'sock',
  frameId: 0,
  frameUrl: 'https://app.test/',
  generation: 1,
  url: 'ws://a.test/parse',
  state: 'open',
  applicationId: 'app',
  javascriptKey: 'js',
  sessionToken,
  subscriptions: [{ requestId: 3, query: { className: 'Message', where: {} }, sessionToken: subToken, state: 'subscribed', counts: emptyCounts() }],
});

/** setInterval by hand: `fire()` runs the armed callback as the interval would. */
function manualTimers() {
  const armed = new Map<number, { callback: () => void; ms: number }>();
  let next = 0;
  const timers: Timers & { armed: typeof armed; fire(): void } = {
    armed,
    setInterval(callback, ms) {
      armed.set(++next, { callback, ms });
      return next;
    },
    clearInterval(handle) {
      armed.delete(handle as number);
    },
    fire() {
      [...armed.values()].forEach((t) => t.callback());
    },
  };
  return timers;
}

const REVOKED = () => new RestError('Invalid session token (code 209)', 400, 209);

interface Setup {
  servers?: ServerView[];
  sockets?: PageSocketView[];
  keyring?: TokenEntry[];
  tokenCheckSeconds?: number;
  /** What `/users/me` answers from the start, over the defaults (every token valid). */
  owners?: [string, TokenOwner | Error][];
}

function setup(options: Setup = {}) {
  const rest = fakeRest();
  rest.owners.set(ALICE, { objectId: 'uA', username: 'alice', expiresAt: '2030-01-01T00:00:00.000Z' });
  rest.owners.set(BOB, { objectId: 'uB', username: 'bob' });
  rest.owners.set(CONNECT, { objectId: 'uC', username: 'carol' });
  rest.owners.set(PAGE, { objectId: 'uP', username: 'pat' });
  for (const [token, owner] of options.owners ?? []) rest.owners.set(token, owner);
  const clock = { now: Date.parse('2026-01-01T00:00:00.000Z') };
  const timers = manualTimers();
  const servers = signal(options.servers ?? []);
  const sockets = signal(options.sockets ?? []);
  const keyring = signal(options.keyring ?? []);
  const records: RecordDraft[] = [];
  const switched: unknown[][] = [];
  const radar = createTokenRadarStore({
    rest,
    now: () => clock.now,
    timers,
    servers,
    sockets,
    keyring,
    addRecords: (drafts) => records.push(...drafts),
    setSubscriptionToken: async (...args) => void switched.push(args),
    settings: { tokenCheckSeconds: options.tokenCheckSeconds },
  });
  const meCalls = () => rest.calls.filter((c) => c.what.startsWith('me ')).map((c) => c.what.slice(3));
  return { radar, rest, clock, timers, servers, sockets, keyring, records, switched, meCalls };
}

describe('token provenance', () => {
  it("a panel subscription: its own token, else the server entry's connect token, else none", () => {
    assert.deepEqual(serverSubscriptionProvenance(server([]), sub('s1', ALICE)), {
      source: 'subscription',
      token: ALICE,
      serverKey,
      creds: { restURL: 'http://a.test/parse', applicationId: 'app', javascriptKey: 'js', sessionToken: ALICE },
    });
    const connectOnly = serverSubscriptionProvenance(server([], { sessionToken: CONNECT }), sub('s1'));
    assert.equal(connectOnly.source, 'connection');
    assert.equal(connectOnly.creds?.sessionToken, CONNECT);
    assert.equal(serverSubscriptionProvenance(server([], { sessionToken: CONNECT }), sub('s1', ALICE)).token, ALICE, 'its own wins');
    assert.deepEqual(serverSubscriptionProvenance(server([]), sub('s1')), { source: 'none', serverKey });
  });

  it("a page subscription: its subscribe frame's token, else its socket's; checked on the matching server entry's REST URL", () => {
    const entryServer = server([], { restURL: 'http://rest.a.test/parse' });
    const own = pageSubscriptionProvenance(pageSocket(CONNECT, PAGE), pageSocket(CONNECT, PAGE).subscriptions[0]!, [entryServer]);
    assert.equal(own.source, 'subscription');
    assert.deepEqual(own.creds, { restURL: 'http://rest.a.test/parse', applicationId: 'app', javascriptKey: 'js', sessionToken: PAGE });
    const socketOnly = pageSocket(CONNECT);
    const viaSocket = pageSubscriptionProvenance(socketOnly, socketOnly.subscriptions[0]!, []);
    assert.equal(viaSocket.source, 'connection');
    assert.equal(viaSocket.creds?.restURL, 'http://a.test/parse', 'derived from the socket URL without a server entry');
    const none = pageSocket();
    assert.deepEqual(pageSubscriptionProvenance(none, none.subscriptions[0]!, []), { source: 'none' });
    const noApp = { ...pageSocket(CONNECT), applicationId: undefined };
    assert.match(pageSubscriptionProvenance(noApp, noApp.subscriptions[0]!, []).uncheckable ?? '', /not said which application/);
  });
});

describe('createTokenRadarStore', () => {
  it('checks a token when it is added to the keyring, and caches the answer per server and token', async () => {
    const t = setup({ servers: [server([sub('s1', ALICE), sub('s2', ALICE)])] });
    await settle();
    assert.deepEqual(t.meCalls(), [ALICE], 'two subscriptions with one token: one check');
    t.keyring.value = [entry('alice', ALICE), entry('bob', BOB)];
    await settle();
    assert.deepEqual(t.meCalls(), [ALICE, BOB], 'only the new token is checked');
    const status = t.radar.statusOf(t.radar.credsOfEntry(entry('bob', BOB)));
    assert.deepEqual(status, { check: { state: 'valid', owner: { objectId: 'uB', username: 'bob' }, checkedAt: t.clock.now }, checking: false });
    t.radar.dispose();
  });

  it('checks on demand (one token, or all) and every tokenCheckSeconds while started (a manual clock)', async () => {
    const t = setup({ servers: [server([sub('s1', ALICE)])], keyring: [entry('bob', BOB)], tokenCheckSeconds: 5 });
    await settle();
    assert.equal(t.meCalls().length, 2);
    await t.radar.check(t.radar.credsOfEntry(entry('bob', BOB))!);
    assert.deepEqual(t.meCalls().slice(2), [BOB]);
    await t.radar.checkAll();
    assert.deepEqual(t.meCalls().slice(3).sort(), [ALICE, BOB]);

    assert.equal(t.timers.armed.size, 0, 'nothing periodic before start');
    t.radar.start();
    assert.deepEqual([...t.timers.armed.values()].map((a) => a.ms), [5000]);
    t.timers.fire();
    await settle();
    assert.equal(t.meCalls().length, 7);
    t.radar.setCheckSeconds(1);
    assert.deepEqual([...t.timers.armed.values()].map((a) => a.ms), [1000], 're-armed, not doubled');
    t.radar.dispose();
    assert.equal(t.timers.armed.size, 0);
  });

  it('defaults to a check every 60 s and ignores a nonsense setting', () => {
    const t = setup({ tokenCheckSeconds: -3 });
    assert.equal(t.radar.checkSeconds.value, DEFAULT_TOKEN_CHECK_SECONDS);
    t.radar.start();
    assert.deepEqual([...t.timers.armed.values()].map((a) => a.ms), [60_000]);
    t.radar.dispose();
  });

  it('a revoked token (209) flags each live subscription using it once, with a typed marker that never holds the token', async () => {
    const t = setup({
      servers: [server([sub('s1', ALICE), sub('s2'), sub('s3', ALICE, 'pending')], { sessionToken: ALICE })],
      keyring: [entry('alice', ALICE, { username: 'alice', userId: 'uA' }), entry('bob', BOB)],
    });
    await settle();
    assert.equal(t.radar.alerts.value.size, 0);
    t.rest.owners.set(ALICE, REVOKED());
    await t.radar.checkAll();
    const alerts = t.radar.alerts.value;
    assert.deepEqual([...alerts.keys()], ['server:srv/s1', 'server:srv/s2'], 'live subscriptions only (s3 is pending)');
    assert.equal(alerts.get('server:srv/s1')?.state, 'revoked');
    assert.equal(alerts.get('server:srv/s2')?.provenance.source, 'connection');
    assert.equal(t.records.length, 2);
    assert.deepEqual(t.records[0]!.marker, {
      type: 'tokenInvalid',
      state: 'revoked',
      applies: 'subscription',
      tokenLabel: 'alice',
      username: 'alice',
      userId: 'uA',
      detail: 'Invalid session token (code 209)',
    });
    assert.equal(t.records[1]!.marker?.type === 'tokenInvalid' && t.records[1]!.marker.applies, 'connection');
    assert.equal(t.records[0]!.kind, 'error');
    assert.equal(t.records[0]!.subscriptionKey, 'server:srv/s1');
    assert.doesNotMatch(JSON.stringify(t.records), /r:a{32}/, 'the token itself is never recorded');

    await t.radar.checkAll();
    assert.equal(t.records.length, 2, 'still revoked: not flagged again');
  });

  it('an unreachable server is not a revoked token: "could not check" with the reason, no flag', async () => {
    const t = setup({ servers: [server([sub('s1', ALICE)])], owners: [[ALICE, new RestError('Cannot reach http://a.test/parse: fetch failed')]] });
    await settle();
    assert.deepEqual(t.radar.statusOf(serverSubscriptionProvenance(t.servers.value[0]!, sub('s1', ALICE)).creds)?.check, {
      state: 'unknown',
      reason: 'Cannot reach http://a.test/parse: fetch failed',
      checkedAt: t.clock.now,
    });
    t.rest.owners.set(ALICE, new RestError('unauthorized (code 403)', 403));
    await t.radar.checkAll();
    assert.equal(t.radar.statusOf(serverSubscriptionProvenance(t.servers.value[0]!, sub('s1', ALICE)).creds)?.check?.state, 'unknown');
    assert.equal(t.radar.alerts.value.size, 0);
    assert.equal(t.records.length, 0);
  });

  it('an expired session is flagged: by the server (209 "Session token is expired.") or by its expiry passing on the clock', async () => {
    const t = setup({ servers: [server([sub('s1', ALICE)])] });
    await settle();
    assert.equal(t.radar.alerts.value.size, 0);
    t.clock.now = Date.parse('2030-01-01T00:00:01.000Z');
    await t.radar.checkAll();
    const alert = t.radar.alertOf('server:srv/s1');
    assert.equal(alert?.state, 'expired');
    assert.equal(t.records[0]!.marker?.type === 'tokenInvalid' && t.records[0]!.marker.expiresAt, '2030-01-01T00:00:00.000Z');

    const u = setup({ servers: [server([sub('s1', BOB)])], owners: [[BOB, new RestError('Session token is expired. (code 209)', 400, 209)]] });
    await settle();
    assert.equal(u.radar.alertOf('server:srv/s1')?.state, 'expired');
  });

  it('one click resubscribes a flagged subscription with another keyring token; the new token clears the flag', async () => {
    const t = setup({
      servers: [server([sub('s1', ALICE)])],
      keyring: [entry('alice', ALICE), entry('bob', BOB), entry('dead', CONNECT)],
      owners: [[ALICE, REVOKED()], [CONNECT, REVOKED()]],
    });
    await settle();
    const alert = t.radar.alertOf('server:srv/s1')!;
    assert.deepEqual(t.radar.replacementsFor(alert).map((e) => e.name), ['bob'], 'neither the failing token nor another known to fail');
    await t.radar.resubscribe(alert, t.radar.replacementsFor(alert)[0]!);
    assert.deepEqual(t.switched, [['srv', 's1', BOB, 'bob']]);
    // The service worker reports the subscription with bob's token.
    t.servers.value = [server([sub('s1', BOB)])];
    await settle();
    assert.equal(t.radar.alertOf('server:srv/s1'), undefined);
    // Switched back to the revoked token: flagged again.
    t.servers.value = [server([sub('s1', ALICE)])];
    assert.equal(t.radar.alertOf('server:srv/s1')?.state, 'revoked');
    assert.equal(t.records.length, 2);
  });

  it("flags a page subscription too (its token, checked on the page's server), but leaves resubscribing to the page's app", async () => {
    const t = setup({ sockets: [pageSocket(undefined, PAGE)], owners: [[PAGE, REVOKED()]] });
    await settle();
    assert.deepEqual(t.rest.calls[0]!.creds, { restURL: 'http://a.test/parse', applicationId: 'app', javascriptKey: 'js', sessionToken: PAGE });
    const alert = t.radar.alertOf('pageSocket:sock/3')!;
    assert.equal(alert.state, 'revoked');
    assert.equal(t.records[0]!.source.type, 'pageSocket');
    assert.equal(t.records[0]!.requestId, 3);
    await assert.rejects(t.radar.resubscribe(alert, entry('bob', BOB)), /page's app/);
    assert.deepEqual(t.switched, []);
  });

  it('checks at most MAX_CHECKED_TOKENS tokens, the keyring first: a page cannot make it flood a server', async () => {
    const socket = pageSocket();
    socket.subscriptions = Array.from({ length: MAX_CHECKED_TOKENS + 50 }, (_, i) => ({ ...socket.subscriptions[0]!, requestId: i + 1, sessionToken: `r:made-up-${i}` }));
    const t = setup({ servers: [server([])], keyring: [entry('bob', BOB)], sockets: [socket] });
    await settle();
    assert.equal(t.meCalls().length, MAX_CHECKED_TOKENS);
    assert.equal(t.meCalls()[0], BOB);
    await t.radar.checkAll();
    assert.equal(t.meCalls().length, 2 * MAX_CHECKED_TOKENS);
    t.radar.dispose();
  });
});
