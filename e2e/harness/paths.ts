// Where things are: the project root, the built extension, the git-ignored artifacts folder.
import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DIST_CHROME = join(ROOT, 'dist', 'chrome');
export const ARTIFACTS_DIR = join(ROOT, 'artifacts');

/**
 * Absolute path for a test artifact (screenshot, dump) under artifacts/, creating the folders on the way.
 * `name` may contain sub-folders ("devtools/panel.png"); an absolute path is returned as is (its folder created).
 */
export function artifactPath(name: string): string {
  const path = isAbsolute(name) ? name : join(ARTIFACTS_DIR, name);
  if (!path.startsWith(ARTIFACTS_DIR + '/') && !isAbsolute(name)) throw new Error(`artifact name escapes artifacts/: ${name}`);
  mkdirSync(dirname(path), { recursive: true });
  return path;
}
