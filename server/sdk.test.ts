// Integration: the real Parse JS SDK (parse 8.6.2, Node build) against the embedded server, REST and LiveQuery.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Parse from 'parse/node';
import WebSocket from 'ws';
import { startEmbeddedServer, type EmbeddedServer } from './index.js';

type LiveClient = InstanceType<typeof Parse.LiveQueryClient>;
type Sub = NonNullable<Awaited<ReturnType<LiveClient['subscribe']>>>;

interface Received {
  op: string;
  id: string | undefined;
  name: unknown;
  originalName?: unknown;
}

/** Records a subscription's data events and lets a test wait for the n-th one. */
function record(subscription: Sub | undefined): { events: Received[]; waitFor(count: number, timeoutMs?: number): Promise<Received[]> } {
  if (!subscription) throw new Error('subscribe() returned no subscription');
  const events: Received[] = [];
  const waiters: (() => void)[] = [];
  const push = (op: string, object: Parse.Object, original?: Parse.Object) => {
    events.push({ op, id: object.id, name: object.get('name'), ...(original && original instanceof Parse.Object ? { originalName: original.get('name') } : {}) });
    waiters.splice(0).forEach((wake) => wake());
  };
  for (const op of ['create', 'delete']) subscription.on(op, (object: Parse.Object) => push(op, object));
  for (const op of ['update', 'enter', 'leave']) subscription.on(op, (object: Parse.Object, original: Parse.Object) => push(op, object, original));
  return {
    events,
    async waitFor(count, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} events, got ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return events.slice(0, count);
    },
  };
}

describe('Parse JS SDK against the embedded server', () => {
  let server: EmbeddedServer;
  const liveClients: LiveClient[] = [];

  before(async () => {
    server = await startEmbeddedServer();
    Parse.initialize(server.applicationId, server.javascriptKey);
    Parse.serverURL = server.restURL;
    Parse.CoreManager.setWebSocketController(WebSocket as unknown as Parameters<typeof Parse.CoreManager.setWebSocketController>[0]);
    Parse.User.enableUnsafeCurrentUser();
  });
  after(async () => {
    await Promise.all(liveClients.map((client) => client.close()));
    await server.stop();
  });

  function liveClient(sessionToken?: string): LiveClient {
    const client = new Parse.LiveQueryClient({
      applicationId: server.applicationId,
      serverURL: server.liveQueryURL,
      javascriptKey: server.javascriptKey,
      sessionToken,
    });
    liveClients.push(client);
    client.open();
    return client;
  }

  it('two users, a private object: the owner gets create, update and delete; the other user gets only what becomes readable', async () => {
    const suffix = Date.now().toString(36);
    const bob = await Parse.User.signUp(`bob_${suffix}`, 'pw-bob', {});
    const bobToken = bob.getSessionToken() ?? undefined;
    const alice = await Parse.User.signUp(`alice_${suffix}`, 'pw-alice', {});
    const aliceToken = alice.getSessionToken() ?? undefined;
    assert.match(String(aliceToken), /^r:/);

    const query = new Parse.Query('Message').equalTo('room', suffix);
    const aliceSubscription = await liveClient(aliceToken).subscribe(query, aliceToken);
    const bobSubscription = await liveClient(bobToken).subscribe(query, bobToken);
    // Writes start once the server confirmed both subscriptions (the SDK's 'open'), not after a guessed delay.
    await Promise.all([aliceSubscription, bobSubscription].map((s) => new Promise((resolve) => s?.on('open', resolve))));
    const aliceEvents = record(aliceSubscription);
    const bobEvents = record(bobSubscription);

    const message = new Parse.Object('Message');
    message.set({ room: suffix, name: 'first' });
    message.setACL(new Parse.ACL(alice));
    await message.save();
    message.set('name', 'second');
    await message.save();

    const shared = new Parse.ACL(alice);
    shared.setReadAccess(bob.id as string, true);
    message.setACL(shared);
    message.set('name', 'third');
    await message.save();
    await message.destroy();

    assert.deepEqual(await aliceEvents.waitFor(4), [
      { op: 'create', id: message.id, name: 'first' },
      { op: 'update', id: message.id, name: 'second', originalName: 'first' },
      { op: 'update', id: message.id, name: 'third', originalName: 'second' },
      { op: 'delete', id: message.id, name: 'third' },
    ]);
    // Bob could not read 'second', so his enter carries no original.
    assert.deepEqual(await bobEvents.waitFor(2), [
      { op: 'enter', id: message.id, name: 'third' },
      { op: 'delete', id: message.id, name: 'third' },
    ]);
  });

  it('REST through the SDK: queries, counts, increments, login and the current user', async () => {
    const suffix = Date.now().toString(36);
    const user = await Parse.User.signUp(`carol_${suffix}`, 'pw', {});
    for (const score of [3, 1, 2]) await new Parse.Object('Game').save({ run: suffix, score });
    const games = await new Parse.Query('Game').equalTo('run', suffix).ascending('score').find();
    assert.deepEqual(games.map((g) => g.get('score')), [1, 2, 3]);
    assert.equal(await new Parse.Query('Game').equalTo('run', suffix).greaterThan('score', 1).count(), 2);
    games[0].increment('score', 10);
    await games[0].save();
    assert.equal(games[0].get('score'), 11);
    await Parse.User.logOut();
    const again = await Parse.User.logIn(`carol_${suffix}`, 'pw');
    assert.equal(again.id, user.id);
    const me = await Parse.User.me(String(again.getSessionToken()));
    assert.equal(me.get('username'), `carol_${suffix}`);
    await assert.rejects(Parse.User.logIn(`carol_${suffix}`, 'wrong'), (error: Parse.Error) => error.code === 101);
  });

  it('Parse.Query#subscribe uses the default LiveQuery client and its events', async () => {
    const suffix = Date.now().toString(36);
    const subscription = await new Parse.Query('Item').equalTo('run', suffix).subscribe();
    const events = record(subscription);
    const item = await new Parse.Object('Item').save({ run: suffix, name: 'x' });
    assert.deepEqual(await events.waitFor(1), [{ op: 'create', id: item.id, name: 'x' }]);
    await Parse.LiveQuery.close();
  });
});
