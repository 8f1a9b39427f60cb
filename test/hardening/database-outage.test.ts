import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { eventually } from '../support/eventually.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startTestApp, testStorage, type TestStorage } from '../support/test-app.js';
import { postgresAvailable } from '../support/databases.js';

// A real PostgreSQL behind a proxy the test controls: the server must answer 503 with
// Retry-After while the database is away (never hang, never 500), and serve again once it
// is back, without a restart. Needs DATABASE_URL (the proxy fronts a real server).
const describeWithPostgres = postgresAvailable() ? describe : describe.skip;

// A request that hangs fails the test here rather than at jest's timeout.
const HANG = 20_000;

describeWithPostgres('the database goes away and comes back (PostgreSQL behind a TCP proxy)', () => {
  let storage: TestStorage;
  let proxy: TcpProxy;
  let app: INestApplication;
  let base: string;

  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(HANG),
    });
  const register = (id: string) => call('POST', '/api/v1/models', { model_id: id, task_type: 'tensor' });

  beforeAll(async () => {
    storage = await testStorage('postgres');
    const server = new URL(storage.options.databaseUrl!);
    proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 5432) });
    app = await startTestApp(storage, {
      databaseUrl: proxy.wrapUrl(storage.options.databaseUrl!),
      databaseTimeouts: { connectMs: 2_000, statementMs: 3_000 },
    });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    base = base.replace('[::1]', '127.0.0.1');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    await storage?.cleanup();
  });

  it.each(['reset', 'blackhole'] as const)('given the connection is cut (%s), then calls that need the database get 503 SERVICE_UNAVAILABLE with Retry-After, and the same server serves again once it is back', async (how) => {
    expect((await register(`outage/before-${how}`)).status).toBe(201);

    proxy.cut(how);

    for (const res of [await call('GET', '/api/v1/models'), await register(`outage/during-${how}`), await call('GET', '/api/v1/events')]) {
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      const body = (await res.json()) as { error_code: string; message: string };
      expect(body.error_code).toBe('SERVICE_UNAVAILABLE');
      expect(body.message).not.toMatch(/127\.0\.0\.1|ECONN|5432/); // no internal address in the answer
    }
    expect((await call('GET', '/health/ready')).status).toBe(503);
    expect((await call('GET', '/health/live')).status).toBe(200);

    proxy.restore();

    await eventually(async () => (await call('GET', '/api/v1/models')).status === 200, 'the models list to be served again');
    expect((await register(`outage/after-${how}`)).status).toBe(201);
    const registered = await eventually(async () => {
      const events = (await (await call('GET', '/api/v1/events?event_type=model.registered&limit=1000')).json()) as { items: { payload: { model_id: string } }[] };
      const ids = events.items.map((e) => e.payload.model_id);
      return ids.includes(`outage/after-${how}`) && ids;
    }, 'the registration after the outage on record');
    expect(registered).toEqual(expect.arrayContaining([`outage/before-${how}`, `outage/after-${how}`]));
    expect(registered).not.toContain(`outage/during-${how}`);
    expect((await call('GET', '/health/ready')).status).toBe(200);
  }, 120_000);
});
