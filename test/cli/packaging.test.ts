import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseBackends, testStorage, type TestStorage } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/server-process.js';
import { ROOT } from './support/cli-harness.js';

/**
 * `npm pack`, installed into a fresh app the way a user would (npm registry only: no install
 * script downloads anything, ONNXRUNTIME_NODE_INSTALL=skip), then `npx modelmora` from it:
 * help, and a server started from the installed package that serves the API and the dashboard.
 */
describe('the packed package, installed into a fresh app', () => {
  let dir: string;
  let app: string;
  let storage: TestStorage;
  let server: ChildProcess | undefined;
  const env = (): NodeJS.ProcessEnv => ({ ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_audit: 'false', npm_config_fund: 'false' });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'modelmora-pack-'));
    app = join(dir, 'app');
    // dist/ is fresh (jest's global setup built it): pack it as it is.
    const packed = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', env: env() }));
    const files = (packed[0].files as { path: string }[]).map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['dist/src/cli/main.js', 'dist/src/main.js', 'src/dashboard/public/index.html', 'README.md']));
    expect(files.filter((f) => f.startsWith('test/') || f.endsWith('.spec.js') || f.startsWith('src/') && !f.startsWith('src/dashboard/public/'))).toEqual([]);
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'host-app', private: true, type: 'module' }));
    // --prefer-offline: tarballs come from npm's cache (filled by `npm ci`); with every
    // package document cached too, `--offline` works the same.
    execFileSync('npm', ['install', '--prefer-offline', join(dir, packed[0].filename)], { cwd: app, env: env(), stdio: 'pipe' });
  }, 600_000);
  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    await storage?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs `npx modelmora --help`', () => {
    const help = execFileSync('npx', ['--no-install', 'modelmora', '--help'], { cwd: app, encoding: 'utf8' });
    expect(help).toContain('Usage: modelmora');
    expect(help).toContain('Exit codes:');
    expect(execFileSync('npx', ['--no-install', 'modelmora', '--version'], { cwd: app, encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('serves the API and the dashboard from the installed package (`npx modelmora serve`)', async () => {
    storage = await testStorage(databaseBackends()[0]!);
    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    // The installed bin itself (what `npx modelmora` runs), so SIGTERM reaches the server.
    server = spawn(join(app, 'node_modules/.bin/modelmora'), ['serve', '--port', String(port), '--host', '127.0.0.1'], {
      cwd: app,
      env: { ...process.env, KAFKA_BROKERS: '', DATABASE_URL: storage.options.databaseUrl ?? '', MODELMORA_DATA_DIR: storage.options.dataDir, MODELMORA_MODEL_DIR: storage.options.modelDir, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    await eventually(async () => (await fetch(`${url}/health/ready`)).ok, 'the installed server to be ready', 90_000, 200);
    const status = JSON.parse(execFileSync('npx', ['--no-install', 'modelmora', 'status', '--json', '--url', url], { cwd: app, encoding: 'utf8' }));
    expect(status.totals).toMatchObject({ models_loaded: 0, max_models: expect.any(Number) });
    const page = await fetch(`${url}/dashboard`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>ModelMora dashboard</title>');
    expect((await fetch(`${url}/dashboard/dashboard.js`)).headers.get('content-type')).toContain('javascript');
  }, 120_000);
});
