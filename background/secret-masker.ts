// Masks secrets in the texts the service worker shows (record summaries, server and subscription errors): an endpoint
// that echoes the connect frame, or an error that quotes a key, must not put a master key on screen. Raw frames keep
// their text (the panel masks them until the user reveals them; exports redact them).

import type { Marker } from '../src/timeline/record.js';
import { Redactor } from '../src/timeline/redact.js';

export class SecretMasker {
  private redactor = new Redactor();
  /** The secrets the redactor was made from, in the order `secrets()` gave them. */
  private known: string[] = [];

  /** `secrets`: the keys and tokens known now (servers' keys, subscription and page tokens), read at each use. */
  constructor(private readonly secrets: () => Iterable<string | undefined>) {}

  text(text: string): string {
    return this.current().text(text);
  }

  /** A marker's texts (close reasons, errors, URLs) masked; its shape unchanged. */
  marker(marker: Marker): Marker {
    return this.current().marker(marker);
  }

  /** Runs for every record: compares the secrets with the last ones as it reads them, and copies only on a change. */
  private current(): Redactor {
    let same = 0;
    let fresh: string[] | undefined;
    for (const secret of this.secrets()) {
      if (typeof secret !== 'string' || secret.length === 0) continue;
      if (!fresh && this.known[same] === secret) same++;
      else (fresh ??= this.known.slice(0, same)).push(secret);
    }
    if (!fresh && same !== this.known.length) fresh = this.known.slice(0, same);
    if (fresh) {
      this.known = fresh;
      this.redactor = new Redactor(fresh);
    }
    return this.redactor;
  }
}
