import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyCounts, type PageSocketView, type ServerView } from '../../src/views.js';
import type { TimelineRecord } from '../../src/timeline/record.js';
import * as explainer from './why-explainer.js';
import * as lookups from './why-lookups.js';
import { RestError } from '../../src/parse-rest/rest-client.js';
import { fakeRest, settle, workerRecords } from './fakes.js';
import { MAX_ROLE_LOOKUPS } from './why-roles.js';
import { whyTargetOf } from './why-target.js';
import { MAX_EDITOR_CHARS } from './why-draft.js';
import { createWhyStore, type Verdict } from './why.js';

const PAGE_KEY = 'pageSocket:sock/2';
const SERVER_KEY = 'server:srv/sub1';

/** A panel server entry on the page socket's URL and app; `masterKey` makes lookups use it (and its connection master). */
const server = (options: { masterKey?: string; where?: unknown; sessionToken?: string } = {}): ServerView => ({
  id: 'srv',
  spec: { serverURL: 'ws://app.test:1337/parse', applicationId: 'app', javascriptKey: 'js', ...(options.masterKey ? { masterKey: options.masterKey } : {}) },
  enabled: true,
  state: 'connected',
  attempt: 0,
  subscriptions: [
    {
      id: 'sub1',
      query: { className: 'Message', where: (options.where ?? { room: 'lobby' }) as Record<string, unknown> },
      ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
      state: 'subscribed',
      counts: emptyCounts(),
    },
  ],
});

const socket = (sub: Partial<PageSocketView['subscriptions'][number]> = {}, socketToken?: string): PageSocketView => ({
  id: 'sock',
  frameId: 0,
  frameUrl: 'http://app.test/',
  generation: 1,
  url: 'ws://app.test:1337/parse',
  state: 'open',
  applicationId: 'app',
  javascriptKey: 'page-js',
  ...(socketToken ? { sessionToken: socketToken } : {}),
  subscriptions: [{ requestId: 2, query: { className: 'Message', where: { room: 'lobby' } }, sessionToken: 'r:alice', state: 'subscribed', counts: emptyCounts(), ...sub }],
});

const MODS_ONLY = { 'role:mods': { read: true }, x7Gq: { read: true } };
const message = (acl: unknown = MODS_ONLY, extra: Record<string, unknown> = {}) => ({
  objectId: 'm1',
  room: 'lobby',
  text: 'hi',
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  ACL: acl,
  ...extra,
});

function setup(
  options: { servers?: ServerView[]; sockets?: PageSocketView[]; records?: TimelineRecord[]; importExplainer?: () => Promise<typeof explainer>; importLookups?: () => Promise<typeof lookups> } = {},
) {
  const rest = fakeRest();
  rest.owners.set('r:alice', { objectId: 'kL2p', username: 'alice' });
  rest.objects.set('Message/m1', message());
  const servers = options.servers ?? [server({ masterKey: 'mk' })];
  const sockets = options.sockets ?? [socket()];
  const records = options.records ?? [];
  const importExplainer = options.importExplainer ?? (() => Promise.resolve(explainer));
  const importLookups = options.importLookups ?? (() => Promise.resolve(lookups));
  const why = createWhyStore({ rest, targetOf: (key) => whyTargetOf(key, servers, sockets), records: () => records, importExplainer, importLookups });
  return { rest, why };
}

async function openAndLook(why: ReturnType<typeof createWhyStore>, key: string, objectId = 'm1') {
  assert.ok(why.open(key, objectId));
  for (let i = 0; i < 10; i++) await settle();
}

const stepsOf = (verdict: Verdict | null) => verdict?.steps.map((s) => `${s.id}:${s.ok ? 'ok' : 'no'}`);

