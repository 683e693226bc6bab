// Random identifiers in Parse's formats: 10-character objectIds and `r:<32 hex>` session tokens.

import { randomBytes, randomInt } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function newObjectId(): string {
  let id = '';
  for (let i = 0; i < 10; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

export function newSessionToken(): string {
  return `r:${randomBytes(16).toString('hex')}`;
}
