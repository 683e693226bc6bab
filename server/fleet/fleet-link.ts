// Joins a LiveQuery server to a Redis fleet: reads Parse's channel messages and hands them to the server in order,
// fetching the session tokens and roles an event needs first; publishes the embedded stack's own writes; counts
// what it got and what it refused, for /health.

import type { LiveQueryServer } from '../livequery.js';
import { aclMentionsRoles, readAccess } from '../../src/livequery-rules/read-access.js';
import { decodeMessage, encodeDelete, encodeSave, type ChannelKind, type FleetMessage } from './channel-messages.js';
import { RedisChannels, type RedisConnectionHealth } from './redis-channels.js';

type Bag = Record<string, unknown>;

export interface FleetLinkOptions {
  redisURL: string;
  appId: string;
  liveQuery: LiveQueryServer;
  log: (line: string) => void;
  /** Also publish (the embedded stack's writes go out through Redis and come back like everybody's). */
  publish: boolean;
  /** Fetches what an event's decision needs (tokens, roles); null when the cache already has it. */
  prepareAuth?: (tokens: Iterable<string>, roles: boolean) => Promise<void> | null;
  /** `clearCache {userId}`. */
  clearUser?: (userId: string) => void | Promise<void>;
}

export interface FleetMessageCounts {
  received: number;
  /** afterSave / afterDelete handed to the LiveQuery server. */
  applied: number;
  /** Not JSON, not Parse's format, or failed while applied. */
  rejected: number;
  lastRejected?: { at: string; channel: string; problem: string };
}

export interface FleetLinkHealth {
  redis: { url: string; subscriber: RedisConnectionHealth; publisher?: RedisConnectionHealth };
  messages: FleetMessageCounts;
}

/** Readers without any token see an object with this ACL (no ACL or public read). */
const isPublic = (object: Bag | null): boolean => !object || readAccess(object.ACL, {}).readable;
const mentionsRoles = (object: Bag | null): boolean =>
  !!object && typeof object.ACL === 'object' && object.ACL !== null && aclMentionsRoles(object.ACL as Bag);

export class FleetLink {
  private readonly channels: RedisChannels;
  private readonly queue: FleetMessage[] = [];
  private draining = false;
  private readonly counts: FleetMessageCounts = { received: 0, applied: 0, rejected: 0 };
  /** A rejection is logged unless it repeats the previous one: a flood of the same foreign message is one line. */
  private lastLoggedProblem = '';

  constructor(private readonly options: FleetLinkOptions) {
    this.channels = new RedisChannels({
      url: options.redisURL,
      appId: options.appId,
      log: options.log,
      publish: options.publish,
      onMessage: (kind, text) => this.onMessage(kind, text),
    });
  }

  start(): void {
    this.channels.start();
  }

  publishSave(current: Bag, original: Bag | null): void {
    this.channels.publish('afterSave', encodeSave(current, original));
  }

  publishDelete(object: Bag): void {
    this.channels.publish('afterDelete', encodeDelete(object));
  }

  health(): FleetLinkHealth {
    return { redis: this.channels.health(), messages: { ...this.counts } };
  }

  /** Everything connected and subscribed. */
  get redisReady(): boolean {
    const { subscriber, publisher } = this.channels.health();
    return subscriber.state === 'ready' && (!publisher || publisher.state === 'ready');
  }

  close(): Promise<void> {
    return this.channels.close();
  }

  private reject(kind: ChannelKind, problem: string): void {
    this.counts.rejected++;
    this.counts.lastRejected = { at: new Date().toISOString(), channel: kind, problem };
    const key = `${kind}:${problem.slice(0, 60)}`;
    if (key !== this.lastLoggedProblem) this.options.log(`redis message on ${this.options.appId}${kind} ignored: ${problem}`);
    this.lastLoggedProblem = key;
  }

  private onMessage(kind: ChannelKind, text: string): void {
    this.counts.received++;
    const decoded = decodeMessage(kind, text);
    if (!decoded.ok) {
      this.reject(kind, decoded.problem);
      return;
    }
    const message = decoded.message;
    if (message.kind === 'clearCache') {
      void Promise.resolve(this.options.clearUser?.(message.userId)).catch(() => undefined);
      return;
    }
    this.queue.push(message);
    if (!this.draining) void this.drain();
  }

  /** Applies queued messages in arrival order; runs synchronously while no REST lookup is needed. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let message = this.queue.shift(); message; message = this.queue.shift()) {
        const wait = this.prepare(message);
        if (wait) await wait;
        this.apply(message);
      }
    } finally {
      this.draining = false;
    }
  }

  private prepare(message: FleetMessage): Promise<void> | null {
    const { prepareAuth } = this.options;
    if (!prepareAuth || message.kind === 'clearCache') return null;
    const [current, original] = message.kind === 'afterSave' ? [message.current, message.original] : [message.object, null];
    const className = String(current.className);
    // Tokens matter for a non-public ACL (who may read) and for _User rows (whose own protected fields are shown).
    if (isPublic(current) && isPublic(original) && className !== '_User') return null;
    const tokens = this.options.liveQuery.tokensFor(className);
    if (tokens.size === 0) return null;
    return prepareAuth(tokens, mentionsRoles(current) || mentionsRoles(original));
  }

  private apply(message: FleetMessage): void {
    try {
      if (message.kind === 'afterSave') this.options.liveQuery.publishSave(message.current, message.original);
      else if (message.kind === 'afterDelete') this.options.liveQuery.publishDelete(message.object);
      this.counts.applied++;
    } catch (error) {
      this.reject(message.kind, `failed while delivering: ${(error as Error).message}`);
    }
  }
}
