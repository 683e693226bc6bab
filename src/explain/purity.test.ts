// The explainer and the rules it shares with the embedded server run in the panel: no Node built-ins, no packages,
// nothing outside src/.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = resolve(here, '..');

describe('src/explain, src/livequery-rules and src/lint are pure', () => {
  it('their modules import only relative paths inside src/', () => {
    const problems: string[] = [];
    for (const folder of ['explain', 'livequery-rules', 'lint']) {
      for (const file of readdirSync(join(src, folder)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
        const text = readFileSync(join(src, folder, file), 'utf8');
        for (const [, specifier] of text.matchAll(/\bfrom\s+'([^']+)'/g)) {
          const inside = specifier.startsWith('.') && resolve(src, folder, specifier).startsWith(src);
          if (!inside) problems.push(`${folder}/${file}: ${specifier}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });
});
