// Runs the test suites with Node's own test runner: `unit` (every *.test.ts), `e2e` (e2e/**/*.e2e.ts), or both.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const SKIP = new Set(['node_modules', 'dist', '.git', 'artifacts', '.tmp']);

function findFiles(dir: string, suffix: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findFiles(path, suffix, out);
    else if (name.endsWith(suffix)) out.push(relative(root, path));
  }
  return out.sort();
}

const which = process.argv[2] ?? 'all';
const suites: { name: string; files: string[] }[] = [];
if (which === 'all' || which === 'unit') suites.push({ name: 'unit and conformance', files: findFiles(root, '.test.ts') });
if (which === 'all' || which === 'e2e') suites.push({ name: 'browser e2e', files: findFiles(join(root, 'e2e'), '.e2e.ts') });
const only = process.argv.slice(3);

let failed = false;
for (const suite of suites) {
  const files = only.length ? suite.files.filter((f) => only.some((o) => f.includes(o))) : suite.files;
  if (!files.length) continue;
  console.log(`\n== ${suite.name}: ${files.length} file(s)`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  if (result.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
