import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestError } from '../../src/parse-rest/rest-client.js';
import { fakeRest, settle, workerRecords } from './fakes.js';
import { emptyCounts, type PageSocketView, type ServerView } from '../../src/views.js';
import { createLintStore, FIELD_SAMPLE_PER_CLASS, pageLintSubject, panelLintSubject, type LintSubject } from './lint.js';

const creds = { restURL: 'http://a.test/parse', applicationId: 'app', javascriptKey: 'js' };
const withKey = { ...creds, masterKey: 'mk' };
const subject = (where: unknown, extra: Partial<LintSubject> = {}): LintSubject => ({ query: { className: 'Game', where }, ...extra });
const ids = (result: { findings: { id: string; severity: string }[] }) => result.findings.map((f) => `${f.severity} ${f.id}`);

async function setup() {
  const rest = fakeRest();
  const lint = createLintStore({ rest });
  await lint.rulesLoaded();
  return { rest, lint };
}

describe('lint store', () => {
  it('reads the schema once per server and class with the master key, and lints with it', async () => {
    const { rest, lint } = await setup();
    rest.schemas.set('Game', { source: 'schema', types: { score: 'Number' } });
    assert.match(lint.lint(subject({ scroe: 1 }, { creds: withKey })).fieldsNote, /^Reading the schema of Game…/);
    lint.ensureSchema(withKey, 'Game');
    lint.ensureSchema(withKey, 'Game');
    await settle();
    lint.ensureSchema(withKey, 'Game');
    assert.deepEqual(rest.calls.map((c) => c.what), ['schema Game'], 'cached per server and class');
    const result = lint.lint(subject({ scroe: 1 }, { creds: withKey }));
    assert.deepEqual(ids(result), ['warning where-unknown-field']);
    assert.equal(result.fieldsNote, 'Linted with the schema of Game (read with the master key).');
    lint.ensureSchema({ ...withKey, restURL: 'http://b.test/parse' }, 'Game');
    assert.equal(rest.calls.length, 2, 'another server is another cache entry');
  });

  it('does not read the schema without a master key: lints with recorded field names, and says so', async () => {
    const { rest, lint } = await setup();
    lint.ensureSchema(creds, 'Game');
    assert.equal(rest.calls.length, 0);
    const result = lint.lint(subject({ scroe: 1 }, { creds }));
    assert.deepEqual(ids(result), []);
    assert.equal(result.fieldsNote, 'Linted with no field names (none recorded yet): no master key is known for this server to read the schema.');
    const records = workerRecords();
    lint.receive([records.event('create', 'k', { className: 'Game', objectId: 'a', score: 1 })]);
    const seen = lint.lint(subject({ scroe: 1 }, { creds }));
    assert.deepEqual(ids(seen), ['warning where-unknown-field']);
    assert.match(seen.findings[0]!.message, /per 1 recorded Game object\)/);
    assert.match(seen.fieldsNote, /^Linted with field names seen in 1 recorded Game object: no master key is known/);
  });

  it('a failed schema read lints without it and says why', async () => {
    const { rest, lint } = await setup();
    rest.schemas.set('Game', new RestError('unauthorized (code 403)', 403));
    lint.ensureSchema(withKey, 'Game');
    await settle();
    const result = lint.lint(subject({ scroe: 1 }, { creds: withKey }));
    assert.deepEqual(ids(result), []);
    assert.equal(result.fieldsNote, 'The schema could not be read (unauthorized (code 403)); linted with no field names (none recorded yet).');
  });

  it('a class the server does not have is a finding', async () => {
    const { rest, lint } = await setup();
    rest.schemas.set('Game', { source: 'no-class' });
    lint.ensureSchema(withKey, 'Game');
    await settle();
    assert.deepEqual(ids(lint.lint(subject({}, { creds: withKey }))), ['warning class-unknown']);
  });

  it('fields recorded after the schema was read count as existing', async () => {
    const { rest, lint } = await setup();
    rest.schemas.set('Game', { source: 'schema', types: { score: 'Number' } });
    lint.ensureSchema(withKey, 'Game');
    await settle();
    lint.receive([workerRecords().event('update', 'k', { className: 'Game', objectId: 'a', level: 2 })]);
    assert.deepEqual(ids(lint.lint(subject({ level: 2 }, { creds: withKey }))), []);
  });

  it('passes the token situation on: a null subscription token is refused', async () => {
    const { lint } = await setup();
    assert.deepEqual(ids(lint.lint(subject({}, { sessionToken: null }))), ['refused null-session-token']);
    assert.deepEqual(ids(lint.lint(subject({}, { sessionToken: 'r:a', connectionToken: 'r:b' }))), ['warning token-differs']);
  });

  it('says the rules are loading until their chunk arrives (no findings that would read as clean), then lints', async () => {
    const lint = createLintStore({ rest: fakeRest() });
    const first = lint.lint(subject({}, { sessionToken: null }));
    assert.deepEqual(first.rulesNotReady, { state: 'loading', message: 'Loading the lint rules…' });
    assert.deepEqual(first.findings, []);
    await lint.rulesLoaded();
    const linted = lint.lint(subject({}, { sessionToken: null }));
    assert.equal(linted.rulesNotReady, undefined);
    assert.equal(linted.worst, 'refused');
  });

  it('a rules chunk that fails to load is a clear message, not a clean result', async () => {
    const lint = createLintStore({ rest: fakeRest(), importRules: () => Promise.reject(new TypeError('Failed to fetch dynamically imported module')) });
    lint.lint(subject({}));
    await assert.rejects(lint.rulesLoaded(), /Could not load the lint rules: Failed to fetch dynamically imported module/);
    const result = lint.lint(subject({}));
    assert.equal(result.rulesNotReady?.state, 'failed');
    assert.match(result.rulesNotReady?.message ?? '', /^Could not load the lint rules: .*close and reopen DevTools\.$/);
  });

  it('samples at most FIELD_SAMPLE_PER_CLASS events per class, and skips frames it cannot read', async () => {
    const { lint } = await setup();
    const records = workerRecords();
    const many = Array.from({ length: FIELD_SAMPLE_PER_CLASS + 5 }, (_, i) => records.event('create', 'k', { className: 'Game', objectId: `o${i}`, [`f${i}`]: 1 }));
    lint.receive([...many, { ...records.event('create', 'k', { className: 'Game', objectId: 'x' }), raw: '{not json' }]);
    const note = lint.lint(subject({})).fieldsNote;
    assert.match(note, new RegExp(`seen in ${FIELD_SAMPLE_PER_CLASS} recorded Game objects`));
    assert.deepEqual(ids(lint.lint(subject({ [`f${FIELD_SAMPLE_PER_CLASS}`]: 1 }))), ['warning where-unknown-field'], 'fields of unsampled events are not known');
  });
});

