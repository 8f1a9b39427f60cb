// Suites that run the real server as a child process run the compiled build (`dist/`):
// TypeScript-stripping loaders drop the decorator metadata Nest's injection needs.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function globalSetup() {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`build for the server-process suites failed:\n${result.stdout}${result.stderr}`);
  }
}
