// Test helpers: in-memory adapters (port, storage, REST, inspected page), a manual frame clock and record builders.

import type { KnownFields } from '../../src/lint/index.js';
import type { EventOp, ParseJSON } from '../../src/livequery/protocol.js';
import type { TimelineRecord } from '../../src/timeline/record.js';
import { recordFactory } from '../../src/timeline/test-records.js';
import type { InspectedPage, PageUser } from '../adapters/inspected-page.js';
import type { Command, Hello, PanelNotice, PanelPort, WorkerMessage } from '../adapters/port.js';
import { RestError, type FoundObjects, type LoggedInUser, type RestClient, type RestCredentials, type TokenOwner } from '../../src/parse-rest/rest-client.js';
import type { StorageArea } from '../adapters/storage.js';
import type { ServerView } from '../../src/views.js';

export interface FakePort extends PanelPort {
  commands: Command[];
  sent: PanelNotice[];
  /** What the store says at each (re)connect, once it connected. */
  hello?: () => Hello;
  /** The service worker's answer to the next command: undefined applies it, a string fails with that message. */
  nextError?: string;
  emit(message: WorkerMessage): void;
  setStatus(connected: boolean): void;
}

export function fakePort(): FakePort {
  const messageListeners: ((message: WorkerMessage) => void)[] = [];
  const statusListeners: ((connected: boolean) => void)[] = [];
  const port: FakePort = {
    commands: [],
    sent: [],
    connect(hello) {
      port.hello = hello;
    },
    run(command) {
      port.commands.push(command);
      const error = port.nextError;
      port.nextError = undefined;
      return error === undefined ? Promise.resolve() : Promise.reject(new Error(error));
    },
    send(message) {
      port.sent.push(message);
    },
    onMessage(listener) {
      messageListeners.push(listener);
    },
    onStatus(listener) {
      statusListeners.push(listener);
    },
    emit(message) {
      messageListeners.forEach((listener) => listener(message));
    },
    setStatus(connected) {
      statusListeners.forEach((listener) => listener(connected));
    },
  };
  return port;
}

export function memoryStorage(initial: Record<string, unknown> = {}) {
  const items = new Map(Object.entries(initial));
  const storage = {
    items,
    /** Makes every call reject, as a missing storage area does. */
    broken: false,
    async get(keys: readonly string[]) {
      if (storage.broken) throw new Error('no storage');
      return Object.fromEntries(keys.filter((k) => items.has(k)).map((k) => [k, structuredClone(items.get(k))]));
    },
    async set(values: Record<string, unknown>) {
      if (storage.broken) throw new Error('no storage');
      for (const [k, v] of Object.entries(values)) items.set(k, structuredClone(v));
    },
    async remove(keys: readonly string[]) {
      if (storage.broken) throw new Error('no storage');
      for (const k of keys) items.delete(k);
    },
  } satisfies StorageArea & Record<string, unknown>;
  return storage;
}

/** Lets pending promise callbacks (storage writes, awaited adapters) run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface FakeRest extends RestClient {
  calls: { creds: RestCredentials; what: string }[];
  /** What a login answers (the username is the one asked for). */
  user: LoggedInUser | Error;
  /** What `/users/me` answers, per session token (a token not listed is refused with code 209). */
  owners: Map<string, TokenOwner | Error>;
  /** Objects `getObject` answers, by `<className>/<objectId>`; an Error is thrown as it is. */
  objects: Map<string, Record<string, unknown> | Error>;
  /** `_Role`s: `users` hold user ids, `roles` the ids of the roles it contains (whose users inherit it). */
  roles: { objectId: string; name: string; users: string[]; roles: string[] }[];
  /** Class-level permissions by class (`classPermissions` refuses without the master key, as Parse does). */
  permissions: Map<string, Record<string, unknown> | Error>;
  /** Thrown by every role lookup when set. */
  roleError?: Error;
  /** Answers the oldest query still waiting (`more`: more objects match than it asked for). */
  answer(results: Record<string, unknown>[], more?: boolean): void;
  /** Fails the oldest query still waiting. */
  fail(error: Error): void;
  /** What `/schemas/<class>` answers, per class (a class not listed fails as the server would without the key). */
  schemas: Map<string, KnownFields | Error>;
  /** Objects created, saved and deleted, in order (`create Class {json}`, `update Class id {json}`, `delete Class id`). */
  writes: string[];
  /** What the next create, update or delete does: fail with this error (once). */
  nextWriteError?: Error;
}

