// The keyring's data (named session tokens per server) as the service worker keeps it and panels show it, with the
// guards for what crosses the panel port and what comes back from storage.

import { isPlainObject } from './livequery/protocol.js';

export interface TokenEntry {
  id: string;
  /** Which server the token belongs to: `<serverURL>|<applicationId>`. */
  serverKey: string;
  name: string;
  token: string;
  origin: 'pasted' | 'login' | 'page';
  username?: string;
  userId?: string;
}

/** The whole keyring: what every panel shows. */
export interface KeyringView {
  entries: TokenEntry[];
  /** Whether the tokens outlive the browser session ("Remember tokens"). */
  persisted: boolean;
}

/** Bounds on what a panel may add: far above real tokens (a Parse token is 34 characters, a JWT a few hundred). */
export const MAX_KEYRING_ENTRIES = 500;
const MAX_ID_CHARS = 64;
const MAX_NAME_CHARS = 200;
const MAX_TOKEN_CHARS = 8192;
const MAX_SERVER_KEY_CHARS = 8192 + 200;

export const serverKeyOf = (spec: { serverURL: string; applicationId: string }) => `${spec.serverURL}|${spec.applicationId}`;

const ORIGINS: readonly TokenEntry['origin'][] = ['pasted', 'login', 'page'];
const isBoundedString = (value: unknown, max: number): value is string => typeof value === 'string' && value.length <= max;
const isOptionalBoundedString = (value: unknown, max: number) => value === undefined || isBoundedString(value, max);

export function isTokenEntry(value: unknown): value is TokenEntry {
  return (
    isPlainObject(value) &&
    isBoundedString(value.id, MAX_ID_CHARS) &&
    value.id.length > 0 &&
    isBoundedString(value.serverKey, MAX_SERVER_KEY_CHARS) &&
    isBoundedString(value.name, MAX_NAME_CHARS) &&
    value.name.trim().length > 0 &&
    isBoundedString(value.token, MAX_TOKEN_CHARS) &&
    value.token.trim().length > 0 &&
    ORIGINS.includes(value.origin as TokenEntry['origin']) &&
    isOptionalBoundedString(value.username, MAX_NAME_CHARS) &&
    isOptionalBoundedString(value.userId, MAX_NAME_CHARS)
  );
}

export function isKeyringView(value: unknown): value is KeyringView {
  return (
    isPlainObject(value) &&
    typeof value.persisted === 'boolean' &&
    Array.isArray(value.entries) &&
    value.entries.length <= MAX_KEYRING_ENTRIES &&
    value.entries.every(isTokenEntry)
  );
}

/** The valid entries of a stored list (anything else is left out), or undefined when it is not a list. */
export function storedEntries(value: unknown): TokenEntry[] | undefined {
  return Array.isArray(value) ? value.filter(isTokenEntry).slice(0, MAX_KEYRING_ENTRIES) : undefined;
}

/** The keyring with `entry` added; an entry of the same server and name (or the same id) is replaced. */
export function withEntry(entries: readonly TokenEntry[], entry: TokenEntry): TokenEntry[] {
  const rest = entries.filter((e) => e.id !== entry.id && !(e.serverKey === entry.serverKey && e.name === entry.name));
  return [...rest, entry];
}
