// The demo app: a small real Parse app (browser SDK) whose buttons create, update, share and delete Messages.

interface ParseObjectLike {
  id: string;
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  increment(key: string): void;
  save(): Promise<ParseObjectLike>;
  destroy(): Promise<unknown>;
  getACL(): ParseACLLike | undefined;
  setACL(acl: ParseACLLike): void;
}
interface ParseACLLike {
  setReadAccess(userOrId: string, allowed: boolean): void;
  setWriteAccess(userOrId: string, allowed: boolean): void;
  setPublicReadAccess(allowed: boolean): void;
  getPublicReadAccess(): boolean;
  toJSON(): Record<string, { read?: boolean; write?: boolean }>;
}
interface ParseUserLike extends ParseObjectLike {
  getUsername(): string;
}
interface ParseSubscriptionLike {
  on(event: string, listener: (...args: unknown[]) => void): void;
}
interface ParseGlobal {
  initialize(appId: string, jsKey?: string): void;
  serverURL: string;
  liveQueryServerURL: string;
  Object: { extend(className: string): new () => ParseObjectLike };
  ACL: new (user?: ParseUserLike) => ParseACLLike;
  User: {
    current(): ParseUserLike | undefined;
    logIn(username: string, password: string): Promise<ParseUserLike>;
    signUp(username: string, password: string): Promise<ParseUserLike>;
    logOut(): Promise<unknown>;
  };
  Query: new (className: string) => {
    descending(key: string): unknown;
    limit(n: number): unknown;
    find(): Promise<ParseObjectLike[]>;
    subscribe(sessionToken?: string): Promise<ParseSubscriptionLike>;
  };
  LiveQuery: { close(): Promise<unknown> };
}

declare const Parse: ParseGlobal;
declare const DEMO_CONFIG: { serverURL: string; liveQueryServerURL: string; applicationId: string; javascriptKey: string };

const PASSWORD = 'demo-password';
const Message = Parse.Object.extend('Message');
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

Parse.initialize(DEMO_CONFIG.applicationId, DEMO_CONFIG.javascriptKey);
Parse.serverURL = DEMO_CONFIG.serverURL;
Parse.liveQueryServerURL = DEMO_CONFIG.liveQueryServerURL;
$('server-url').textContent = DEMO_CONFIG.serverURL;

function log(text: string): void {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  $('events').prepend(item);
}

async function logInAs(username: string): Promise<void> {
  try {
    await Parse.User.logIn(username, PASSWORD);
  } catch {
    await Parse.User.signUp(username, PASSWORD);
  }
  await refresh();
}

function readers(message: ParseObjectLike): string {
  const acl = message.getACL();
  if (!acl) return 'everyone';
  const json = acl.toJSON();
  return Object.keys(json)
    .filter((k) => json[k]?.read)
    .map((k) => (k === '*' ? 'everyone' : k))
    .join(', ');
}

async function refresh(): Promise<void> {
  const user = Parse.User.current();
  $('current-user').textContent = user ? user.getUsername() : 'nobody';
  const query = new Parse.Query('Message');
  query.descending('createdAt');
  query.limit(50);
  const messages = await query.find();
  const body = $('messages');
  body.replaceChildren();
  for (const message of messages) {
    const row = document.createElement('tr');
    const cells = [message.id, String(message.get('text') ?? ''), String(message.get('likes') ?? 0), String(message.get('owner') ?? ''), readers(message)];
    for (const text of cells) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    const actions = document.createElement('td');
    const button = (label: string, action: () => Promise<unknown>) => {
      const b = document.createElement('button');
      b.textContent = label;
      b.dataset.action = label;
      b.onclick = () => void action().then(refresh, (e: Error) => alert(e.message));
      actions.append(b);
    };
    button('Like', () => {
      message.increment('likes');
      return message.save();
    });
    button('Toggle public', () => {
      const acl = message.getACL() ?? new Parse.ACL();
      acl.setPublicReadAccess(!acl.getPublicReadAccess());
      message.setACL(acl);
      return message.save();
    });
    button('Delete', () => message.destroy());
    row.append(actions);
    body.append(row);
  }
}

$('create-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const message = new Message();
  message.set('text', $<HTMLInputElement>('text').value);
  message.set('likes', 0);
  const user = Parse.User.current();
  if (user) message.set('owner', user.getUsername());
  if ($<HTMLInputElement>('private').checked && user) message.setACL(new Parse.ACL(user));
  void message.save().then(refresh, (e: Error) => alert(e.message));
});
$('login-alice').onclick = () => void logInAs('alice');
$('login-bob').onclick = () => void logInAs('bob');
$('logout').onclick = () => void Parse.User.logOut().then(refresh);

async function subscribe(): Promise<void> {
  const subscription = await new Parse.Query('Message').subscribe();
  for (const event of ['open', 'create', 'update', 'enter', 'leave', 'delete', 'close', 'error']) {
    subscription.on(event, (object: unknown) => {
      const id = (object as { id?: string } | undefined)?.id;
      log(`${event}${id ? ` ${id}` : ''}`);
      if (event !== 'open' && event !== 'close') void refresh();
    });
  }
}

void refresh();
void subscribe();
