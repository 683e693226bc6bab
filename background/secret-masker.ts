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
    let index = 0;
    let changed = false;
    for (const secret of this.secrets()) {
      if (typeof secret !== 'string' || secret.length === 0) continue;
      if (this.known[index++] !== secret) {
        changed = true;
        break;
      }
    }
    if (changed || index !== this.known.length) {
      this.known = [...this.secrets()].filter((s): s is string => typeof s === 'string' && s.length > 0);
      this.redactor = new Redactor(this.known);
    }
    return this.redactor;
  }
}