describe('createWhyStore: a page subscription', () => {
  it('reads the object with the server entry’s master key, names the ACL step, the user and the roles', async () => {
    const { rest, why } = setup();
    await openAndLook(why, PAGE_KEY);
    assert.equal(why.lookup.value.state, 'found');
    assert.deepEqual(
      rest.calls.map((c) => [c.what, c.creds.masterKey ?? '', c.creds.sessionToken ?? '']),
      [
        ['schema Message', 'mk', ''],
        ['me r:alice', '', 'r:alice'],
        ['get Message/m1 (master)', 'mk', ''],
        ['roles of user kL2p', 'mk', ''],
      ],
      'the token only asks whose it is; the object and roles are read with the master key',
    );
    assert.deepEqual(why.identity.value, { state: 'user', userId: 'kL2p', username: 'alice', rolesWith: 'master', roles: { roles: [], notFollowed: 0 } });
    const verdict = why.savedNow.value!;
    assert.equal(verdict.event, null);
    assert.equal(verdict.headline, 'No event: ACL grants read to role:mods and user x7Gq; this token is alice (kL2p) with roles [] — not readable');
    assert.deepEqual(stepsOf(verdict), ['class:ok', 'match-original:ok', 'match-current:ok', 'clp:ok', 'acl-original:no', 'acl-current:no', 'event-type:no']);
    assert.equal(rest.calls[0]!.creds.restURL, 'http://app.test:1337/parse', 'the REST URL of the matching server entry');
  });

  it('without a master key it reads with the subscription’s token: "this token cannot read it" is the answer', async () => {
    const { rest, why } = setup({ servers: [] });
    await openAndLook(why, PAGE_KEY);
    const lookup = why.lookup.value;
    assert.equal(lookup.state, 'unreadable');
    assert.match(lookup.state === 'unreadable' ? lookup.message : '', /^This token cannot read Message m1 .*code 101.*no event/);
    assert.ok(rest.calls.some((c) => c.what === 'get Message/m1' && c.creds.sessionToken === 'r:alice' && !c.creds.masterKey));
    assert.equal(why.savedNow.value, null, 'no checklist without the object');
    assert.deepEqual(why.identity.value.state === 'user' && why.identity.value.rolesWith, 'token');
    // An object the token can read is explained, with the caveat that roles were read with the token.
    rest.objects.set('Message/m2', message({ kL2p: { read: true } }, { objectId: 'm2' }));
    why.setObjectId(' m2 ');
    await why.look();
    assert.equal(why.savedNow.peek()?.event, 'update');
    assert.match(why.savedNow.peek()!.caveats.join('\n'), /roles were read with the subscriber's token/);
  });

  it('falls back to the connection’s token when the subscription has none, and says when both exist', async () => {
    const { rest, why } = setup({ sockets: [socket({ sessionToken: undefined }, 'r:alice')] });
    await openAndLook(why, PAGE_KEY);
    assert.equal(why.target.value?.token?.origin, 'connection');
    assert.ok(rest.calls.some((c) => c.what === 'me r:alice'));
    // Both: Parse Server tries the subscription's token, then the connection's; each gets its verdict.
    const both = setup({ sockets: [socket({}, 'r:bob')] });
    both.rest.owners.set('r:bob', { objectId: 'x7Gq', username: 'bob' });
    await openAndLook(both.why, PAGE_KEY);
    assert.match(both.why.savedNow.value!.caveats.join('\n'), /also tries it for the ACL/);
    assert.equal(both.why.savedNow.value!.event, null);
    assert.deepEqual(both.why.connectionIdentity.value, { state: 'user', userId: 'x7Gq', username: 'bob', rolesWith: 'master', roles: { roles: [], notFollowed: 0 } });
    assert.equal(both.why.savedNowByConnection.value?.event, 'update', 'bob may read it: the event arrives through the connection token');
    assert.deepEqual(both.why.savedNowByConnection.value!.caveats, []);
    assert.equal(both.why.secondTokenDelivers.value, "Parse Server still sends update: this subscription's token cannot read the object, but the connection's token (bob) can, and it tries both");
    assert.equal(why.connectionIdentity.value, null, 'one token: no second verdict');
  });

  it('a page connection made with the master key reads everything', async () => {
    const sockets = [{ ...socket(), masterKey: 'page-mk' }];
    const { rest, why } = setup({ sockets });
    await openAndLook(why, PAGE_KEY);
    assert.deepEqual(why.identity.value, { state: 'master' });
    assert.equal(why.savedNow.value?.event, 'update');
    assert.ok(!rest.calls.some((c) => c.what.startsWith('me ')), 'no need to ask whose the token is');
  });

  it('a page query that was not kept cannot be explained, and says why', async () => {
    const { why } = setup({ sockets: [socket({ queryOmitted: 'tooDeep', query: { className: 'Message', where: {} } })] });
    await openAndLook(why, PAGE_KEY);
    assert.match(why.savedNow.value!.headline, /^Cannot explain: the page's query was nested too deep to keep/);
  });
});

describe('createWhyStore: tokens and roles', () => {
  it('no verdict is shown until the user and roles are known (a verdict for "no user" would mislead)', async () => {
    const { rest, why } = setup();
    const real = rest.me.bind(rest);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    rest.me = async (creds) => {
      await released;
      return real(creds);
    };
    await openAndLook(why, PAGE_KEY);
    assert.equal(why.lookup.value.state, 'found');
    assert.equal(why.identityReady.value, false);
    assert.equal(why.savedNow.value, null);
    assert.equal(why.whatIf.value.verdict, null);
    release();
    for (let i = 0; i < 10; i++) await settle();
    assert.equal(why.identityReady.value, true);
    assert.match(why.savedNow.value!.headline, /alice \(kL2p\) with roles \[\]/);
    assert.equal(why.whatIf.peek().verdict?.event, null);
    assert.ok(why.whatIf.peek().verdict, 'the what-if verdict follows once known');
  });

  it('a revoked token (209) is named: the subscriber has no user, so only public objects arrive', async () => {
    const { rest, why } = setup();
    rest.owners.set('r:alice', new RestError('Invalid session token (code 209)', 400, 209));
    await openAndLook(why, PAGE_KEY);
    assert.equal(why.identity.value.state, 'invalid');
    assert.match(why.identity.value.state === 'invalid' ? why.identity.value.message : '', /invalid or revoked \(code 209\)/);
    assert.match(why.savedNow.value!.headline, /^No event: .*no user \(no session token, or one that no longer resolves\) — not readable/);
  });

  it('inherited roles (a role whose roles relation holds one of the user’s) make the object readable', async () => {
    const { rest, why } = setup();
    rest.roles = [
      { objectId: 'rj', name: 'juniors', users: ['kL2p'], roles: [] },
      { objectId: 'rm', name: 'mods', users: [], roles: ['rj'] },
    ];
    await openAndLook(why, PAGE_KEY);
    const identity = why.identity.value;
    assert.deepEqual(identity.state === 'user' && identity.roles?.roles, [
      { objectId: 'rj', name: 'juniors' },
      { objectId: 'rm', name: 'mods', via: 'juniors' },
    ]);
    assert.equal(why.savedNow.value?.event, 'update');
    assert.match(why.savedNow.value!.steps.find((s) => s.id === 'acl-current')!.detail, /this token is alice \(kL2p\) with role:mods — readable/);
  });

  it('roles that form a cycle are resolved once and the cycle is named', async () => {
    const { rest, why } = setup();
    rest.roles = [
      { objectId: 'ra', name: 'a', users: ['kL2p'], roles: ['rb'] },
      { objectId: 'rb', name: 'b', users: [], roles: ['ra'] },
      { objectId: 'rm', name: 'mods', users: [], roles: ['rb'] },
    ];
    await openAndLook(why, PAGE_KEY);
    const identity = why.identity.value;
    assert.ok(identity.state === 'user' && identity.roles);
    assert.deepEqual(identity.roles.roles.map((r) => r.name), ['a', 'b', 'mods']);
    assert.deepEqual(identity.roles.cycle, ['a', 'b', 'a']);
    assert.ok(rest.calls.filter((c) => c.what.startsWith('roles containing')).length <= 3, 'each role is looked up once');
    assert.equal(why.savedNow.value?.event, 'update');
  });

  it('a long chain of roles is bounded, and says what it did not follow', async () => {
    const { rest, why } = setup();
    rest.roles = Array.from({ length: MAX_ROLE_LOOKUPS + 20 }, (_, n) => ({ objectId: `r${n}`, name: `level${n}`, users: n === 0 ? ['kL2p'] : [], roles: n === 0 ? [] : [`r${n - 1}`] }));
    await openAndLook(why, PAGE_KEY);
    assert.ok(rest.calls.filter((c) => c.what.startsWith('roles')).length <= MAX_ROLE_LOOKUPS);
    const identity = why.identity.value;
    assert.ok(identity.state === 'user' && identity.roles && identity.roles.notFollowed > 0);
    assert.match(why.savedNow.value!.caveats.join('\n'), /role\(s\) were not followed further/);
  });

  it('roles the lookup may not read (code 119) become a caveat, not a crash', async () => {
    const { rest, why } = setup();
    rest.roleError = new RestError('Permission denied for action find on class _Role. (code 119)', 400, 119);
    await openAndLook(why, PAGE_KEY);
    assert.equal(why.identity.value.state === 'user' && why.identity.value.rolesError, 'Permission denied for action find on class _Role. (code 119)');
    assert.match(why.savedNow.value!.caveats.join('\n'), /roles could not be read \(Permission denied/);
  });
});

describe('createWhyStore: class-level permissions', () => {
  it('pointer permissions that do not point to the user are named as the reason, before the ACL', async () => {
    const { rest, why } = setup();
    rest.permissions.set('Message', { find: {}, readUserFields: ['owner'] });
    rest.objects.set('Message/m1', message({ '*': { read: true } }, { owner: { __type: 'Pointer', className: '_User', objectId: 'x7Gq' } }));
    await openAndLook(why, PAGE_KEY);
    const verdict = why.savedNow.value!;
    assert.equal(verdict.event, null);
    assert.equal(verdict.headline, 'No event: class-level permissions limit find to pointer fields [owner] and none points to user kL2p: Parse Server skips the event silently');
    assert.deepEqual(stepsOf(verdict), ['class:ok', 'match-original:ok', 'match-current:ok', 'clp:no']);
    // What if owner pointed to alice? The event arrives.
    const edited = JSON.parse(why.objectDraft.value) as Record<string, unknown>;
    edited.owner = { __type: 'Pointer', className: '_User', objectId: 'kL2p' };
    why.editObject(JSON.stringify(edited));
    assert.equal(why.whatIf.value.verdict?.event, 'update');
  });

  it('without the master key they cannot be read, and the verdict says nothing about them', async () => {
    const { rest, why } = setup({ servers: [] });
    rest.objects.set('Message/m1', message({ '*': { read: true } }));
    await openAndLook(why, PAGE_KEY);
    assert.equal(why.classPermissions.value.state, 'unknown');
    assert.ok(!rest.calls.some((c) => c.what.startsWith('schema')));
    assert.ok(!why.savedNow.value!.steps.some((s) => s.id === 'clp'));
  });
});

describe('createWhyStore: the panel’s own subscription', () => {
  it('a server entry with a master key subscribes as master: the verdict says so', async () => {
    const { why } = setup({ servers: [server({ masterKey: 'mk', sessionToken: 'r:alice' })] });
    await openAndLook(why, SERVER_KEY);
    assert.deepEqual(why.identity.value, { state: 'master' });
    assert.equal(why.savedNow.value?.event, 'update');
    assert.match(why.savedNow.value!.steps.find((s) => s.id === 'acl-current')!.detail, /master key, which reads everything/);
  });

  it('without one, the where decides: the failing constraint is the headline', async () => {
    const { rest, why } = setup({ servers: [server({ sessionToken: 'r:alice', where: { room: 'support' } })] });
    rest.objects.set('Message/m1', message({ '*': { read: true } }));
    await openAndLook(why, SERVER_KEY);
    assert.match(why.savedNow.value!.headline, /^No event: .*room "support" .*"lobby"/);
  });

  it('a malformed where is explained as such', async () => {
    const { rest, why } = setup({ servers: [server({ sessionToken: 'r:alice', where: { room: { $regex: '(' } } })] });
    rest.objects.set('Message/m1', message({ '*': { read: true } }));
    await openAndLook(why, SERVER_KEY);
    assert.equal(why.savedNow.value?.event, null);
    assert.ok(why.savedNow.value!.headline.startsWith('No event: '));
  });
});

describe('createWhyStore: bad input and REST errors', () => {
  it('an objectId that is not one, or none, is refused before any request', async () => {
    const { rest, why } = setup();
    why.open(PAGE_KEY);
    await settle();
    const before = rest.calls.length;
    for (const text of ['', '   ', 'a b', 'x/y', 'a'.repeat(200)]) {
      why.setObjectId(text);
      await why.look();
      assert.equal(why.lookup.value.state, 'error', text);
    }
    assert.equal(rest.calls.length, before);
  });

  it('an unknown objectId read with the master key says it does not exist', async () => {
    const { why } = setup();
    await openAndLook(why, PAGE_KEY, 'nope');
    assert.equal(why.lookup.value.state, 'missing');
    assert.match(why.lookup.value.state === 'missing' ? why.lookup.value.message : '', /No Message has objectId nope \(code 101\), even read with the master key/);
  });

  it('unreachable servers and refused keys are plain messages', async () => {
    const { rest, why } = setup();
    rest.objects.set('Message/m1', new RestError('Cannot reach http://app.test:1337/parse: Failed to fetch'));
    rest.owners.set('r:alice', new RestError('Cannot reach http://app.test:1337/parse: Failed to fetch'));
    await openAndLook(why, PAGE_KEY);
    assert.deepEqual(why.lookup.value, { state: 'error', objectId: 'm1', message: 'Could not read Message m1: Cannot reach http://app.test:1337/parse: Failed to fetch' });
    assert.equal(why.identity.value.state, 'error');
    rest.objects.set('Message/m1', new RestError('unauthorized (code 403)', 403));
    await why.look();
    const refused = why.lookup.peek();
    assert.match(refused.state === 'error' ? refused.message : '', /refused the keys .*check the application id and keys/);
  });

  it('a slow answer for an older lookup does not overwrite a newer one', async () => {
    const { rest, why } = setup();
    rest.objects.set('Message/m2', message(MODS_ONLY, { objectId: 'm2', text: 'second' }));
    why.open(PAGE_KEY, 'm1');
    why.setObjectId('m2');
    await why.look();
    for (let i = 0; i < 5; i++) await settle();
    assert.equal(why.lookup.value.state === 'found' && why.lookup.value.objectId, 'm2');
  });

  it('a huge object is explained but not put in the editor', async () => {
    const { rest, why } = setup();
    rest.objects.set('Message/m1', message(MODS_ONLY, { blob: 'x'.repeat(MAX_EDITOR_CHARS) }));
    await openAndLook(why, PAGE_KEY);
    assert.ok((why.draftTooLarge.value ?? 0) > MAX_EDITOR_CHARS);
    assert.equal(why.objectDraft.value, '');
    assert.equal(why.savedNow.value?.event, null);
  });

  it('an object nested too deep is explained as read, not edited, and nothing throws', async () => {
    const { rest, why } = setup();
    let deep: Record<string, unknown> = { end: true };
    for (let i = 0; i < 500; i++) deep = { d: deep };
    rest.objects.set('Message/m1', message(MODS_ONLY, { deep }));
    await openAndLook(why, PAGE_KEY);
    assert.equal(why.draftTooLarge.value, Infinity);
    assert.equal(why.savedNow.value?.event, null);
  });

  it('secrets in the object stay masked in the editor', async () => {
    const { rest, why } = setup();
    rest.objects.set('Message/m1', message(MODS_ONLY, { sessionToken: 'r:0123456789abcdef', note: 'token r:fedcba9876543210 here' }));
    await openAndLook(why, PAGE_KEY);
    assert.ok(why.objectDraft.value.length > 0);
    assert.ok(!why.objectDraft.value.includes('0123456789abcdef'));
    assert.ok(!why.objectDraft.value.includes('fedcba9876543210'));
  });
});

describe('createWhyStore: the recorded event and the what-if editor', () => {
  it('explains the latest recorded event of this subscription for this object, from its original and object', async () => {
    const w = workerRecords();
    const original = { className: 'Message', ...message({ '*': { read: true } }) };
    const records = [
      w.event('create', PAGE_KEY, { className: 'Message', ...message({ '*': { read: true } }) }),
      w.event('update', 'pageSocket:sock/1', { className: 'Message', ...message({ '*': { read: true } }) }),
      { ...w.event('update', PAGE_KEY, { className: 'Message', ...message({ '*': { read: true } }, { text: 'edited' }) }), raw: JSON.stringify({ op: 'update', clientId: 'c', requestId: 2, object: { ...original, text: 'edited' }, original }) },
    ];
    const { why } = setup({ records });
    await openAndLook(why, PAGE_KEY);
    assert.equal(why.recorded.value?.op, 'update');
    assert.equal(why.recordedVerdict.value?.event, 'update');
    assert.deepEqual(stepsOf(why.recordedVerdict.value), ['class:ok', 'match-original:ok', 'match-current:ok', 'acl-original:ok', 'acl-current:ok', 'event-type:ok', 'watch:ok', 'payload:ok']);
    // With keys, the frame lacks the fields the where needs: the headline says the frame cannot be re-checked.
    const keyed = setup({ records: [w.event('create', SERVER_KEY, { className: 'Message', objectId: 'm1', text: 'hi' })], servers: [{ ...server({ sessionToken: 'r:alice' }), subscriptions: [{ ...server().subscriptions[0]!, query: { className: 'Message', where: { room: 'lobby' }, keys: ['text'] } }] }] });
    await openAndLook(keyed.why, SERVER_KEY);
    assert.match(keyed.why.recordedVerdict.value!.headline, /^Recorded: Parse Server sent create\. Explained from its frame now: no event — its frame carries only the keys \[text\]/);
    const none = setup();
    await openAndLook(none.why, PAGE_KEY);
    assert.equal(none.why.recordedVerdict.value, null, 'no recorded event, no second checklist');
  });

  it('the verdict follows the edited ACL as it is typed; invalid JSON keeps the last good verdict with a clear message', async () => {
    const { why } = setup();
    await openAndLook(why, PAGE_KEY);
    assert.equal(why.whatIf.value.verdict?.event, null);
    const edited = JSON.parse(why.objectDraft.value) as Record<string, unknown>;
    edited.ACL = { kL2p: { read: true } };
    why.editObject(JSON.stringify(edited));
    assert.deepEqual([why.whatIf.value.verdict?.event, why.whatIf.value.error], ['enter', null], 'stored unreadable, edited readable: enter');
    why.editObject('{"room": ');
    assert.match(why.whatIf.value.error ?? '', /^The object is not valid JSON/);
    assert.equal(why.whatIf.value.verdict?.event, 'enter', 'the last good verdict is kept');
    why.editObject('[1]');
    assert.match(why.whatIf.value.error ?? '', /must be a JSON object/);
    why.editObject(JSON.stringify(edited));
    why.editOriginal('');
    assert.equal(why.whatIf.value.verdict?.event, 'create', 'no original: a create');
    why.editObject('');
    why.editOriginal(JSON.stringify(edited));
    assert.equal(why.whatIf.value.verdict?.event, 'delete', 'no object: a delete');
  });
});

describe('createWhyStore: the explainer chunk', () => {
  it('a chunk that fails to load is the headline of every verdict, not a silent empty view', async () => {
    const { why } = setup({ importExplainer: () => Promise.reject(new TypeError('Failed to fetch dynamically imported module')) });
    await openAndLook(why, PAGE_KEY);
    assert.equal(why.lookup.value.state, 'found');
    const verdict = why.savedNow.value!;
    assert.equal(verdict.event, null);
    assert.match(verdict.headline, /^Cannot explain: Could not load the Why no event\? explainer: Failed to fetch dynamically imported module\. If the extension was updated or reloaded, close and reopen DevTools\.$/);
  });

  it('no verdict until the explainer has arrived, then the verdict and the what-if follow', async () => {
    let arrive!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const { why } = setup({ importExplainer: () => arrived.then(() => explainer) });
    await openAndLook(why, PAGE_KEY);
    assert.equal(why.lookup.value.state, 'found');
    assert.equal(why.savedNow.value, null, 'waiting, not a verdict');
    arrive();
    for (let i = 0; i < 5; i++) await settle();
    const verdict: Verdict | null = why.savedNow.peek();
    assert.equal(verdict?.event, null);
    assert.match(verdict?.headline ?? '', /^No event: ACL grants read/);
    assert.ok(why.whatIf.value.verdict, 'the what-if is explained once the explainer arrived');
  });

  it('asks the server nothing before its lookups’ chunk arrives, and a lookups chunk that fails is said on each lookup', async () => {
    let arrive!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const waiting = setup({ importLookups: () => arrived.then(() => lookups) });
    await openAndLook(waiting.why, PAGE_KEY);
    assert.deepEqual(waiting.rest.calls, []);
    assert.equal(waiting.why.lookup.value.state, 'loading');
    arrive();
    for (let i = 0; i < 10; i++) await settle();
    assert.equal(waiting.why.lookup.value.state, 'found');
    assert.equal(waiting.why.identity.value.state, 'user');

    const { rest, why } = setup({ importLookups: () => Promise.reject(new TypeError('Failed to fetch dynamically imported module')) });
    await openAndLook(why, PAGE_KEY);
    const message = 'Could not load the Why no event? lookups: Failed to fetch dynamically imported module. If the extension was updated or reloaded, close and reopen DevTools.';
    assert.deepEqual(rest.calls, []);
    assert.deepEqual(why.lookup.value, { state: 'error', objectId: 'm1', message });
    assert.deepEqual(why.identity.value, { state: 'error', message });
    assert.deepEqual(why.classPermissions.value, { state: 'error', message });
  });
});

