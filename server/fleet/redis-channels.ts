// The Redis side of a fleet node: subscribes to Parse's three LiveQuery channels, publishes the embedded stack's own
// writes, keeps a health state per connection and logs every change of it. node-redis reconnects with back-off and
// resubscribes by itself; this module only watches and reports.

import { createClient } from 'redis';
import { CHANNEL_KINDS, channelName, type ChannelKind } from './channel-messages.js';

export type RedisState = 'connecting' | 'ready' | 'reconnecting' | 'closed' | 'invalid-url';

export interface RedisConnectionHealth {
  state: RedisState;
  /** ISO time of the last state change. */
  since: string;
  /** Times the connection was lost since start. */
  disconnects: number;
  lastError?: string;
}

export interface RedisChannelsOptions {
  url: string;
  appId: string;
  log: (line: string) => void;
  onMessage: (kind: ChannelKind, text: string) => void;
  /** Also open a publishing connection (the embedded stack publishes its own writes). */
  publish?: boolean;
}

type Client = ReturnType<typeof createClient>;

/** redis://user:secret@host → redis://user:***@host: the URL goes into logs and /health. */
export function maskRedisURL(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

/** A problem with the URL itself, before any connection is tried. */
export function redisURLProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL (expected redis://host:port)`;
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') return `"${maskRedisURL(url)}" is not a redis:// or rediss:// URL`;
  return null;
}

class WatchedConnection {
  readonly health: RedisConnectionHealth = { state: 'connecting', since: new Date().toISOString(), disconnects: 0 };
  readonly client: Client;

  constructor(
    private readonly role: string,
    url: string,
    private readonly log: (line: string) => void,
  ) {
    this.client = createClient({ url });
    this.client.on('error', (error: Error) => this.onError(error));
    this.client.on('reconnecting', () => this.setState('reconnecting'));
    this.client.on('ready', () => this.setState('ready'));
    this.client.on('end', () => this.setState('closed'));
  }

  private onError(error: Error): void {
    const message = error.message || String(error);
    // One line per new error text: a Redis that stays down is not logged on every retry.
    if (message !== this.health.lastError) this.log(`redis ${this.role}: ${message}`);
    this.health.lastError = message;
  }

  private setState(state: RedisState): void {
    if (state === this.health.state) return;
    const previous = this.health.state;
    if (previous === 'ready' && state === 'reconnecting') this.health.disconnects++;
    this.health.state = state;
    this.health.since = new Date().toISOString();
    if (state === 'ready') {
      this.log(`redis ${this.role}: ready${previous === 'reconnecting' ? ` again (reconnected after losing the connection ${this.health.disconnects}×)` : ''}`);
      this.health.lastError = undefined;
    } else if (state === 'reconnecting' && previous === 'ready') {
      this.log(`redis ${this.role}: connection lost, reconnecting (clients stay connected)`);
    }
  }

  connect(): Promise<unknown> {
    return this.client.connect();
  }

  async close(): Promise<void> {
    // A client still trying its first connection has nothing to close gracefully.
    if (this.client.isReady) await this.client.close().catch(() => this.client.destroy());
    else if (this.client.isOpen) this.client.destroy();
    this.setState('closed');
  }
}

export class RedisChannels {
  private readonly subscriber: WatchedConnection | null = null;
  private readonly publisher: WatchedConnection | null = null;
  private readonly urlProblem: string | null;
  private readonly since = new Date().toISOString();

  constructor(private readonly options: RedisChannelsOptions) {
    this.urlProblem = redisURLProblem(options.url);
    if (this.urlProblem) {
      options.log(`redis: ${this.urlProblem}; this node gets no events until it is restarted with a valid --redis`);
      return;
    }
    this.subscriber = new WatchedConnection('subscriber', options.url, options.log);
    if (options.publish) this.publisher = new WatchedConnection('publisher', options.url, options.log);
  }

  get url(): string {
    return maskRedisURL(this.options.url);
  }

  /** Connects in the background (node-redis retries until Redis answers) and subscribes once connected. */
  start(): void {
    const { subscriber, publisher } = this;
    if (!subscriber) return;
    const channels = CHANNEL_KINDS.map((kind) => channelName(this.options.appId, kind));
    const byChannel = new Map(CHANNEL_KINDS.map((kind) => [channelName(this.options.appId, kind), kind] as const));
    subscriber
      .connect()
      .then(() =>
        subscriber.client.subscribe(channels, (message: string, channel: string) => {
          const kind = byChannel.get(channel);
          if (kind) this.options.onMessage(kind, message);
        }),
      )
      .then(() => this.options.log(`redis subscriber: subscribed to ${channels.join(', ')} on ${this.url}`))
      .catch((error: Error) => this.options.log(`redis subscriber: could not subscribe: ${error.message}`));
    publisher?.connect().catch((error: Error) => this.options.log(`redis publisher: could not connect: ${error.message}`));
  }

  /** Publishes on `<appId><kind>`; while Redis is down the message waits in node-redis' offline queue, as Parse's does. */
  publish(kind: ChannelKind, text: string): void {
    const publisher = this.publisher;
    if (!publisher) return;
    publisher.client.publish(channelName(this.options.appId, kind), text).catch((error: Error) => {
      this.options.log(`redis publisher: a ${kind} message was not published: ${error.message}`);
    });
  }

  health(): { url: string; subscriber: RedisConnectionHealth; publisher?: RedisConnectionHealth } {
    const invalid: RedisConnectionHealth = { state: 'invalid-url', since: this.since, disconnects: 0, lastError: this.urlProblem ?? undefined };
    return {
      url: this.url,
      subscriber: { ...(this.subscriber?.health ?? invalid) },
      ...(this.options.publish ? { publisher: { ...(this.publisher?.health ?? invalid) } } : {}),
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.subscriber?.close(), this.publisher?.close()]);
  }
}
