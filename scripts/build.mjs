// Builds dist/ with tsc, or with --if-stale only when a source is newer than the last build:
// `npm start` and `modelmora serve` then cost nothing to build on an unchanged tree.
// --serve (npm start): then run the server in this same process, rather than npm starting a second.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stamp = join(root, 'dist', '.build-stamp');
const inputs = ['tsconfig.json', 'package.json', 'src', 'scripts/build.mjs', 'scripts/bundle-server.mjs'];

function newestMtime(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs; // a deleted or renamed file touches its folder
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function upToDate() {
  if (!existsSync(stamp) || !existsSync(join(root, 'dist/src/main.js'))) return false;
  const built = statSync(stamp).mtimeMs;
  return inputs.every((input) => !existsSync(join(root, input)) || newestMtime(join(root, input)) <= built);
}

async function done() {
  if (!process.argv.includes('--serve')) process.exit(0);
  const args = process.argv.slice(process.argv.indexOf('--serve') + 1);
  process.argv = [process.argv[0], join(root, 'dist/src/cli/main.js'), 'serve', ...args];
  await import('../dist/src/cli/main.js');
}

if (process.argv.includes('--if-stale') && upToDate()) await done();
// An installed package ships dist/ and no compiler: nothing to build there.
else if (!existsSync(join(root, 'node_modules/typescript/bin/tsc'))) {
  if (!existsSync(join(root, 'dist/src/main.js'))) {
    console.error('build: dist/ is missing and TypeScript is not installed (npm install first)');
    process.exit(1);
  }
  await done();
} else await build();

async function build() {
  const started = Date.now();
  const startedAt = new Date();
  const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // The standalone server as one file (dist/src/main.js loads it): see bundle-server.mjs.
  const { bundleServer } = await import('./bundle-server.mjs');
  await bundleServer();
  // Stamped with the time the build began: a source saved during the build stays newer.
  writeFileSync(stamp, `${startedAt.toISOString()}\n`);
  const { utimesSync } = await import('node:fs');
  utimesSync(stamp, startedAt, startedAt);
  console.error(`build: tsc and bundle done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // The embedded database's initialised template: a first start then copies it instead of running initdb.
  const { ensurePgliteTemplate } = await import(join(root, 'dist/src/shared/database/embedded-postgres.js'));
  await ensurePgliteTemplate();
  // And the standalone server's, its migrations already run: a first start copies it (server-prestart.ts).
  const { buildServerTemplate } = await import(join(root, 'dist/src/server-prestart.js'));
  await buildServerTemplate();
  console.error(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await done();
}
