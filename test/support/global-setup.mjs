// Suites that run the real server as a child process run the compiled build (`dist/`):
// TypeScript-stripping loaders drop the decorator metadata Nest's injection needs.
// Type errors do not stop the tests here (tsc still emits; `npm run typecheck` and CI
// report them); a build that emits nothing does.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureRunId } from './skip-report.mjs';

export default function globalSetup() {
  ensureRunId(); // before the workers start: they note skipped resources under this run's id
  const root = fileURLToPath(new URL('../..', import.meta.url));
  // The project's own build, skipped when nothing changed since the last one (`npm ci` built it already).
  const result = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) console.warn(`tsc reported errors (tests go on with what it emitted):\n${result.stdout}${result.stderr}`);
  if (!existsSync(`${root}/dist/src/main.js`)) throw new Error('the build emitted no dist/src/main.js');
}
