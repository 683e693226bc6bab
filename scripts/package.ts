// `npm run package`: builds both browsers' extensions, lints the Firefox one with web-ext, and writes the two zips.

import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildExtension, CHROME_DIR, DIST, FIREFOX_DIR } from './build.js';

const version = (await import('../package.json', { with: { type: 'json' } })).default.version;
const out = join(DIST, 'packages');
const webExt = (args: string[]) => execFileSync('npx', ['--no-install', 'web-ext', ...args], { stdio: 'inherit' });

await buildExtension();
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// Errors fail the packaging; the one expected warning is Preact's innerHTML support code.
webExt(['lint', '--source-dir', FIREFOX_DIR]);
for (const [dir, browser] of [
  [CHROME_DIR, 'chrome'],
  [FIREFOX_DIR, 'firefox'],
] as const) {
  webExt(['build', '--source-dir', dir, '--artifacts-dir', out, '--filename', `livequery-devtools-${browser}-${version}.zip`, '--overwrite-dest']);
}
console.log(`packages in ${out}`);
