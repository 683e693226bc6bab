import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { buildExtension, CHROME_DIR, FIREFOX_DIR } from './build.js';

type Manifest = Record<string, unknown> & { background: Record<string, unknown>; permissions: string[] };
const read = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;

describe('extension build', () => {
  before(() => buildExtension());

  it('writes a Chrome MV3 build with a module service worker, the DevTools page and minimal permissions', () => {
    const manifest = read(CHROME_DIR);
    assert.equal(manifest.manifest_version, 3);
    assert.deepEqual(manifest.background, { service_worker: 'background.js', type: 'module' });
    assert.deepEqual(manifest.permissions, ['storage']);
    assert.equal(manifest.host_permissions, undefined);
    for (const file of ['background.js', 'devtools.html', 'devtools.js', 'panel.html', 'panel.js', 'panel.css', 'page-hook.js', 'page-relay.js', 'icons/icon-128.png']) {
      assert.ok(existsSync(join(CHROME_DIR, file)), `${file} is built`);
    }
    assert.match(String((manifest.content_security_policy as Record<string, string>).extension_pages), /script-src 'self';.*object-src 'none'/);
  });

  it('in both builds the relay is injected before the page hook, so that the hook’s handshake finds it listening', () => {
    // Firefox runs document_start scripts in manifest order but each in its own task: a hook listed first posts its
    // handshake, and that message may be dispatched before the relay exists (page inspection then sees nothing).
    for (const dir of [CHROME_DIR, FIREFOX_DIR]) {
      const scripts = (read(dir).content_scripts as { js: string[]; run_at: string; world?: string }[]).map((entry) => ({
        file: entry.js.join(),
        runAt: entry.run_at,
        world: entry.world ?? 'ISOLATED',
      }));
      assert.deepEqual(scripts, [
        { file: 'page-relay.js', runAt: 'document_start', world: 'ISOLATED' },
        { file: 'page-hook.js', runAt: 'document_start', world: 'MAIN' },
      ]);
    }
  });

  it('writes a Firefox build with background.scripts and a gecko id that passes web-ext lint', () => {
    const manifest = read(FIREFOX_DIR);
    assert.deepEqual(manifest.background, { type: 'module', scripts: ['background.js'] });
    assert.match(String((manifest.browser_specific_settings as { gecko: { id: string } }).gecko.id), /@/);
    const output = execFileSync('npx', ['--no-install', 'web-ext', 'lint', '--source-dir', FIREFOX_DIR, '--output', 'json'], { encoding: 'utf8' });
    const report = JSON.parse(output.slice(output.indexOf('{'))) as { errors: { code: string; message: string }[]; summary: { errors: number } };
    assert.equal(report.summary.errors, 0, JSON.stringify(report.errors));
  });
});
