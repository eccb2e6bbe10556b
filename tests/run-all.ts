/**
 * `npm test`: every check the project has, in order, each counted, ending with one line
 * "N passed, N failed" that CI reads. A step that cannot run (e.g. e2e after a failed build)
 * counts as failed, never as skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface SuiteResult {
  name: string;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
}

const results: SuiteResult[] = [];
const reportDir = mkdtempSync(join(tmpdir(), 'eg-test-'));
const only = process.argv.slice(2);

function wanted(name: string): boolean {
  return only.length === 0 || only.some((prefix) => name.startsWith(prefix));
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): boolean {
  console.log(`\n$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status === 0;
}

/** A check that either passes or fails as a whole (lint, typecheck, a build). */
function step(name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): boolean {
  if (!wanted(name)) return true;
  const start = Date.now();
  const ok = run(command, args, env);
  results.push({ name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, seconds: (Date.now() - start) / 1000 });
  return ok;
}

/** A vitest project, counted test by test from its JSON report. */
function vitestProject(project: string, canRun = true): void {
  if (!wanted(project)) return;
  const start = Date.now();
  if (!canRun) {
    console.log(`\n${project}: not run because the build failed`);
    results.push({ name: project, passed: 0, failed: 1, skipped: 0, seconds: 0 });
    return;
  }
  const reportFile = join(reportDir, `${project}.json`);
  const ok = run('npx', [
    'vitest',
    'run',
    '--project',
    project,
    '--reporter=default',
    '--passWithNoTests',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
  ]);
  const seconds = (Date.now() - start) / 1000;
  try {
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      numTodoTests: number;
      numTotalTestSuites: number;
    };
    // A file that fails to load has no tests but still fails the run: count it.
    const failed = report.numFailedTests + (ok || report.numFailedTests > 0 ? 0 : 1);
    results.push({
      name: project,
      passed: report.numPassedTests,
      failed,
      skipped: report.numPendingTests + report.numTodoTests,
      seconds,
    });
  } catch {
    results.push({ name: project, passed: 0, failed: 1, skipped: 0, seconds });
  }
}

/** web-ext lint of the Firefox build: errors fail, warnings are shown. */
function webExtLint(): void {
  if (!wanted('web-ext-lint')) return;
  const start = Date.now();
  console.log('\n$ web-ext lint --source-dir .output/firefox-mv3');
  const lint = spawnSync('npx', ['web-ext', 'lint', '--source-dir', '.output/firefox-mv3', '--output', 'json'], {
    encoding: 'utf8',
  });
  let errors = 1;
  try {
    const report = JSON.parse(lint.stdout) as {
      errors: { code: string; message: string; file?: string }[];
      warnings: { code: string; message: string; file?: string }[];
    };
    errors = report.errors.length;
    for (const item of [...report.errors, ...report.warnings]) {
      console.log(`  ${item.code}: ${item.message}${item.file ? ` (${item.file})` : ''}`);
    }
    console.log(`  ${report.errors.length} errors, ${report.warnings.length} warnings`);
  } catch {
    console.log(lint.stdout, lint.stderr);
  }
  results.push({
    name: 'web-ext-lint',
    passed: errors === 0 ? 1 : 0,
    failed: errors === 0 ? 0 : 1,
    skipped: 0,
    seconds: (Date.now() - start) / 1000,
  });
}

step('lint', 'npx', ['biome', 'check', '.']);
step('typecheck', 'npx', ['tsc', '--noEmit']);
vitestProject('unit');
vitestProject('server');
const builtChrome = step('build-chrome', 'npx', ['wxt', 'build']);
const builtFirefox = step('build-firefox', 'npx', ['wxt', 'build', '-b', 'firefox']);
if (builtFirefox) webExtLint();
vitestProject('e2e-chromium', builtChrome);
vitestProject('e2e-firefox', builtFirefox);
rmSync(reportDir, { recursive: true, force: true });

console.log('\nSuite            passed  failed  skipped  seconds');
for (const r of results) {
  console.log(
    `${r.name.padEnd(16)} ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ${String(r.skipped).padStart(7)}  ${r.seconds.toFixed(1).padStart(7)}`,
  );
}
const passed = results.reduce((sum, r) => sum + r.passed, 0);
const failed = results.reduce((sum, r) => sum + r.failed, 0);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && results.length > 0 ? 0 : 1);
