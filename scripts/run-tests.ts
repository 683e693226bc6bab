// Runs the test suites with Node's own test runner: `unit` (every *.test.ts), `e2e` (e2e/**/*.e2e.ts), or both.
// A run that finds no file, runs no test or skips one fails: a missing dependency must not look like a pass.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
if (!['all', 'unit', 'e2e'].includes(which)) {
  console.error(`unknown suite "${which}": use unit, e2e or all`);
  process.exit(2);
}
const suites: { name: string; files: string[] }[] = [];
if (which === 'all' || which === 'unit') suites.push({ name: 'unit and conformance', files: findFiles(root, '.test.ts') });
if (which === 'all' || which === 'e2e') suites.push({ name: 'browser e2e', files: findFiles(join(root, 'e2e'), '.e2e.ts') });
const only = process.argv.slice(3);

/** The counts a TAP report ends with (`# tests 12`, `# skipped 0`…). */
function tapCounts(tap: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [, name, value] of tap.matchAll(/^# (tests|pass|fail|cancelled|skipped|todo) (\d+)$/gm)) counts[name!] = Number(value);
  return counts;
}

let failed = false;
let ranFiles = 0;
const reports = mkdtempSync(join(tmpdir(), 'lq-test-report-'));
for (const suite of suites) {
  const files = only.length ? suite.files.filter((f) => only.some((o) => f.includes(o))) : suite.files;
  if (!files.length) continue;
  ranFiles += files.length;
  console.log(`\n== ${suite.name}: ${files.length} file(s)`);
  const report = join(reports, `${suite.name.replace(/\W+/g, '-')}.tap`);
  const result = spawnSync(
    process.execPath,
    [
      '--import', 'tsx', '--test', '--test-concurrency=1',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${report}`,
      ...files,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  if (result.status !== 0) failed = true;
  const counts = tapCounts(readFileSync(report, 'utf8'));
  if (!counts.tests) {
    console.error(`${suite.name}: no test ran`);
    failed = true;
  }
  if (counts.skipped) {
    console.error(`${suite.name}: ${counts.skipped} test(s) skipped: a skip hides a missing dependency, so it fails the run`);
    failed = true;
  }
}
rmSync(reports, { recursive: true, force: true });
if (!ranFiles) {
  console.error(`no test file matches ${only.length ? only.join(', ') : 'this suite'}`);
  failed = true;
}
process.exit(failed ? 1 : 0);