/** A REST client whose queries wait until the test answers them (to have events arrive while one runs). */
export function fakeRest(): FakeRest {
  const pending: { resolve: (found: FoundObjects) => void; reject: (error: Error) => void }[] = [];
  const failWrite = () => {
    const error = rest.nextWriteError;
    rest.nextWriteError = undefined;
    if (error) throw error;
  };
  const rest: FakeRest = {
    calls: [],
    user: { sessionToken: 'r:login', objectId: 'u1', username: 'alice' },
    owners: new Map(),
    schemas: new Map(),
    async schema(creds, className) {
      rest.calls.push({ creds, what: `schema ${className}` });
      const answer = rest.schemas.get(className) ?? new RestError('unauthorized (code 403)', 403);
      if (answer instanceof Error) throw answer;
      return answer;
    },
    objects: new Map(),
    roles: [],
    permissions: new Map(),
    async classPermissions(creds, className) {
      rest.calls.push({ creds, what: `schema ${className}` });
      if (!creds.masterKey) throw new RestError('unauthorized: master key is required (code 403)', 403);
      const schema = rest.permissions.get(className);
      if (schema instanceof Error) throw schema;
      return schema;
    },
    async getObject(creds, className, objectId) {
      rest.calls.push({ creds, what: `get ${className}/${objectId}${creds.masterKey ? ' (master)' : ''}` });
      const object = rest.objects.get(`${className}/${objectId}`);
      if (object instanceof Error) throw object;
      if (object && (creds.masterKey || readableBy(object, creds.sessionToken))) return structuredClone(object);
      throw new RestError('Object not found. (code 101)', 404, 101);
    },
    async rolesWithUser(creds, userId) {
      rest.calls.push({ creds, what: `roles of user ${userId}` });
      if (rest.roleError) throw rest.roleError;
      return rest.roles.filter((r) => r.users.includes(userId)).map(({ objectId, name }) => ({ objectId, name }));
    },
    async rolesContaining(creds, roleIds) {
      rest.calls.push({ creds, what: `roles containing ${roleIds.join(',')}` });
      if (rest.roleError) throw rest.roleError;
      return rest.roles.filter((r) => r.roles.some((id) => roleIds.includes(id))).map(({ objectId, name }) => ({ objectId, name }));
    },
    async me(creds) {
      rest.calls.push({ creds, what: `me ${creds.sessionToken ?? ''}` });
      const owner = rest.owners.get(creds.sessionToken ?? '') ?? new RestError('Invalid session token (code 209)', 400, 209);
      if (owner instanceof Error) throw owner;
      return owner;
    },
    async logIn(creds, username, password) {
      rest.calls.push({ creds, what: `login ${username}/${password}` });
      if (rest.user instanceof Error) throw rest.user;
      return { ...rest.user, username };
    },
    find(creds, className, where, { max }) {
      rest.calls.push({ creds, what: `find ${className} ${JSON.stringify(where)} max ${max}` });
      return new Promise((resolve, reject) => pending.push({ resolve, reject }));
    },
    writes: [],
    async createObject(_creds, className, fields) {
      rest.writes.push(`create ${className} ${JSON.stringify(fields)}`);
      failWrite();
      return { objectId: `new${rest.writes.length}` };
    },
    async updateObject(_creds, className, objectId, fields) {
      rest.writes.push(`update ${className} ${objectId} ${JSON.stringify(fields)}`);
      failWrite();
    },
    async deleteObject(_creds, className, objectId) {
      rest.writes.push(`delete ${className} ${objectId}`);
      failWrite();
    },
    answer(results, more = false) {
      pending.shift()!.resolve({ results, more });
    },
    fail(error) {
      pending.shift()!.reject(error);
    },
  };
  /** Public objects, and those whose ACL names the token's user (roles are not modelled here). */
  function readableBy(object: Record<string, unknown>, token: string | undefined): boolean {
    const acl = object.ACL as Record<string, { read?: boolean }> | undefined;
    if (!acl || acl['*']?.read) return true;
    const owner = rest.owners.get(token ?? '');
    return !!owner && !(owner instanceof Error) && !!acl[owner.objectId]?.read;
  }
  return rest;
}

export function fakePage(user: PageUser | Error): InspectedPage {
  return { currentUser: async () => (user instanceof Error ? Promise.reject(user) : user) };
}

/** requestAnimationFrame by hand: callbacks wait until the test calls `flush`. */
export function manualFrames() {
  let queue: (() => void)[] = [];
  return {
    nextFrame(callback: () => void) {
      queue.push(callback);
    },
    get pending() {
      return queue.length;
    },
    flush() {
      const run = queue;
      queue = [];
      run.forEach((callback) => callback());
    },
  };
}

/** Records as the service worker sends them: numbered in one epoch, with frames as raw text. */
export function workerRecords(epoch = 'epoch-1') {
  const factory = recordFactory();
  const rec = (partial: Partial<TimelineRecord> & Pick<TimelineRecord, 'kind'>) => ({ ...factory.rec(partial), epoch });
  return {
    rec,
    /** A received event frame of a subscription. */
    event(op: EventOp, subscriptionKey: string, object: ParseJSON): TimelineRecord {
      return rec({
        kind: op,
        label: op,
        subscriptionKey,
        requestId: 1,
        className: typeof object.className === 'string' ? object.className : undefined,
        objectId: typeof object.objectId === 'string' ? object.objectId : undefined,
        raw: JSON.stringify({ op, clientId: 'c', requestId: 1, object }),
      });
    },
    /** The record the service worker writes for a new page load of the tab. */
    pageLoad(generation: number): TimelineRecord {
      return rec({
        kind: 'connection',
        label: 'navigated',
        source: { type: 'document', frameId: 0 },
        marker: { type: 'navigated', url: 'https://app.test/', generation },
      });
    },
  };
}

/** A connected server as the service worker shows it (`url` and `app` for its spec). */
export function serverView(id: string, partial: Partial<ServerView> & { url?: string; app?: string } = {}): ServerView {
  const { url = 'ws://a.test/parse', app = 'app', ...rest } = partial;
  return { id, spec: { serverURL: url, applicationId: app }, enabled: true, state: 'connected', attempt: 0, subscriptions: [], ...rest };
}
