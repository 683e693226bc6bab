// Masks secrets in the texts the service worker shows (record summaries, server and subscription errors): an endpoint
// that echoes the connect frame, or an error that quotes a key, must not put a master key on screen. Raw frames keep
// their text (the panel masks them until the user reveals them; exports redact them).

import type { Marker } from '../src/timeline/record.js';
import { Redactor } from '../src/timeline/redact.js';

export class SecretMasker {
  private redactor = new Redactor();
  private signature = '';

  /** `secrets`: the keys and tokens known now (servers' keys, subscription and page tokens), read at each use. */
  constructor(private readonly secrets: () => Iterable<string | undefined>) {}

  text(text: string): string {
    return this.current().text(text);
  }

  /** A marker's texts (close reasons, errors, URLs) masked; its shape unchanged. */
  marker(marker: Marker): Marker {
    return this.current().marker(marker);
  }

  private current(): Redactor {
    const known = [...this.secrets()].filter((s): s is string => typeof s === 'string' && s.length > 0);
    const signature = known.join('\u0000');
    if (signature !== this.signature) {
      this.signature = signature;
      this.redactor = new Redactor(known);
    }
    return this.redactor;
  }
}