describe('lint subjects of rows', () => {
  const server: ServerView = {
    id: 's1',
    spec: { serverURL: 'wss://app.test/parse', applicationId: 'app', javascriptKey: 'js', masterKey: 'mk', sessionToken: 'r:conn' },
    enabled: true,
    state: 'connected',
    attempt: 0,
    subscriptions: [{ id: 'a', query: { className: 'Game', where: {} }, sessionToken: 'r:own', state: 'subscribed', counts: emptyCounts() }],
  };
  const socket = (extra: Partial<PageSocketView> = {}): PageSocketView => ({
    id: 'p1',
    frameId: 0,
    frameUrl: 'https://app.test/',
    generation: 1,
    url: 'wss://app.test/parse?x=1',
    state: 'open',
    applicationId: 'app',
    subscriptions: [{ requestId: 1, query: { className: 'Game', where: {} }, nullSessionToken: true, state: 'error', counts: emptyCounts() }],
    ...extra,
  });

  it('a panel subscription: its token, the connection\'s, and the server entry\'s keys', () => {
    assert.deepEqual(panelLintSubject(server, server.subscriptions[0]!), {
      query: { className: 'Game', where: {} },
      creds: { restURL: 'https://app.test/parse', applicationId: 'app', javascriptKey: 'js', masterKey: 'mk' },
      sessionToken: 'r:own',
      connectionToken: 'r:conn',
    });
  });

  it('a page subscription: null tokens stay null; the schema is read with a matching server entry\'s master key', async () => {
    const page = socket({ nullSessionToken: true });
    const subject = pageLintSubject(page, page.subscriptions[0]!, [server]);
    assert.equal(subject.sessionToken, null);
    assert.equal(subject.connectionToken, null);
    assert.deepEqual(subject.creds, { restURL: 'https://app.test/parse', applicationId: 'app', javascriptKey: 'js', masterKey: 'mk' });
    const { lint } = await setup();
    assert.deepEqual(ids(lint.lint(subject)), ['refused null-session-token', 'refused null-connection-token']);
  });

  it('a page subscription on an unknown server: its own keys and the REST URL derived from its socket', () => {
    const page = socket({ sessionToken: 'r:page', javascriptKey: 'pjs', url: 'wss://other.test/lq' });
    page.subscriptions[0] = { ...page.subscriptions[0]!, nullSessionToken: undefined, sessionToken: 'r:page' };
    const subject = pageLintSubject(page, page.subscriptions[0]!, [server]);
    assert.deepEqual(subject, {
      query: { className: 'Game', where: {} },
      sessionToken: 'r:page',
      connectionToken: 'r:page',
      creds: { restURL: 'https://other.test/lq', applicationId: 'app', javascriptKey: 'pjs', masterKey: undefined },
    });
  });
});
