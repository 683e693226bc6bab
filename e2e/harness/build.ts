// Builds dist/chrome through the project's own scripts/build.ts, at most once per process and only when stale.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_CHROME, ROOT } from './paths.js';

/** Inputs of the build: if any is newer than dist/chrome/manifest.json, the build is stale. */
const SOURCES = ['manifest.json', 'package-lock.json', 'background', 'panel', 'src', 'scripts/build.ts', 'scripts/icons.ts'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** True when dist/chrome/manifest.json is missing or older than any build input. */
export function isExtensionStale(): boolean {
  const manifest = join(DIST_CHROME, 'manifest.json');
  if (!existsSync(manifest)) return true;
  const builtAt = statSync(manifest).mtimeMs;
  return SOURCES.some((source) => newestMtime(join(ROOT, source)) > builtAt);
}

/** Runs `npx tsx scripts/build.ts` (synchronously; output shown only on failure). Returns the build time in ms. */
export function buildExtension(): number {
  const started = Date.now();
  const result = spawnSync('npx', ['tsx', 'scripts/build.ts'], { cwd: ROOT, encoding: 'utf8', env: process.env, timeout: 180_000 });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    throw new Error(`npx tsx scripts/build.ts failed (${result.error?.message ?? `exit ${result.status}`}):\n${output}`);
  }
  if (!existsSync(join(DIST_CHROME, 'manifest.json'))) throw new Error(`build succeeded but ${DIST_CHROME}/manifest.json is missing`);
  return Date.now() - started;
}

let checked = false;

/**
 * Builds the extension if it is missing or stale; checks once per process (the test files run one per process).
 * Set E2E_SKIP_BUILD=1 to use dist/chrome as it is.
 */
export function ensureExtensionBuilt(): string {
  if (!checked && process.env.E2E_SKIP_BUILD !== '1' && isExtensionStale()) buildExtension();
  checked = true;
  return DIST_CHROME;
}
