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
 * help, a server started from the installed package that serves the API and the dashboard,
 * and a host Nest app importing the module on each HTTP adapter.
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
  const hosts: ChildProcess[] = [];
  const hostStorages: TestStorage[] = [];
  afterAll(async () => {
    for (const child of [server, ...hosts]) {
      if (!child || child.exitCode !== null) continue;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await storage?.cleanup();
    for (const s of hostStorages) await s.cleanup();
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

  it.each(['fastify', 'express'])('boots a fresh host app on %s that imports the module unchanged: its routes, SSE and docs, and the host route with its own content type as before', async (adapter) => {
    const hostStorage = await testStorage(databaseBackends()[0]!);
    hostStorages.push(hostStorage);
    writeFileSync(join(app, `host-${adapter}.mjs`), HOST_APP);
    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    let output = '';
    const host = spawn(process.execPath, [`host-${adapter}.mjs`], {
      cwd: app,
      env: { ...process.env, KAFKA_BROKERS: '', HOST_ADAPTER: adapter, PORT: String(port), DATABASE_URL: hostStorage.options.databaseUrl ?? '', DATA_DIR: hostStorage.options.dataDir, MODEL_DIR: hostStorage.options.modelDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    hosts.push(host);
    host.stdout!.on('data', (d) => (output += d));
    host.stderr!.on('data', (d) => (output += d));
    await eventually(async () => {
      if (host.exitCode !== null) throw new Error(`the host app exited:\n${output}`);
      return (await fetch(`${url}/host/ping`).catch(() => undefined))?.ok;
    }, `the ${adapter} host app to listen`, 90_000, 200);
    expect(await (await fetch(`${url}/host/ping`)).text()).toBe('pong');
    // The module's routes: REST, the dashboard, the docs (registered at boot, built on first request).
    expect(((await (await fetch(`${url}/api/v1/models`)).json()) as { items: unknown[] }).items).toEqual([]);
    expect((await fetch(`${url}/dashboard`)).status).toBe(200);
    expect(((await (await fetch(`${url}/api/docs-json`)).json()) as { paths: object }).paths).toHaveProperty(['/api/v1/models']);
    expect(await (await fetch(`${url}/api/docs`)).text()).toContain('swagger-ui');
    // SSE on the host's server: headers, then the first frame.
    const abort = new AbortController();
    const stream = await fetch(`${url}/api/v1/events/stream`, { signal: abort.signal });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const first = await stream.body!.getReader().read();
    expect(Buffer.from(first.value!).toString()).toContain('retry: 1000');
    abort.abort();
    // OIP reads a body without a Content-Type itself (tritonclient): an OIP answer, not the host's refusal.
    const infer = { inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }] };
    const oip = await fetch(`${url}/v2/models/host/absent/infer`, { method: 'POST', body: Buffer.from(JSON.stringify(infer)) });
    expect([oip.status, await oip.json()]).toEqual([404, { error: expect.stringContaining('absent') }]);
    // The host's own route keeps the host's own content type parsing.
    const csv = await fetch(`${url}/host/echo`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b,c' });
    expect(await csv.json()).toEqual({ content_type: 'text/csv', body: ['a', 'b', 'c'] });
  }, 180_000);
});

/**
 * A host app as a user writes it, in plain JavaScript (decorators applied by hand): its own
 * controller and its own `text/csv` parsing, ModelMoraModule imported, the docs set up.
 */
const HOST_APP = `
import 'reflect-metadata';
import { Controller, Get, Module, Post, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ModelMoraModule, setupOpenApi } from 'modelmora';

class HostController {
  ping() { return 'pong'; }
  echo(req) { return { content_type: req.headers['content-type'] ?? null, body: req.body ?? null }; }
}
Controller('host')(HostController);
for (const [name, route] of [['ping', Get('ping')], ['echo', Post('echo')]]) {
  Reflect.decorate([route], HostController.prototype, name, Object.getOwnPropertyDescriptor(HostController.prototype, name));
}
Req()(HostController.prototype, 'echo', 0);

class AppModule {}
const env = process.env;
Module({
  imports: [ModelMoraModule.forRoot({ databaseUrl: env.DATABASE_URL || undefined, dataDir: env.DATA_DIR, modelDir: env.MODEL_DIR })],
  controllers: [HostController],
})(AppModule);

const splitCsv = (text) => text.split(',');
let app;
if (env.HOST_ADAPTER === 'fastify') {
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  const adapter = new FastifyAdapter();
  adapter.getInstance().addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, splitCsv(body)));
  app = await NestFactory.create(AppModule, adapter, { logger: ['error', 'warn'] });
} else {
  app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.use((req, _res, next) => {
    if (req.headers['content-type'] !== 'text/csv') return next();
    let text = '';
    req.setEncoding('utf8').on('data', (c) => (text += c)).on('end', () => { req.body = splitCsv(text); next(); });
  });
}
setupOpenApi(app);
await app.listen(Number(env.PORT), '127.0.0.1');
`;
