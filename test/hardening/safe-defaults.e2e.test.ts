import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { networkInterfaces } from 'node:os';
import request from 'supertest';
import { databaseBackends } from '../support/databases.js';
import { eventually, freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';

const backend = databaseBackends()[0]!;
const TOKEN = 'hardening-token';
const bearer = { Authorization: `Bearer ${TOKEN}` };

describe(`with a token set, details and docs need it; probes still answer (on ${backend})`, () => {
  let storage: TestStorage;
  let app: INestApplication;
  let http: () => ReturnType<typeof request>;

  beforeAll(async () => {
    storage = await testStorage(backend);
    app = await startTestApp(storage, { apiToken: TOKEN });
    http = () => request(app.getHttpServer());
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await storage?.cleanup();
  });

  it.each(['/api/docs-json', '/api/docs', '/api/v1/models'])('%s: 401 UNAUTHORIZED without the token, 200 with it', async (path) => {
    const without = await http().get(path);
    expect(without.status).toBe(401);
    expect(without.body).toEqual({ error_code: 'UNAUTHORIZED', message: expect.any(String) });
    expect((await http().get(path).set(bearer)).status).toBe(200);
  });

  it('/health/ready: status only without the token, components with it', async () => {
    const without = await http().get('/health/ready');
    expect(without.status).toBe(200);
    expect(without.body).toEqual({ status: 'ok' });
    const withToken = await http().get('/health/ready').set(bearer);
    expect(withToken.body.components.database).toEqual({ status: 'up' });
  });

  it('/health/models: the verdict only without the token, per-model details with it', async () => {
    const without = await http().get('/health/models');
    expect(without.status).toBe(200);
    expect(without.body).toEqual({ healthy: true });
    expect((await http().get('/health/models').set(bearer)).body).toEqual({ healthy: true, models: [] });
  });

  it('/health/live needs nothing', async () => {
    expect((await http().get('/health/live')).body).toEqual({ status: 'ok' });
  });
});

describe('the standalone server listens on 127.0.0.1 unless MODELMORA_HOST says otherwise', () => {
  const outward = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  const servers: ServerProcess[] = [];
  const storages: TestStorage[] = [];

  const start = async (env: Record<string, string>) => {
    const storage = await testStorage(backend);
    storages.push(storage);
    const server = await startServerProcess({
      ...(storage.options.databaseUrl ? { DATABASE_URL: storage.options.databaseUrl } : {}),
      MODELMORA_DATA_DIR: storage.options.dataDir,
      MODELMORA_MODEL_DIR: storage.options.modelDir,
      MODELMORA_API_TOKEN: '',
      ...env,
    }, freePort());
    servers.push(server);
    return server;
  };
  const reachableFromOutside = async (server: ServerProcess) => {
    try {
      return (await fetch(`http://${outward}:${new URL(server.url).port}/health/live`, { signal: AbortSignal.timeout(5_000) })).ok;
    } catch {
      return false;
    }
  };

  afterAll(async () => {
    for (const s of servers) {
      s.child.kill('SIGTERM');
      await s.exited;
    }
    for (const s of storages) await s.cleanup();
  });

  it('by default: loopback only, no warning', async () => {
    const server = await start({});
    expect((await fetch(`${server.url}/health/live`)).ok).toBe(true);
    if (outward) expect(await reachableFromOutside(server)).toBe(false);
    expect(server.output()).not.toContain('without MODELMORA_API_TOKEN');
  }, 120_000);

  it('MODELMORA_HOST=0.0.0.0 without a token: reachable from outside, and the start warns', async () => {
    const server = await start({ MODELMORA_HOST: '0.0.0.0' });
    if (outward) expect(await reachableFromOutside(server)).toBe(true);
    await eventually(() => server.output().includes('without MODELMORA_API_TOKEN'), 'the warning at start');
  }, 120_000);

  it('MODELMORA_HOST=0.0.0.0 with a token: no warning', async () => {
    const server = await start({ MODELMORA_HOST: '0.0.0.0', MODELMORA_API_TOKEN: TOKEN });
    expect(server.output()).not.toContain('without MODELMORA_API_TOKEN');
  }, 120_000);
});
