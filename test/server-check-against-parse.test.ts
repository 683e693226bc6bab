// The panel's server check (panel/store/server-check.ts) and token radar verdicts (panel/store/token-radar.ts) against
// the real Parse Server 9.10 and the embedded server: each answer they judge (403 unauthorized for a wrong
// application id or JavaScript key, /serverInfo for the master key, a REST URL that is not Parse, an unreachable
// one; /users/me for a valid, logged-out or expired session) is what these servers really send.
// Run: `npx tsx scripts/run-tests.ts unit server-check-against`.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fetchRestClient } from '../src/parse-rest/rest-client.js';
import { fetchServerProbe } from '../panel/adapters/server-probe.js';
import { checkServer } from '../panel/store/server-check-rules.js';
import { classifyCheck } from '../panel/store/token-radar.js';
import * as rest from './harness/rest.js';
import type { LiveQueryTarget } from './harness/target.js';
import { startTarget, TARGET_KINDS } from './harness/targets.js';

const probe = fetchServerProbe();
const client = fetchRestClient();

/** An HTTP server that is not Parse: 404 with HTML for every path (as a web server or proxy answers). */
async function notParseServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(404, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>Not Found</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/parse`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on: a server opened on port 0 and closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

for (const kind of TARGET_KINDS) {
  describe(`server check and token radar against ${kind}`, () => {
    let target: LiveQueryTarget;
    let spec: { serverURL: string; restURL: string; applicationId: string; javascriptKey: string; masterKey: string };
    before(async () => {
      target = await startTarget(kind);
      spec = { serverURL: target.liveQueryURL, restURL: target.restURL, applicationId: target.applicationId, javascriptKey: target.javascriptKey, masterKey: target.masterKey };
    });
    after(() => target.stop());

    it('accepts the right application id, JavaScript key and master key', async () => {
      const verdict = await checkServer(spec, probe);
      assert.equal(verdict.problem, undefined, verdict.summary);
      assert.match(verdict.summary, /the master key too/);
      const withoutMaster = await checkServer({ ...spec, masterKey: undefined }, probe);
      assert.equal(withoutMaster.problem, undefined, withoutMaster.summary);
    });

    it('a wrong application id: 403 unauthorized even with the master key', async () => {
      const verdict = await checkServer({ ...spec, applicationId: 'not-the-app' }, probe);
      assert.equal(verdict.problem, 'wrongApplicationId', verdict.summary);
      const noMaster = await checkServer({ ...spec, applicationId: 'not-the-app', masterKey: undefined }, probe);
      assert.equal(noMaster.problem, 'applicationIdOrJavaScriptKey', noMaster.summary);
    });

    it('a wrong or missing JavaScript key: the master key opens /serverInfo, so the key is the culprit', async () => {
      const wrong = await checkServer({ ...spec, javascriptKey: 'not-the-key' }, probe);
      assert.equal(wrong.problem, 'wrongJavaScriptKey', wrong.summary);
      const missing = await checkServer({ ...spec, javascriptKey: undefined }, probe);
      assert.equal(missing.problem, 'wrongJavaScriptKey', missing.summary);
      assert.match(missing.summary, /needs a JavaScript key/);
      const noMaster = await checkServer({ ...spec, javascriptKey: 'not-the-key', masterKey: undefined }, probe);
      assert.equal(noMaster.problem, 'applicationIdOrJavaScriptKey', noMaster.summary);
    });

    it('a wrong master key: /serverInfo answers 403', async () => {
      const verdict = await checkServer({ ...spec, masterKey: 'not-the-master-key' }, probe);
      assert.equal(verdict.problem, 'wrongMasterKey', verdict.summary);
    });

    it('a REST URL that is not Parse, and one nothing answers', async () => {
      const html = await notParseServer();
      try {
        const verdict = await checkServer({ ...spec, restURL: html.url }, probe);
        assert.equal(verdict.problem, 'notParse', verdict.summary);
        assert.match(verdict.summary, /answered 404 without JSON/);
      } finally {
        await html.close();
      }
      // Parse's own host with a wrong path: Express answers 404 without JSON.
      const wrongPath = await checkServer({ ...spec, restURL: spec.restURL.replace(/\/parse$/, '/nothing-here') }, probe);
      assert.equal(wrongPath.problem, 'notParse', wrongPath.summary);
      const unreachable = await checkServer({ ...spec, restURL: `http://127.0.0.1:${await closedPort()}/parse` }, probe);
      assert.equal(unreachable.problem, 'unreachable', unreachable.summary);
    });

    it('token radar: a valid token names its user and expiry; a logged-out one is revoked (209); an unknown server is "could not check"', async () => {
      const user = await rest.signUp(target, `radar${Date.now().toString(36)}`, 'pw');
      const creds = { restURL: target.restURL, applicationId: target.applicationId, javascriptKey: target.javascriptKey, sessionToken: user.sessionToken };
      const now = Date.now();
      const valid = await client.me(creds).then((owner) => classifyCheck({ owner }, now), (error: unknown) => classifyCheck({ error }, now));
      assert.equal(valid.state, 'valid');
      assert.equal(valid.state === 'valid' && valid.owner.objectId, user.objectId);
      assert.equal(valid.state === 'valid' && valid.owner.username, user.username);
      assert.ok(valid.state === 'valid' && valid.owner.expiresAt && Date.parse(valid.owner.expiresAt) > now, 'the session says when it expires');

      await rest.logOut(target, user.sessionToken);
      const revoked = await client.me(creds).then((owner) => classifyCheck({ owner }, now), (error: unknown) => classifyCheck({ error }, now));
      assert.equal(revoked.state, 'revoked', JSON.stringify(revoked));

      const unreachable = await client
        .me({ ...creds, restURL: `http://127.0.0.1:${await closedPort()}/parse` })
        .then((owner) => classifyCheck({ owner }, now), (error: unknown) => classifyCheck({ error }, now));
      assert.equal(unreachable.state, 'unknown');
    });

    // Parse Server only: the embedded server answers an expired session as any invalid one ("Invalid session token").
    if (kind === 'parse-server') it('token radar: a session past its expiry is "expired" (Parse answers 209 "Session token is expired.")', async () => {
      const user = await rest.signUp(target, `expiry${Date.now().toString(36)}`, 'pw');
      const session = await rest.request(target, 'GET', '/sessions/me', undefined, { sessionToken: user.sessionToken });
      await rest.request(target, 'PUT', `/sessions/${String(session.objectId)}`, { expiresAt: { __type: 'Date', iso: '2020-01-01T00:00:00.000Z' } }, { useMasterKey: true });
      const creds = { restURL: target.restURL, applicationId: target.applicationId, javascriptKey: target.javascriptKey, sessionToken: user.sessionToken };
      const now = Date.now();
      const expired = await client.me(creds).then((owner) => classifyCheck({ owner }, now), (error: unknown) => classifyCheck({ error }, now));
      assert.equal(expired.state, 'expired', JSON.stringify(expired));
    });
  });
}
